import type { PolicyRule } from '../imports/k8s';

/** A Kubernetes API verb. */
export type RbacVerb = 'get' | 'list' | 'watch' | 'create' | 'update' | 'patch' | 'delete' | 'deletecollection' | '*';

/** Every verb an `RbacRule` may name. */
export const RBAC_VERBS: readonly RbacVerb[] = ['get', 'list', 'watch', 'create', 'update', 'patch', 'delete', 'deletecollection', '*'];

/** One RBAC rule: these verbs on these resources of these API groups. The one rule type of every construct. */
export interface RbacRule {
  /** API groups; `""` is the core group. */
  readonly apiGroups: readonly string[];
  /** Resources, with subresources as `pods/exec`. */
  readonly resources: readonly string[];
  /** Verbs allowed on them. */
  readonly verbs: readonly RbacVerb[];
  /** Restrict the rule to objects of these names. @default - all objects */
  readonly resourceNames?: readonly string[];
}

/** The k8s binding's (mutable) form of rules, for `KubeRole` and `KubeClusterRole`. */
export function toPolicyRules(rules: readonly RbacRule[]): PolicyRule[] {
  return rules.map(r => ({
    apiGroups: [...r.apiGroups],
    resourceNames: r.resourceNames && [...r.resourceNames],
    resources: [...r.resources],
    verbs: [...r.verbs],
  }));
}

/** One API call, as the RBAC authorizer sees it. */
export interface ApiAccess {
  /** `""` for the core group. */
  readonly apiGroup: string;
  /** Plural resource, e.g. `persistentvolumeclaims`. */
  readonly resource: string;
  readonly verb: string;
  readonly namespace?: string;
}

/**
 * The resource an object's kind is served as, by the same rule the API machinery uses to guess it
 * (`UnsafeGuessKindToResource`): lowercase, then `-s` → `-ses`, `-y` → `-ies`, else `-s`.
 */
export function resourceOf(obj: { apiVersion: string; kind: string }): { apiGroup: string; resource: string } {
  const apiGroup = obj.apiVersion.includes('/') ? obj.apiVersion.split('/')[0] : '';
  const kind = obj.kind.toLowerCase();
  let resource: string;
  if (kind.endsWith('s')) resource = `${kind}es`;
  else if (kind.endsWith('y')) resource = `${kind.slice(0, -1)}ies`;
  else resource = `${kind}s`;
  return { apiGroup, resource };
}

/**
 * What a client needs to manage these objects the way OpenHands' runtime does: for each kind, each of `verbs`
 * in the objects' namespace (`get` makes a re-run idempotent: upstream reads the PVC and Pod before creating).
 */
export function accessNeededFor(objects: readonly any[], verbs: readonly string[] = ['get', 'create', 'delete']): ApiAccess[] {
  const seen = new Map<string, ApiAccess>();
  for (const o of objects) {
    const { apiGroup, resource } = resourceOf(o);
    for (const verb of verbs) {
      const a = { apiGroup, resource, verb, namespace: o.metadata?.namespace };
      seen.set(`${a.namespace}|${apiGroup}|${resource}|${verb}`, a);
    }
  }
  return [...seen.values()];
}

/** Whether a rule set (of one Role) allows an access; rules restricted by resourceNames never allow a nameless one. */
export function rulesAllow(rules: readonly RbacRule[], a: ApiAccess): boolean {
  return rules.some(r => !r.resourceNames
    && (r.apiGroups.includes(a.apiGroup) || r.apiGroups.includes('*'))
    && (r.resources.includes(a.resource) || r.resources.includes('*'))
    && ((r.verbs as readonly string[]).includes(a.verb) || r.verbs.includes('*')));
}

/** The accesses the rules do not allow. */
export function missingAccess(rules: readonly RbacRule[], needed: readonly ApiAccess[]): ApiAccess[] {
  return needed.filter(a => !rulesAllow(rules, a));
}
