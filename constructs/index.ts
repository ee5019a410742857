export * from './ingress-nginx';
export * from './mirrord-rbac';
export * from './ubuntu-dev-workload';
export * from '../src/openhands-stack';
export * from '../src/synth';
export * from '../src/types';
export { LocalHandsValidationError } from '../src/validation';
