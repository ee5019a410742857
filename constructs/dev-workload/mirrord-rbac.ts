import { Construct } from 'constructs';
import { KubeRole, KubeRoleBinding } from '../../imports/k8s';
import { ResolvedProps, propSpec, resolveProps } from '../../src/props';
import { RBAC_VERBS, RbacRule, toPolicyRules } from '../../src/rbac';
import { Problems, isPlainObject } from '../../src/validation';
import { MIRRORD_RBAC_PRESETS, MirrordRbacPreset } from './mirrord-rbac-presets';

/** Who the Role is bound to. */
export interface RbacSubject {
  /** @default 'ServiceAccount' */
  readonly kind?: 'ServiceAccount' | 'User' | 'Group';
  /** Name of the ServiceAccount, user or group. */
  readonly name: string;
  /** Namespace of a ServiceAccount. @default - the Role's namespace */
  readonly namespace?: string;
}

export interface MirrordRbacProps {
  /** Namespace of the Role and RoleBinding. @default 'default' */
  readonly namespace?: string;
  /** Name of the Role. @default 'mirrord-role' */
  readonly roleName?: string;
  /** Name of the RoleBinding. @default 'mirrord-binding' */
  readonly bindingName?: string;
  /** Who gets the Role. @default - ServiceAccount `default` in the Role's namespace */
  readonly subject?: RbacSubject;
  /** The rule set to start from, from `MIRRORD_RBAC_PRESETS`. @default 'openhands' */
  readonly preset?: MirrordRbacPreset;
  /** Rules appended after the preset's. @default - none */
  readonly extraRules?: readonly RbacRule[];
}

const PROPS = propSpec<MirrordRbacProps>()('MirrordRbac', {
  namespace: { default: 'default', check: (p, f, v) => p.dnsLabel(f, v) },
  roleName: { default: 'mirrord-role', check: (p, f, v) => p.dnsSubdomain(f, v) },
  bindingName: { default: 'mirrord-binding', check: (p, f, v) => p.dnsSubdomain(f, v) },
  subject: {},
  preset: { default: 'openhands', check: (p, f, v) => p.oneOf(f, v, Object.keys(MIRRORD_RBAC_PRESETS) as MirrordRbacPreset[]) },
  extraRules: { default: [], check: checkRules },
});

/** Upstream binds the Role to the namespace's `default` ServiceAccount. */
const DEFAULT_SUBJECT_NAME = 'default';

/** Every prop with its default applied. */
interface Resolved {
  readonly namespace: string;
  readonly roleName: string;
  readonly bindingName: string;
  readonly subject: Required<RbacSubject>;
  readonly rules: readonly RbacRule[];
}

/** The subject defaults to the Role's namespace; the rules are the preset's, then the extra ones. */
function resolve(p: Problems, v: ResolvedProps<typeof PROPS>): Resolved {
  const subject = { kind: 'ServiceAccount' as const, name: DEFAULT_SUBJECT_NAME, namespace: v.namespace, ...(v.subject ?? {}) };
  p.oneOf('subject.kind', subject.kind, ['ServiceAccount', 'User', 'Group']);
  if (subject.kind === 'ServiceAccount') {
    p.dnsSubdomain('subject.name', subject.name);
    p.dnsLabel('subject.namespace', subject.namespace);
  } else {
    p.check(typeof subject.name === 'string' && subject.name.length > 0, 'subject.name', subject.name, 'a non-empty string');
  }
  p.throwIfAny();
  const { namespace, roleName, bindingName } = v;
  return { namespace, roleName, bindingName, subject, rules: [...MIRRORD_RBAC_PRESETS[v.preset], ...v.extraRules] };
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
    const r = resolveProps(this, props, PROPS, resolve);
    this.namespace = r.namespace;
    this.subject = r.subject;
    this.rules = r.rules;
    this.role = new KubeRole(this, 'role', {
      metadata: { name: r.roleName, namespace: r.namespace },
      rules: toPolicyRules(r.rules),
    });
    this.roleBinding = new KubeRoleBinding(this, 'binding', {
      metadata: { name: r.bindingName, namespace: r.namespace },
      subjects: [r.subject.kind === 'ServiceAccount'
        ? { kind: r.subject.kind, name: r.subject.name, namespace: r.subject.namespace }
        : { kind: r.subject.kind, name: r.subject.name, apiGroup: 'rbac.authorization.k8s.io' }],
      roleRef: { kind: 'Role', name: r.roleName, apiGroup: 'rbac.authorization.k8s.io' },
    });
  }
}

const RULE_FIELDS = ['apiGroups', 'resources', 'verbs', 'resourceNames'];

function checkRules(p: Problems, field: string, rules: unknown): boolean {
  if (!Array.isArray(rules)) return p.add(field, rules, 'a list of rules');
  rules.forEach((rule, i) => checkRule(p, `${field}[${i}]`, rule));
  return true;
}

function checkRule(p: Problems, field: string, rule: unknown): void {
  if (!isPlainObject(rule)) {
    p.add(field, rule, 'a rule { apiGroups, resources, verbs, resourceNames? }');
    return;
  }
  for (const k of Object.keys(rule)) {
    if (!RULE_FIELDS.includes(k)) p.add(`${field}.${k}`, rule[k], `absent (a rule has ${RULE_FIELDS.join(', ')})`);
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
    rule.verbs.forEach((v: string, i: number) => p.oneOf(`${field}.verbs[${i}]`, v, RBAC_VERBS));
  }
  if (rule.resourceNames !== undefined) p.nonEmptyStrings(`${field}.resourceNames`, rule.resourceNames);
}
