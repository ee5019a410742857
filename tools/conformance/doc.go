// Package conformance holds nothing but the test that runs the Gateway API conformance suite
// (conformance_test.go); tools/conformance/build.mjs compiles it with `go test -c`.
package conformance
