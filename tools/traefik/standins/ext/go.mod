// Stand-in for github.com/traefik/traefik/dynamic/ext, a nested module of Traefik's repository that
// the Go module proxy does not serve. Written for this project; see tools/traefik/README.md.
module github.com/traefik/traefik/dynamic/ext

go 1.21
