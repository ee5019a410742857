// The Kubernetes 1.27 API bindings local-hands builds on.
//
// `cdk8s import k8s@1.27` would generate these from the upstream OpenAPI schema, but it needs the
// network at import time. cdk8s-plus-27 already ships exactly that generated code (same
// generator, same 1.27 schema), so we re-export the classes we use from it instead of keeping a
// 2.5 MB copy: one version of the bindings, updated with the cdk8s-plus-27 pin.
export * from 'cdk8s-plus-27/lib/imports/k8s';
