import { describe, expect, test } from 'vitest';
import { MIRRORD_RBAC_PRESETS } from '../constructs/dev-workload/mirrord-rbac-presets';
import type { RbacRule } from '../src/rbac';
import {
  OpenHandsServiceAccount, rulesFor, sandboxSessionAccess, sandboxSessionRules,
} from '../constructs/isolation/openhands-service-account';
import { SandboxRuntime } from '../constructs/sandbox/sandbox-runtime';
import { accessNeededFor, missingAccess } from '../src/rbac';
import { errorOf, find, synthChart, synthChartYaml } from './util';

/** `verb group/resource` for every grant, sorted: rules compared by what they allow, not how they are grouped. */
const grants = (rules: readonly RbacRule[]) => rules.flatMap(r => r.apiGroups.flatMap(g => r.resources.flatMap(res => r.verbs.map(v => `${v} ${g || 'core'}/${res}`)))).sort();

describe('the session rules are derived from SandboxRuntime', () => {
  test('Ingress routing: exactly the leastPrivilege preset (get/create/delete on the four session kinds)', () => {
    expect(grants(sandboxSessionRules('Ingress'))).toEqual(grants(MIRRORD_RBAC_PRESETS.leastPrivilege));
    expect(sandboxSessionRules('Ingress')).toEqual([
      { apiGroups: [''], resources: ['persistentvolumeclaims', 'pods', 'services'], verbs: ['get', 'create', 'delete'] },
      { apiGroups: ['networking.k8s.io'], resources: ['ingresses'], verbs: ['get', 'create', 'delete'] },
    ]);
  });

  test('HTTPRoute routing: httproutes in gateway.networking.k8s.io replace ingresses', () => {
    expect(sandboxSessionRules('HTTPRoute')).toEqual([
      { apiGroups: [''], resources: ['persistentvolumeclaims', 'pods', 'services'], verbs: ['get', 'create', 'delete'] },
      { apiGroups: ['gateway.networking.k8s.io'], resources: ['httproutes'], verbs: ['get', 'create', 'delete'] },
    ]);
  });

  test('the rules cover what a session with TLS and app ports creates, and grant nothing more', () => {
    const objects = synthChart(c => new SandboxRuntime(c, 's', { sid: 'x', config: { ingressTlsSecret: 'tls' } }));
    expect(missingAccess(sandboxSessionRules(), accessNeededFor(objects))).toEqual([]);
    expect(rulesFor(accessNeededFor(objects))).toEqual(sandboxSessionRules());
  });

  test('rulesFor groups by API group and verb set, and keeps distinct verb sets apart', () => {
    expect(rulesFor([
      { apiGroup: '', resource: 'pods', verb: 'get' }, { apiGroup: '', resource: 'pods', verb: 'list' },
      { apiGroup: '', resource: 'services', verb: 'get' }, { apiGroup: 'apps', resource: 'deployments', verb: 'get' },
    ])).toEqual([
      { apiGroups: [''], resources: ['pods'], verbs: ['get', 'list'] },
      { apiGroups: [''], resources: ['services'], verbs: ['get'] },
      { apiGroups: ['apps'], resources: ['deployments'], verbs: ['get'] },
    ]);
  });

  test('the accesses are in the namespace asked for', () => {
    expect(new Set(sandboxSessionAccess('Ingress', 'sandboxes').map(a => a.namespace))).toEqual(new Set(['sandboxes']));
  });
});

describe('OpenHandsServiceAccount', () => {
  test('defaults: the openhands ServiceAccount with the server (namespace openhands), its Role and RoleBinding in the config namespace', async () => {
    const build = (c: any) => new OpenHandsServiceAccount(c, 'sa');
    const docs = synthChart(build);
    expect(find(docs, 'ServiceAccount').metadata).toEqual({ name: 'openhands', namespace: 'openhands' });
    expect(grants(find(docs, 'Role').rules)).toEqual(grants(MIRRORD_RBAC_PRESETS.leastPrivilege));
    expect(find(docs, 'RoleBinding').subjects).toEqual([{ kind: 'ServiceAccount', name: 'openhands', namespace: 'openhands' }]);
    await expect(synthChartYaml(build)).toMatchFileSnapshot('../__snapshots__/openhands-service-account-defaults.k8s.yaml');
  });

  test('a server in its own namespace, routed by HTTPRoute: the Role stays in the sandbox namespace', async () => {
    let sa!: OpenHandsServiceAccount;
    const build = (c: any) => { sa = new OpenHandsServiceAccount(c, 'sa', { config: { namespace: 'sandboxes' }, namespace: 'openhands', name: 'server', routeKind: 'HTTPRoute', roleName: 'runtime' }); };
    const docs = synthChart(build);
    expect(find(docs, 'ServiceAccount').metadata).toEqual({ name: 'server', namespace: 'openhands' });
    expect(find(docs, 'Role').metadata).toEqual({ name: 'runtime', namespace: 'sandboxes' });
    expect(find(docs, 'Role').rules).toEqual(sandboxSessionRules('HTTPRoute'));
    expect(find(docs, 'RoleBinding').roleRef).toEqual({ kind: 'Role', name: 'runtime', apiGroup: 'rbac.authorization.k8s.io' });
    expect(find(docs, 'RoleBinding').subjects).toEqual([{ kind: 'ServiceAccount', name: 'server', namespace: 'openhands' }]);
    expect(sa.username).toBe('system:serviceaccount:openhands:server');
    expect(sa.sandboxNamespace).toBe('sandboxes');
    await expect(synthChartYaml(build)).toMatchFileSnapshot('../__snapshots__/openhands-service-account-httproute.k8s.yaml');
  });

  test('bad props are refused together, one line each', () => {
    expect(errorOf(c => new OpenHandsServiceAccount(c, 'sa', { routeKind: 'Gateway' as any, namespace: 'Open_Hands', name: '' }))).toBe([
      `OpenHandsServiceAccount 'sa' (test/sa): 3 problems`,
      `  - name must be a DNS-1123 subdomain (at most 253 characters of a-z, 0-9, "-" and ".", each part starting and ending with a letter or digit), got ""`,
      `  - namespace must be a DNS-1123 label (at most 63 characters of a-z, 0-9 and "-", starting and ending with a letter or digit), got "Open_Hands"`,
      `  - routeKind must be one of "Ingress", "HTTPRoute", got "Gateway"`,
    ].join('\n'));
  });
});
