// The package face: everything a consumer imports from 'local-hands'. API.md documents exactly these
// modules, in this order, so a new construct is public and documented once it is listed here.

// Constructs, each with its data tables.
export * from './constructs/ingress-nginx';
export * from './constructs/ingress-nginx-releases';
export * from './constructs/mirrord-rbac';
export * from './constructs/mirrord-rbac-presets';
export * from './constructs/ubuntu-dev-workload';
export * from './constructs/sandbox-runtime';
export * from './constructs/sandbox-fleet';
export * from './constructs/kind-cluster';

// App layer: the OpenHands stack and synth-to-folder.
export * from './app/openhands-stack';
export * from './app/synth';

// Ground: the config loader, shared types, RBAC helpers, the error class.
export * from './src/kubernetes-config';
export * from './src/types';
export * from './src/rbac';
export { LocalHandsValidationError } from './src/validation';
