import * as path from 'path';
import { describe, expect, test } from 'vitest';
import { MIRRORD_RBAC_PRESETS, MirrordRbac, MirrordRbacProps } from '../index';
import { REFERENCE, byKey, errorOf, find, readDocs, synthChart, synthChartYaml } from './util';

const MANIFESTS = path.join(REFERENCE, 'openhands-kind', 'manifests');

describe('MirrordRbac', () => {
  test('defaults equal upstream role.yaml and roleBinding.yaml as parsed data', () => {
    const expected = [...readDocs(path.join(MANIFESTS, 'role.yaml')), ...readDocs(path.join(MANIFESTS, 'roleBinding.yaml'))];
    expect(byKey(synthChart(c => new MirrordRbac(c, 'mirrord')))).toEqual(byKey(expected));
  });

  test('with no props the Role is upstream\'s, bound to default/default (snapshot)', async () => {
    const docs = synthChart(c => new MirrordRbac(c, 'mirrord'));
    expect(find(docs, 'Role').rules).toEqual(MIRRORD_RBAC_PRESETS.openhands);
    expect(find(docs, 'RoleBinding').subjects).toEqual([{ kind: 'ServiceAccount', name: 'default', namespace: 'default' }]);
    await expect(synthChartYaml(c => new MirrordRbac(c, 'mirrord'))).toMatchFileSnapshot('../__snapshots__/mirrord-rbac-defaults.k8s.yaml');
  });

  test('namespace, names, subject and extra rules', async () => {
    const build = (c: any) => new MirrordRbac(c, 'mirrord', {
      namespace: 'sandboxes',
      roleName: 'runtime',
      bindingName: 'runtime-binding',
      subject: { name: 'openhands', namespace: 'openhands' },
      preset: 'leastPrivilege',
      extraRules: [{ apiGroups: [''], resources: ['configmaps'], verbs: ['get'], resourceNames: ['settings'] }],
    });
    const docs = synthChart(build);
    const role = find(docs, 'Role');
    expect(role.metadata).toEqual({ name: 'runtime', namespace: 'sandboxes' });
    expect(role.rules).toEqual([...MIRRORD_RBAC_PRESETS.leastPrivilege, { apiGroups: [''], resources: ['configmaps'], verbs: ['get'], resourceNames: ['settings'] }]);
    const binding = find(docs, 'RoleBinding');
    expect(binding.subjects).toEqual([{ kind: 'ServiceAccount', name: 'openhands', namespace: 'openhands' }]);
    expect(binding.roleRef).toEqual({ kind: 'Role', name: 'runtime', apiGroup: 'rbac.authorization.k8s.io' });
    await expect(synthChartYaml(build)).toMatchFileSnapshot('../__snapshots__/mirrord-rbac-every-prop.k8s.yaml');
  });

  test('a user or group subject carries the RBAC API group and no namespace', () => {
    const binding = find(synthChart(c => new MirrordRbac(c, 'm', { subject: { kind: 'User', name: 'dev@example.com' } })), 'RoleBinding');
    expect(binding.subjects).toEqual([{ kind: 'User', name: 'dev@example.com', apiGroup: 'rbac.authorization.k8s.io' }]);
  });

  test('the ServiceAccount subject defaults to the Role namespace', () => {
    const binding = find(synthChart(c => new MirrordRbac(c, 'm', { namespace: 'dev' })), 'RoleBinding');
    expect(binding.subjects).toEqual([{ kind: 'ServiceAccount', name: 'default', namespace: 'dev' }]);
  });

  test('mirrordCli preset grants what the mirrord CLI needs without its operator', () => {
    const role = find(synthChart(c => new MirrordRbac(c, 'm', { preset: 'mirrordCli' })), 'Role');
    const grants = role.rules.flatMap((r: any) => r.resources.flatMap((res: string) => r.verbs.map((v: string) => `${v} ${r.apiGroups[0] || 'core'}/${res}`)));
    expect(grants.sort()).toEqual([
      'create batch/jobs', 'create core/pods/portforward', 'get apps/deployments', 'get core/pods/ephemeralcontainers',
      'get core/pods/log', 'get core/pods/portforward', 'list core/pods', 'update core/pods/ephemeralcontainers', 'watch core/pods',
    ]);
  });

  test('handles expose the Role, the binding and the rules', () => {
    let rbac!: MirrordRbac;
    synthChart(c => { rbac = new MirrordRbac(c, 'm'); });
    expect(rbac.role.name).toBe('mirrord-role');
    expect(rbac.roleBinding.name).toBe('mirrord-binding');
    expect(rbac.rules).toEqual(MIRRORD_RBAC_PRESETS.openhands);
  });
});

const rbac = (props: any) => errorOf(s => new MirrordRbac(s, 'mirrord', props as MirrordRbacProps));

// Each case: the props, and what the message must say (field, bad value, what is allowed).
const BAD_PROPS: [string, () => string, RegExp][] = [
  ['unknown prop', () => rbac({ roleNmae: 'x' }), /roleNmae must be absent: MirrordRbac has no prop "roleNmae"/],
  ['verb', () => rbac({ extraRules: [{ apiGroups: [''], resources: ['secrets'], verbs: ['read'] }] }), /extraRules\[0\]\.verbs\[0\] must be one of "get", .*, got "read"/],
  ['empty resources', () => rbac({ extraRules: [{ apiGroups: [''], resources: [], verbs: ['get'] }] }), /extraRules\[0\]\.resources must be a non-empty list of strings, got \[\]/],
  ['namespace', () => rbac({ namespace: 'Default' }), /namespace must be a DNS-1123 label .*, got "Default"/],
  ['subject namespace', () => rbac({ subject: { name: 'runner', namespace: 'a_b' } }), /subject\.namespace must be a DNS-1123 label .*, got "a_b"/],
  ['preset', () => rbac({ preset: 'admin' }), /preset must be one of "openhands", "leastPrivilege", "leastPrivilegeHttpRoute", "mirrordCli", got "admin"/],
];

describe('bad props fail at synth time with the construct path, the field, the value and what is allowed', () => {
  test.each(BAD_PROPS)('%s', (_name, run, pattern) => {
    const message = run();
    expect(message).toMatch(pattern);
    expect(message).toMatch(/^MirrordRbac 'mirrord' \(test\/mirrord\): /);
  });
});
