// go.mod for the copy of github.com/abbot/go-http-auth v0.4.0 (which has none) that tools/traefik/build.mjs
// assembles from the module cache at build time, plus shim.go. Written for this project.
module github.com/abbot/go-http-auth

go 1.21
