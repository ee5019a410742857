package conformance_test

import (
	"testing"

	"sigs.k8s.io/gateway-api/conformance"
)

// TestConformance is upstream's own entry point (sigs.k8s.io/gateway-api/conformance's conformance_test.go): every
// flag of conformance/utils/flags (--gateway-class, --supported-features, --skip-tests, --report-output, ...)
// and the kubeconfig of controller-runtime (--kubeconfig or KUBECONFIG) apply.
func TestConformance(t *testing.T) {
	conformance.RunConformance(t)
}
