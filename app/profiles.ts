import { App } from 'cdk8s';
import { addGatewayStack } from './gateway-stack';
import { addOpenHandsStack } from './openhands-stack';
import { addProductionStack } from './production-stack';

/** A named way to build the app: `npm run synth -- --profile NAME`. */
export interface Profile {
  /** One line for `--help`. */
  readonly description: string;
  /** Adds the profile's charts (and KIND config, if any) to the app. */
  readonly build: (app: App) => void;
  /** Whether it runs on KIND (writes a KIND config): `kind:up` refuses the others. */
  readonly kind: boolean;
}

/** The profiles `npm run synth` knows; `default` is upstream's KIND stack, byte for byte what dist/ holds. */
export const PROFILES = {
  default: {
    description: "OpenHands' KIND stack as upstream's manifests describe it: ingress-nginx, ubuntu-dev, the mirrord RBAC",
    build: app => { addOpenHandsStack(app); },
    kind: true,
  },
  gateway: {
    description: 'Traefik with the Gateway API (CRDs included) instead of the retired ingress-nginx, an isolated sandbox namespace, ubuntu-dev, the mirrord RBAC',
    build: app => { addGatewayStack(app); },
    kind: true,
  },
  production: {
    description: 'A multi-node cluster: Traefik behind a LoadBalancer, 2+ spread replicas, a PDB and an HPA, an HTTPS Gateway, the isolated sandbox namespace, monitoring; no KIND config',
    build: app => { addProductionStack(app); },
    kind: false,
  },
} satisfies Record<string, Profile>;

export type ProfileName = keyof typeof PROFILES;
