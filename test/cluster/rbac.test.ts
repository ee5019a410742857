/**
 * RBAC of dist/ through the real authorizer (Node,RBAC in kube-apiserver):
 * `kubectl auth can-i --as=<service account>` after applying the manifests.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startControlPlane, type ControlPlane } from '../../tools/controlplane/controlplane';
import { APPLY, K8sObject, START_TIMEOUT, loadObjects, manifestsDir, mapLimit } from './helpers';

interface Rule {
  apiGroups?: string[];
  resources?: string[];
  verbs: string[];
}

interface Check {
  verb: string;
  resource: string; // resource[.group], as kubectl auth can-i takes it
  subresource?: string;
  namespace?: string; // undefined = --all-namespaces / cluster scope
  want: boolean;
}

function fmt(c: Check): string {
  return `${c.verb} ${c.resource}${c.subresource ? `/${c.subresource}` : ''} ${c.namespace ? `-n ${c.namespace}` : '(cluster-wide)'}`;
}

/** Checks that the server's answers equal what we want; reports every mismatch at once. */
async function expectCanI(cp: ControlPlane, as: string, checks: Check[]): Promise<void> {
  const answers = await mapLimit(checks, 4, async (c) => {
    const args = ['auth', 'can-i', c.verb, c.resource, `--as=${as}`];
    if (c.subresource) args.push(`--subresource=${c.subresource}`);
    args.push(...(c.namespace ? ['-n', c.namespace] : ['--all-namespaces']));
    const r = await cp.kubectl(args, { allowFail: true });
    const answer = r.stdout.trim();
    if (answer !== 'yes' && answer !== 'no') throw new Error(`kubectl ${args.join(' ')}: ${r.stderr}`);
    return answer === 'yes';
  });
  const wrong = checks.filter((c, i) => answers[i] !== c.want).map((c) => `${c.want ? 'denied' : 'allowed'}: ${fmt(c)}`);
  expect(wrong, `as ${as}`).toEqual([]);
}

function resourceOf(group: string, resource: string): { resource: string; subresource?: string } {
  const [res, sub] = resource.split('/');
  return { resource: group ? `${res}.${group}` : res, subresource: sub };
}

describe('RBAC of dist/ through the real authorizer', () => {
  let cp: ControlPlane;
  const objects = loadObjects(manifestsDir());

  beforeAll(async () => {
    cp = await startControlPlane({ nodes: 0 });
    await cp.kubectl([...APPLY, '-f', manifestsDir()]);
  }, START_TIMEOUT);

  afterAll(async () => {
    await cp?.stop();
  });

  /** The Role that dist binds to ServiceAccount default/default (MirrordRbac), read from dist. */
  function mirrordRole(): K8sObject & { rules: Rule[] } {
    const binding = objects.find(
      (o) =>
        o.kind === 'RoleBinding' &&
        ((o.subjects as any[]) ?? []).some((s) => s.kind === 'ServiceAccount' && s.name === 'default' && (s.namespace ?? o.metadata.namespace) === 'default'),
    );
    expect(binding, 'a RoleBinding for ServiceAccount default/default').toBeDefined();
    const ref = binding!.roleRef as { kind: string; name: string };
    expect(ref.kind).toBe('Role');
    const role = objects.find(
      (o) => o.kind === 'Role' && o.metadata.name === ref.name && (o.metadata.namespace ?? 'default') === (binding!.metadata.namespace ?? 'default'),
    );
    expect(role, `Role ${ref.name}`).toBeDefined();
    return role as K8sObject & { rules: Rule[] };
  }

  it('default/default can do exactly what the mirrord Role grants, in its namespace', async () => {
    const role = mirrordRole();
    const ns = role.metadata.namespace ?? 'default';
    const as = `system:serviceaccount:default:default`;
    const allowed: Check[] = [];
    const denied: Check[] = [];
    for (const rule of role.rules) {
      for (const group of rule.apiGroups ?? ['']) {
        for (const resource of rule.resources ?? []) {
          const r = resourceOf(group, resource);
          for (const verb of rule.verbs) {
            allowed.push({ verb, ...r, namespace: ns, want: true });
            // The same grant does not reach another namespace or the whole cluster.
            denied.push({ verb, ...r, namespace: 'kube-system', want: false });
            denied.push({ verb, ...r, namespace: undefined, want: false });
          }
          for (const verb of ['patch', 'deletecollection', 'get', 'list', 'create', 'update', 'delete', 'watch']) {
            if (!rule.verbs.includes(verb) && !rule.verbs.includes('*')) denied.push({ verb, ...r, namespace: ns, want: false });
          }
        }
      }
    }
    expect(allowed.length).toBeGreaterThan(10);
    // Things the Role never mentions.
    for (const verb of ['get', 'list', 'watch', 'create']) {
      denied.push({ verb, resource: 'secrets', namespace: ns, want: false });
      denied.push({ verb, resource: 'configmaps', namespace: ns, want: false });
      denied.push({ verb, resource: 'deployments.apps', namespace: ns, want: false });
    }
    denied.push({ verb: 'create', resource: 'rolebindings.rbac.authorization.k8s.io', namespace: ns, want: false });
    denied.push({ verb: 'list', resource: 'nodes', namespace: undefined, want: false });
    await expectCanI(cp, as, [...allowed, ...denied]);
  });

  it('the ingress-nginx controller can list and watch ingresses and services cluster-wide', async () => {
    const as = 'system:serviceaccount:ingress-nginx:ingress-nginx';
    await expectCanI(cp, as, [
      { verb: 'list', resource: 'ingresses.networking.k8s.io', want: true },
      { verb: 'watch', resource: 'ingresses.networking.k8s.io', want: true },
      { verb: 'list', resource: 'services', want: true },
      { verb: 'watch', resource: 'services', want: true },
      { verb: 'list', resource: 'ingressclasses.networking.k8s.io', want: true },
      { verb: 'list', resource: 'endpointslices.discovery.k8s.io', want: true },
      { verb: 'update', resource: 'ingresses.networking.k8s.io', subresource: 'status', want: true },
      // ... but it cannot change ingresses or services, nor touch webhooks.
      { verb: 'create', resource: 'ingresses.networking.k8s.io', want: false },
      { verb: 'delete', resource: 'services', want: false },
      { verb: 'update', resource: 'validatingwebhookconfigurations.admissionregistration.k8s.io', want: false },
    ]);
  });

  it('the admission ServiceAccount can only get and update validatingwebhookconfigurations cluster-wide', async () => {
    const as = 'system:serviceaccount:ingress-nginx:ingress-nginx-admission';
    const vwc = 'validatingwebhookconfigurations.admissionregistration.k8s.io';
    await expectCanI(cp, as, [
      { verb: 'get', resource: vwc, want: true },
      { verb: 'update', resource: vwc, want: true },
      { verb: 'create', resource: vwc, want: false },
      { verb: 'delete', resource: vwc, want: false },
      { verb: 'patch', resource: vwc, want: false },
      { verb: 'list', resource: 'mutatingwebhookconfigurations.admissionregistration.k8s.io', want: false },
      { verb: 'list', resource: 'pods', want: false },
      { verb: 'list', resource: 'secrets', want: false },
      { verb: 'get', resource: 'secrets', want: false },
      { verb: 'list', resource: 'services', want: false },
      { verb: 'list', resource: 'nodes', want: false },
      { verb: 'list', resource: 'namespaces', want: false },
      { verb: 'list', resource: 'ingresses.networking.k8s.io', want: false },
      { verb: 'create', resource: 'clusterrolebindings.rbac.authorization.k8s.io', want: false },
    ]);
  });
});
