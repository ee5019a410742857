import { Chart } from 'cdk8s';
import { OpenHandsServiceAccount, SandboxRouteKind } from '../constructs/openhands-service-account';
import { SandboxNamespace } from '../constructs/sandbox-namespace';
import { SandboxNetworkPolicies } from '../constructs/sandbox-network-policies';
import { SandboxQuota } from '../constructs/sandbox-quota';
import { KubernetesConfig } from '../src/kubernetes-config';

/** The namespace the profiles run sandboxes in, instead of upstream's `default` (the `[kubernetes]` config's `namespace`). */
export const SANDBOX_NAMESPACE = 'openhands-sandboxes';

/** What a stack needs to isolate its sandboxes. */
export interface SandboxIsolationOptions {
  /** The config sessions run with: its namespace is the one isolated. */
  readonly config: KubernetesConfig;
  /** The namespace of the ingress or gateway controller, the only one that may reach the sandboxes' VS Code port. */
  readonly controllerNamespace: string;
  /** How sessions are routed, which decides the OpenHands ServiceAccount's rules. */
  readonly routeKind: SandboxRouteKind;
  /** Sessions the quota admits at once. @default - SandboxQuota's default */
  readonly maxSessions?: number;
}

/** The parts of a sandbox namespace's isolation. */
export interface SandboxIsolation {
  readonly sandboxNamespace: SandboxNamespace;
  readonly serviceAccount: OpenHandsServiceAccount;
  readonly quota: SandboxQuota;
  readonly networkPolicies: SandboxNetworkPolicies;
}

/**
 * The sandbox namespace and what isolates it, in one chart (the Namespace first, so one apply creates it before the
 * rest): PodSecurity labels, the dedicated ServiceAccount with least privilege, the quota and LimitRange, the
 * NetworkPolicies. Shared by every profile that isolates sandboxes.
 */
export function addSandboxIsolation(chart: Chart, o: SandboxIsolationOptions): SandboxIsolation {
  const { config } = o;
  return {
    sandboxNamespace: new SandboxNamespace(chart, 'namespace', { config }),
    serviceAccount: new OpenHandsServiceAccount(chart, 'openhands', { config, routeKind: o.routeKind }),
    quota: new SandboxQuota(chart, 'quota', { config, ...(o.maxSessions !== undefined ? { maxSessions: o.maxSessions } : {}) }),
    networkPolicies: new SandboxNetworkPolicies(chart, 'network-policies', { config, controllerNamespace: o.controllerNamespace }),
  };
}
