import { Construct } from 'constructs';
import { KubeNamespace } from '../imports/k8s';
import { renderServerNamespace } from '../constructs/server/openhands-server';
import { OpenHandsServiceAccount, SERVER_NAMESPACE } from '../constructs/isolation/openhands-service-account';
import { SandboxNamespace } from '../constructs/isolation/sandbox-namespace';
import { SandboxNetworkPolicies } from '../constructs/isolation/sandbox-network-policies';
import { SandboxQuota, SandboxQuotaProps } from '../constructs/isolation/sandbox-quota';
import { KubernetesConfig } from '../src/kubernetes-config';

/** The namespace the profiles run sandboxes in, instead of upstream's `default` (the `[kubernetes]` config's `namespace`). */
export const SANDBOX_NAMESPACE = 'openhands-sandboxes';

/** What a stack needs to isolate its sandboxes. */
export interface SandboxIsolationOptions {
  /** The config sessions run with: its namespace is the one isolated. */
  readonly config: KubernetesConfig;
  /** The namespace of the ingress or gateway controller, the only one that may reach the sandboxes' VS Code port. */
  readonly controllerNamespace: string;
  /** Sessions the quota admits at once. @default - SandboxQuota's default */
  readonly maxSessions?: number;
  /** Entries replacing the quota's computed ones. @default - none */
  readonly quotaHard?: SandboxQuotaProps['hard'];
}

/** The parts of a sandbox namespace's isolation. */
export interface SandboxIsolation {
  readonly sandboxNamespace: SandboxNamespace;
  /** The server's namespace (SERVER_NAMESPACE), where its ServiceAccount lives. */
  readonly serverNamespace: KubeNamespace;
  readonly serviceAccount: OpenHandsServiceAccount;
  readonly quota: SandboxQuota;
  readonly networkPolicies: SandboxNetworkPolicies;
}

/**
 * The placement, decided once: the OpenHands server in its own namespace (SERVER_NAMESPACE, `restricted`), sandboxes
 * in the config's. One chart holds both namespaces (first, so one apply creates them before the rest), the server's
 * ServiceAccount bound to least privilege in the sandbox namespace, the quota and LimitRange, and the NetworkPolicies
 * (a namespace-wide default deny, the server's namespace to the action server, the controller to the routed ports,
 * DNS, the internet). Shared by every profile that isolates sandboxes.
 */
export function addSandboxIsolation(chart: Construct, o: SandboxIsolationOptions): SandboxIsolation {
  const { config } = o;
  return {
    sandboxNamespace: new SandboxNamespace(chart, 'namespace', { config }),
    serverNamespace: renderServerNamespace(chart, 'server-namespace', SERVER_NAMESPACE),
    // The Role grants what OpenHands' Kubernetes runtime creates per session, an Ingress among it (routeKind's
    // default), whatever the stack routes its own server with: the server the stacks deploy makes those sessions.
    serviceAccount: new OpenHandsServiceAccount(chart, 'openhands', { config, namespace: SERVER_NAMESPACE }),
    quota: new SandboxQuota(chart, 'quota', { config, maxSessions: o.maxSessions, hard: o.quotaHard }),
    networkPolicies: new SandboxNetworkPolicies(chart, 'network-policies', { config, controllerNamespace: o.controllerNamespace }),
  };
}
