// Package ext stands in for github.com/traefik/traefik/dynamic/ext, which the Go module proxy does not
// serve (it is a nested module of Traefik's repository, left out of Traefik's own module zip).
//
// Traefik's dynamic configuration embeds the two types below, inline, in dynamic.HTTPConfiguration
// and dynamic.Router, and copies them by value (zz_generated.deepcopy.go). Nothing else in the
// traefik binary refers to this package, so empty structs are all the compiler needs: they add no
// configuration fields and no behaviour.
package ext

// HTTP is embedded in dynamic.HTTPConfiguration.
type HTTP struct{}

// Router is embedded in dynamic.Router.
type Router struct{}
