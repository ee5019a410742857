import { Construct } from 'constructs';
import { KubeRole, KubeRoleBinding } from '../imports/k8s';
import { Problems, isPlainObject } from '../src/validation';

/** A Kubernetes API verb. */
export type RbacVerb = 'get' | 'list' | 'watch' | 'create' | 'update' | 'patch' | 'delete' | 'deletecollection' | '*';

const VERBS: readonly RbacVerb[] = ['get', 'list', 'watch', 'create', 'update', 'patch', 'delete', 'deletecollection', '*'];

/** One RBAC rule: these verbs on these resources of these API groups. */
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

/** Who the Role is bound to. */
export interface RbacSubject {
  /** @default 'ServiceAccount' */
  readonly kind?: 'ServiceAccount' | 'User' | 'Group';
  /** Name of the ServiceAccount, user or group. */
  readonly name: string;
  /** Namespace of a ServiceAccount. @default - the Role's namespace */
  readonly namespace?: string;
}

/** Rule sets for the Role. */
export type MirrordRbacPreset = 'openhands' | 'leastPrivilege' | 'mirrordCli';

/**
 * The rule sets `MirrordRbac` offers.
 * - `openhands`: upstream's `kind/manifests/role.yaml`, as OpenHands ships it.
 * - `leastPrivilege`: what the OpenHands Kubernetes runtime does to run a sandbox session, nothing more
 *   (the `get`s make re-runs idempotent).
 * - `mirrordCli`: what the mirrord CLI needs to steal or mirror traffic without its operator.
 */
export const MIRRORD_RBAC_PRESETS: Readonly<Record<MirrordRbacPreset, readonly RbacRule[]>> = {
  openhands: [
    {
      apiGroups: [''],
      resources: ['pods', 'pods/exec', 'pods/portforward', 'services', 'persistentvolumeclaims'],
      verbs: ['get', 'list', 'create', 'delete', 'watch', 'update'],
    },
    {
      apiGroups: ['networking.k8s.io'],
      resources: ['ingresses', 'networkpolicies'],
      verbs: ['get', 'list', 'create', 'delete', 'watch', 'update'],
    },
  ],
  leastPrivilege: [
    { apiGroups: [''], resources: ['pods', 'persistentvolumeclaims', 'services'], verbs: ['get', 'create', 'delete'] },
    { apiGroups: ['networking.k8s.io'], resources: ['ingresses'], verbs: ['get', 'create', 'delete'] },
  ],
  mirrordCli: [
    { apiGroups: ['apps'], resources: ['deployments'], verbs: ['get'] },
    { apiGroups: [''], resources: ['pods'], verbs: ['list', 'watch'] },
    { apiGroups: ['batch'], resources: ['jobs'], verbs: ['create'] },
    { apiGroups: [''], resources: ['pods/log'], verbs: ['get'] },
    { apiGroups: [''], resources: ['pods/portforward'], verbs: ['create', 'get'] },
    { apiGroups: [''], resources: ['pods/ephemeralcontainers'], verbs: ['get', 'update'] },
  ],
};

export interface MirrordRbacProps {
  /** Namespace of the Role and RoleBinding. @default 'default' */
  readonly namespace?: string;
  /** Name of the Role. @default 'mirrord-role' */
  readonly roleName?: string;
  /** Name of the RoleBinding. @default 'mirrord-binding' */
  readonly bindingName?: string;
  /** Who gets the Role. @default - ServiceAccount `default` in the Role's namespace */
  readonly subject?: RbacSubject;
  /** The rule set to start from. @default 'openhands' */
  readonly preset?: MirrordRbacPreset;
  /** Rules appended after the preset's. @default - none */
  readonly extraRules?: readonly RbacRule[];
}

/** The `mirrord-role` Role and the `mirrord-binding` RoleBinding that grants it, as OpenHands' KIND setup applies them. */
export class MirrordRbac extends Construct {
  /** The Role. */
  public readonly role: KubeRole;
  /** The RoleBinding. */
  public readonly roleBinding: KubeRoleBinding;
  /** The rules the Role grants (preset, then extra rules). */
  public readonly rules: readonly RbacRule[];
  /** The namespace both objects live in. */
  public readonly namespace: string;
  /** The subject bound, with its defaults applied. */
  public readonly subject: Required<RbacSubject>;

  constructor(scope: Construct, id: string, props: MirrordRbacProps = {}) {
    super(scope, id);
    const p = Problems.of(this, 'MirrordRbac');
    p.knownProps('MirrordRbac', props, ['namespace', 'roleName', 'bindingName', 'subject', 'preset', 'extraRules']);
    const namespace = props.namespace ?? 'default';
    const roleName = props.roleName ?? 'mirrord-role';
    const bindingName = props.bindingName ?? 'mirrord-binding';
    const preset = props.preset ?? 'openhands';
    p.dnsLabel('namespace', namespace);
    p.dnsSubdomain('roleName', roleName);
    p.dnsSubdomain('bindingName', bindingName);
    const presetOk = p.oneOf('preset', preset, Object.keys(MIRRORD_RBAC_PRESETS) as MirrordRbacPreset[]);

    const subject = { kind: 'ServiceAccount' as const, name: 'default', namespace, ...(props.subject ?? {}) };
    p.oneOf('subject.kind', subject.kind, ['ServiceAccount', 'User', 'Group']);
    if (subject.kind === 'ServiceAccount') {
      p.dnsSubdomain('subject.name', subject.name);
      p.dnsLabel('subject.namespace', subject.namespace);
    } else {
      p.check(typeof subject.name === 'string' && subject.name.length > 0, 'subject.name', subject.name, 'a non-empty string');
    }

    const extra = props.extraRules ?? [];
    if (!Array.isArray(extra)) p.add('extraRules', extra, 'a list of rules');
    else extra.forEach((rule, i) => checkRule(p, `extraRules[${i}]`, rule));
    p.throwIfAny();

    this.namespace = namespace;
    this.subject = subject;
    this.rules = [...(presetOk ? MIRRORD_RBAC_PRESETS[preset] : []), ...extra];
    this.role = new KubeRole(this, 'role', {
      metadata: { name: roleName, namespace },
      rules: this.rules.map(r => ({
        apiGroups: [...r.apiGroups],
        resources: [...r.resources],
        verbs: [...r.verbs],
        resourceNames: r.resourceNames && [...r.resourceNames],
      })),
    });
    this.roleBinding = new KubeRoleBinding(this, 'binding', {
      metadata: { name: bindingName, namespace },
      subjects: [subject.kind === 'ServiceAccount'
        ? { kind: subject.kind, name: subject.name, namespace: subject.namespace }
        : { kind: subject.kind, name: subject.name, apiGroup: 'rbac.authorization.k8s.io' }],
      roleRef: { kind: 'Role', name: roleName, apiGroup: 'rbac.authorization.k8s.io' },
    });
  }
}

function checkRule(p: Problems, field: string, rule: unknown): void {
  if (!isPlainObject(rule)) {
    p.add(field, rule, 'a rule { apiGroups, resources, verbs, resourceNames? }');
    return;
  }
  for (const k of Object.keys(rule)) {
    if (!['apiGroups', 'resources', 'verbs', 'resourceNames'].includes(k)) p.add(`${field}.${k}`, rule[k], 'absent (a rule has apiGroups, resources, verbs, resourceNames)');
  }
  if (p.nonEmptyStrings(`${field}.apiGroups`, rule.apiGroups)) {
    rule.apiGroups.forEach((g: string, i: number) => p.check(g === '' || g === '*' || /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/.test(g),
      `${field}.apiGroups[${i}]`, g, '"" (the core group), "*" or an API group such as "apps"'));
  }
  if (p.nonEmptyStrings(`${field}.resources`, rule.resources)) {
    rule.resources.forEach((r: string, i: number) => p.check(r === '*' || /^[a-z0-9]+(\/[a-z0-9]+)?$/.test(r),
      `${field}.resources[${i}]`, r, 'a lowercase plural resource, optionally with a subresource ("pods", "pods/log") or "*"'));
  }
  if (p.nonEmptyStrings(`${field}.verbs`, rule.verbs)) {
    rule.verbs.forEach((v: string, i: number) => p.oneOf(`${field}.verbs[${i}]`, v, VERBS));
  }
  if (rule.resourceNames !== undefined) p.nonEmptyStrings(`${field}.resourceNames`, rule.resourceNames);
}
