import { App } from 'cdk8s';
import { addGatewayStack } from './gateway-stack';
import { addOpenHandsStack } from './openhands-stack';
import { addProductionStack } from './production-stack';

/** What the command line gives a profile beyond its name. */
export interface ProfileOptions {
  /** `--domain NAME`: the DNS name OpenHands is served at. */
  readonly domain?: string;
}

/** A named way to build the app: `npm run synth -- --profile NAME`. */
export interface Profile {
  /** One line for `--help`. */
  readonly description: string;
  /** Adds the profile's charts (and KIND config, if any) to the app. */
  readonly build: (app: App, options?: ProfileOptions) => void;
  /** Whether it runs on KIND (writes a KIND config): `kind:up` refuses the others. */
  readonly kind: boolean;
  /** The options the profile needs (`--domain`); the others refuse them. @default - none */
  readonly needs?: readonly (keyof ProfileOptions)[];
  /** Options for a demonstration run (the bench's, the tests'). @default - none */
  readonly example?: ProfileOptions;
}

/** The profiles `npm run synth` knows; `default` is upstream's KIND stack, byte for byte what dist/ holds. */
export const PROFILES = {
  default: {
    description: "OpenHands' KIND stack as upstream's manifests describe it: ingress-nginx, ubuntu-dev, the mirrord RBAC",
    build: app => { addOpenHandsStack(app); },
    kind: true,
  },
  gateway: {
    description: 'The OpenHands server at http://localhost/ behind Traefik with the Gateway API (CRDs included) instead of the retired ingress-nginx, an isolated sandbox namespace, ubuntu-dev, the mirrord RBAC',
    build: app => { addGatewayStack(app); },
    kind: true,
  },
  production: {
    description: 'A multi-node cluster at --domain NAME: the server over HTTPS, Traefik behind a LoadBalancer, 2+ spread replicas, a PDB and an HPA, plain HTTP only redirecting, the isolated sandbox namespace, monitoring; no KIND config',
    build: (app: App, o?: ProfileOptions) => { addProductionStack(app, { domain: o?.domain as string }); },
    kind: false,
    needs: ['domain'],
    example: { domain: 'openhands.example.com' },
  },
} satisfies Record<string, Profile>;

export type ProfileName = keyof typeof PROFILES;

/** A profile's build as its demonstration run makes it (with its `example` options): for tests and the bench. */
export function exampleBuild(name: ProfileName): (app: App) => void {
  const profile: Profile = PROFILES[name];
  return app => profile.build(app, profile.example);
}

/** The command-line flags of a profile's options, e.g. `['--domain', 'openhands.example.com']`. */
export function profileArgs(options: ProfileOptions = {}): string[] {
  return Object.entries(options).flatMap(([k, v]) => v === undefined ? [] : [`--${k}`, v]);
}
