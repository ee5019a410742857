import { Construct } from 'constructs';
import { GATEWAY_API_VERSION } from '../../imports/gateway-api';
import { KubeRole, KubeRoleBinding, KubeServiceAccount } from '../../imports/k8s';
import { DEFAULT_KUBERNETES_CONFIG, KubernetesConfig } from '../../src/kubernetes-config';
import { CONFIG_ROW, fullConfig, propSpec, resolveProps } from '../../src/props';
import { ApiAccess, RbacRule, RbacVerb, accessNeededFor } from '../../src/rbac';
import { SandboxRouteKind, probeSession } from '../sandbox/sandbox-probe';

export type { SandboxRouteKind } from '../sandbox/sandbox-probe';

/** The namespace the OpenHands server (and so its ServiceAccount) runs in: its own, apart from the sandboxes it starts. */
export const SERVER_NAMESPACE = 'openhands';

/** The Gateway API version an HTTPRoute is created as (only the group matters to RBAC). */
export const HTTPROUTE_API_VERSION = GATEWAY_API_VERSION;

/**
 * What the OpenHands server does to the API for one session, derived from the objects `SandboxRuntime`
 * renders with that route kind (get/create/delete each, in the sandbox namespace), never listed by hand.
 */
export function sandboxSessionAccess(routeKind: SandboxRouteKind = 'Ingress', namespace = DEFAULT_KUBERNETES_CONFIG.namespace): ApiAccess[] {
  return accessNeededFor(probeSession(namespace, routeKind));
}

/**
 * The fewest RBAC rules that allow exactly these accesses: one rule per API group and verb set, resources
 * in the order they first appear (so the Role reads like the session).
 */
export function rulesFor(accesses: readonly ApiAccess[]): RbacRule[] {
  const verbsOf = new Map<string, { apiGroup: string; resource: string; verbs: RbacVerb[] }>();
  for (const a of accesses) {
    const key = `${a.apiGroup}|${a.resource}`;
    const entry = verbsOf.get(key) ?? { apiGroup: a.apiGroup, resource: a.resource, verbs: [] };
    if (!entry.verbs.includes(a.verb as RbacVerb)) entry.verbs.push(a.verb as RbacVerb);
    verbsOf.set(key, entry);
  }
  const rules = new Map<string, { apiGroups: string[]; resources: string[]; verbs: RbacVerb[] }>();
  for (const e of verbsOf.values()) {
    const key = `${e.apiGroup}|${e.verbs.join(',')}`;
    const rule = rules.get(key) ?? { apiGroups: [e.apiGroup], resources: [], verbs: e.verbs };
    rule.resources.push(e.resource);
    rules.set(key, rule);
  }
  return [...rules.values()];
}

/** The least-privilege rules for running sandbox sessions routed by `routeKind`. */
export function sandboxSessionRules(routeKind: SandboxRouteKind = 'Ingress'): RbacRule[] {
  return rulesFor(sandboxSessionAccess(routeKind));
}

export interface OpenHandsServiceAccountProps {
  /** The `[kubernetes]` config: the Role and RoleBinding go into `config.namespace`. @default - DEFAULT_KUBERNETES_CONFIG */
  readonly config?: Partial<KubernetesConfig>;
  /** Name of the ServiceAccount the OpenHands server runs as. @default 'openhands' */
  readonly name?: string;
  /** Namespace of the ServiceAccount (where the OpenHands server runs). @default SERVER_NAMESPACE */
  readonly namespace?: string;
  /**
   * How sessions are routed, which decides whether the Role grants ingresses or httproutes. OpenHands' Kubernetes
   * runtime creates an Ingress per session; HTTPRoute is for a server of your own that routes sessions so.
   * @default 'Ingress'
   */
  readonly routeKind?: SandboxRouteKind;
  /** Name of the Role and the RoleBinding in the sandbox namespace. @default 'openhands-sandboxes' */
  readonly roleName?: string;
}

const PROPS = propSpec<OpenHandsServiceAccountProps>()('OpenHandsServiceAccount', {
  config: CONFIG_ROW,
  name: { default: 'openhands', check: (p, f, v) => p.dnsSubdomain(f, v) },
  namespace: { default: SERVER_NAMESPACE, check: (p, f, v) => p.dnsLabel(f, v) },
  routeKind: { default: 'Ingress', check: (p, f, v) => p.oneOf(f, v, ['Ingress', 'HTTPRoute']) },
  roleName: { default: 'openhands-sandboxes', check: (p, f, v) => p.dnsSubdomain(f, v) },
});

/**
 * A ServiceAccount for the OpenHands server, allowed to run sandbox sessions in the sandbox namespace and
 * nothing else: get/create/delete on the objects a session is made of (`sandboxSessionRules`), no Secrets,
 * no exec or port-forward, no list or watch, no other namespace. It lives with the server (in its own namespace,
 * `openhands` by default) and is bound in the sandbox namespace only. It replaces upstream's grant to
 * `default/default`, which every Pod in `default` runs as.
 */
export class OpenHandsServiceAccount extends Construct {
  public readonly serviceAccount: KubeServiceAccount;
  public readonly role: KubeRole;
  public readonly roleBinding: KubeRoleBinding;
  /** The rules the Role grants. */
  public readonly rules: readonly RbacRule[];
  /** `system:serviceaccount:<namespace>:<name>`, the user the API server sees (for `--as`). */
  public readonly username: string;
  /** Where the ServiceAccount lives. */
  public readonly namespace: string;
  /** The ServiceAccount's name (`serviceAccountName` of the server's pods). */
  public readonly name: string;
  /** Where the Role and RoleBinding live. */
  public readonly sandboxNamespace: string;
  /** The route kind the Role grants for sessions: Ingress (what OpenHands' Kubernetes runtime creates) or HTTPRoute. */
  public readonly routeKind: SandboxRouteKind;

  constructor(scope: Construct, id: string, props: OpenHandsServiceAccountProps = {}) {
    super(scope, id);
    const r = resolveProps(this, props, PROPS);
    this.namespace = r.namespace;
    this.name = r.name;
    this.sandboxNamespace = fullConfig(r.config).namespace;
    this.username = `system:serviceaccount:${r.namespace}:${r.name}`;
    this.routeKind = r.routeKind;
    this.rules = sandboxSessionRules(r.routeKind);
    this.serviceAccount = new KubeServiceAccount(this, 'service-account', {
      metadata: { name: r.name, namespace: r.namespace },
      // The server talks to the API through its client library, so the token stays mounted.
      automountServiceAccountToken: true,
    });
    this.role = new KubeRole(this, 'role', {
      metadata: { name: r.roleName, namespace: this.sandboxNamespace },
      rules: this.rules.map(rule => ({ apiGroups: [...rule.apiGroups], resources: [...rule.resources], verbs: [...rule.verbs] })),
    });
    this.roleBinding = new KubeRoleBinding(this, 'binding', {
      metadata: { name: r.roleName, namespace: this.sandboxNamespace },
      subjects: [{ kind: 'ServiceAccount', name: r.name, namespace: r.namespace }],
      roleRef: { kind: 'Role', name: r.roleName, apiGroup: 'rbac.authorization.k8s.io' },
    });
  }
}
