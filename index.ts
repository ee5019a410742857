// The package face: everything a consumer imports from 'local-hands'. API.md documents exactly these
// modules, in this order, so a new construct is public and documented once it is listed here.

// Constructs, each with its data tables.
export * from './constructs/ingress-nginx/ingress-nginx';
export * from './constructs/ingress-nginx/ingress-nginx-releases';
export * from './constructs/dev-workload/mirrord-rbac';
export * from './constructs/dev-workload/mirrord-rbac-presets';
export * from './constructs/dev-workload/ubuntu-dev-workload';
export * from './constructs/sandbox/sandbox-runtime';
export * from './constructs/sandbox/sandbox-fleet';
export * from './constructs/sandbox/sandbox-route';
export * from './constructs/kind/kind-cluster';
export * from './constructs/traefik-gateway/traefik';
export type { TraefikAutoscalingProps, TraefikDisruptionBudgetProps, TraefikTopologySpreadProps } from './constructs/traefik-gateway/traefik-availability';
export * from './constructs/traefik-gateway/traefik-chart';
export * from './constructs/traefik-gateway/gateway-api-crds';
export * from './constructs/traefik-gateway/traefik-crds';
export * from './constructs/isolation/sandbox-namespace';
export * from './constructs/isolation/openhands-service-account';
export * from './constructs/server/openhands-server';
export * from './constructs/traefik-gateway/https-redirect';
export * from './constructs/isolation/sandbox-quota';
export * from './constructs/isolation/sandbox-network-policies';
export * from './constructs/monitoring/monitoring-indicators';
export * from './constructs/monitoring/openhands-alerts';
export * from './constructs/monitoring/grafana-dashboard';
export * from './constructs/monitoring/ingress-metrics-monitor';
export * from './constructs/traefik-gateway/cert-manager-certificate';

// App layer: the OpenHands stack and synth-to-folder.
export * from './app/openhands-stack';
export * from './app/gateway-stack';
export * from './app/production-stack';
export * from './app/server';
export * from './app/synth';
export * from './app/profiles';
export { LocalHandsOutputError } from './app/output/error';
export { OUTPUT_MARKER, GENERATED_HEADER, checkOutputDir, checkOutputFile, writeOutputDir, writeOutputDirs, writeOutputFile } from './app/output';
export type { OutputFile, OutputBytes, OutputParts, OutputContent, OutputTarget, OutputDirOptions, OutputFileOptions } from './app/output';

// Ground: the config loader, shared types, RBAC helpers, the error class.
export * from './src/kubernetes-config';
export * from './src/types';
export * from './src/rbac';
export * from './src/gateway-listeners';
export * from './src/host-traffic';
export * from './src/quantity';
export * from './src/cidr';
export * from './src/tls';
export { Gateway, GatewayClass, HttpRoute } from './imports/gateway-api';
export type * from './imports/gateway-api';
export { LocalHandsValidationError } from './src/validation';
export { apiObjectCollisions, refuseCollisions } from './src/collisions';
