// Sandbox isolation against the real control plane: PodSecurity, ResourceQuota and LimitRanger admission,
// the RBAC authorizer as the dedicated ServiceAccount, NetworkPolicy validation; and what the accepted
// NetworkPolicies mean, evaluated by cyclonus's analyzer (no CNI enforces policies here).
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { ControlPlane, startControlPlane } from '../../tools/controlplane/controlplane';
import { OpenHandsServiceAccount, sandboxSessionAccess } from '../../constructs/isolation/openhands-service-account';
import { SandboxNamespace, podSecurityLabels } from '../../constructs/isolation/sandbox-namespace';
import { SandboxNetworkPolicies } from '../../constructs/isolation/sandbox-network-policies';
import { SandboxQuota } from '../../constructs/isolation/sandbox-quota';
import { SandboxRuntime } from '../../constructs/sandbox/sandbox-runtime';
import { multiplyQuantity, resourceQuantity } from '../../src/quantity';
import { selfSignedTlsCommands } from '../../src/tls';
import { APPLY, START_TIMEOUT, eventually, parseObjects, repoRoot, tempDir } from './helpers';
import { synthChartYaml } from '../util';

let cp: ControlPlane;

beforeAll(async () => {
  cp = await startControlPlane({ nodes: 0 });
}, START_TIMEOUT);
afterAll(async () => { await cp?.stop(); });


function session(sid: string, namespace: string, privileged = false): string {
  return synthChartYaml(c => new SandboxRuntime(c, sid, { sid, config: { namespace, privileged } }));
}

/** Only the session's Pod: PodSecurity judges Pods. */
function sessionPod(sid: string, namespace: string, privileged = false): string {
  return JSON.stringify(parseObjects(session(sid, namespace, privileged)).find(o => o.kind === 'Pod'));
}

async function apply(yaml: string): Promise<void> {
  const r = await cp.kubectl([...APPLY, '-f', '-'], { input: yaml, allowFail: true });
  expect(r.code, r.stderr).toBe(0);
}

test('the API server runs the PodSecurity, LimitRanger and ResourceQuota admission plugins', () => {
  const loaded = cp.logs('kube-apiserver').split('\n').filter(l => /Loaded \d+ (mutating|validating) admission controller/.test(l)).join('\n');
  expect(loaded).toMatch(/mutating .*LimitRanger/);
  expect(loaded).toMatch(/validating .*PodSecurity/);
  expect(loaded).toMatch(/validating .*ResourceQuota/);
});

describe('PodSecurity', () => {
  test('a privileged sandbox Pod is refused in the baseline namespace, with the server\'s reason', async () => {
    await apply(synthChartYaml(c => new SandboxNamespace(c, 'ns', { config: { namespace: 'psa-baseline' } })));
    const r = await cp.kubectl(['create', '-f', '-'], { input: sessionPod('dind', 'psa-baseline', true), allowFail: true });
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain('pods "openhands-runtime-dind" is forbidden: violates PodSecurity "baseline:latest": privileged (container "runtime" must not set securityContext.privileged=true)');
  });

  test('the same Pod is accepted once config.privileged has labelled the namespace privileged (restricted still warns)', async () => {
    await apply(synthChartYaml(c => new SandboxNamespace(c, 'ns', { config: { namespace: 'psa-privileged', privileged: true } })));
    const r = await cp.kubectl(['create', '-f', '-'], { input: sessionPod('dind', 'psa-privileged', true), allowFail: true });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/Warning: would violate PodSecurity "restricted:latest"/);
  });

  test('the unprivileged sandbox Pod passes baseline, but restricted would refuse it (why enforce stops at baseline)', async () => {
    const ok = await cp.kubectl(['create', '-f', '-'], { input: sessionPod('plain', 'psa-baseline'), allowFail: true });
    expect(ok.code, ok.stderr).toBe(0);
    const ns = { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'psa-restricted', labels: podSecurityLabels('restricted', 'restricted') } };
    await apply(JSON.stringify(ns));
    const refused = await cp.kubectl(['create', '-f', '-'], { input: sessionPod('plain', 'psa-restricted'), allowFail: true });
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toMatch(/violates PodSecurity "restricted:latest": .*runAsNonRoot != true/);
  });
});

describe('ResourceQuota and LimitRange', () => {
  const ns = 'quota';
  const quotaYaml = synthChartYaml(c => {
    new SandboxNamespace(c, 'ns', { config: { namespace: ns } });
    new SandboxQuota(c, 'quota', { config: { namespace: ns }, maxSessions: 3 });
  });

  beforeAll(async () => {
    await apply(quotaYaml);
    // Quota admission refuses everything until the quota controller has filled in status.hard.
    await eventually(async () => {
      const q = JSON.parse((await cp.kubectl(['get', 'resourcequota', 'openhands-sandboxes', '-n', ns, '-o', 'json'])).stdout);
      if (!q.status?.hard) throw new Error('quota status not computed yet');
    }, 30_000);
  });

  test('the server stores the quota exactly as synthesized (our quantities are already canonical)', async () => {
    const q = JSON.parse((await cp.kubectl(['get', 'resourcequota', 'openhands-sandboxes', '-n', ns, '-o', 'json'])).stdout);
    const ours = parseObjects(quotaYaml).find(o => o.kind === 'ResourceQuota') as any;
    expect(q.spec.hard).toEqual(ours.spec.hard);
    expect(q.status.hard).toEqual(ours.spec.hard);
  });

  test('with maxSessions 3 the fourth session is refused by quota admission; deleting one lets it in', async () => {
    for (const sid of ['s1', 's2', 's3']) {
      const r = await cp.kubectl(['create', '-f', '-'], { input: session(sid, ns), allowFail: true });
      expect(r.code, r.stderr).toBe(0);
    }
    const fourth = await cp.kubectl(['create', '-f', '-'], { input: session('s4', ns), allowFail: true });
    expect(fourth.code).not.toBe(0);
    expect(fourth.stderr).toMatch(/persistentvolumeclaims "openhands-runtime-s4-pvc" is forbidden: exceeded quota: openhands-sandboxes, requested: persistentvolumeclaims=1,requests.storage=2Gi, used: persistentvolumeclaims=3,requests.storage=6Gi, limited: persistentvolumeclaims=3,requests.storage=6Gi/);
    expect(fourth.stderr).toMatch(/pods "openhands-runtime-s4" is forbidden: exceeded quota: openhands-sandboxes, requested: limits.memory=2Gi,pods=1,requests.cpu=1,requests.memory=1Gi, used: limits.memory=6Gi,pods=3,requests.cpu=3,requests.memory=3Gi, limited: limits.memory=6Gi,pods=3,requests.cpu=3,requests.memory=3Gi/);

    const gone = await cp.kubectl(['delete', '--wait=true', '-f', '-'], { input: session('s1', ns), allowFail: true });
    expect(gone.code, gone.stderr).toBe(0);
    // The quota controller recounts after the deletion; until then admission still sees three sessions.
    await eventually(async () => {
      const r = await cp.kubectl([...APPLY, '-f', '-'], { input: session('s4', ns), allowFail: true });
      if (r.code !== 0) throw new Error(r.stderr);
    }, 60_000, 1000);
    const pods = (await cp.kubectl(['get', 'pods', '-n', ns, '-o', 'name'])).stdout.trim().split('\n').sort();
    expect(pods).toEqual(['pod/openhands-runtime-s2', 'pod/openhands-runtime-s3', 'pod/openhands-runtime-s4']);
  });

  test('a Pod created without resources gets the config\'s requests and limit from the LimitRange', async () => {
    // Its own namespace: the one above is full.
    const other = 'limit-range';
    const bare = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'bare', namespace: other }, spec: { containers: [{ name: 'c', image: 'registry.k8s.io/pause:3.10' }] } };
    await apply(synthChartYaml(c => {
      new SandboxNamespace(c, 'ns', { config: { namespace: other } });
      new SandboxQuota(c, 'quota', { config: { namespace: other }, maxSessions: 1 });
    }));
    await eventually(async () => {
      const created = await cp.kubectl(['create', '-o', 'json', '-f', '-'], { input: JSON.stringify(bare), allowFail: true });
      if (created.code !== 0) throw new Error(created.stderr);
      expect(JSON.parse(created.stdout).spec.containers[0].resources).toEqual({ requests: { cpu: '1', memory: '1Gi' }, limits: { memory: '2Gi' } });
    }, 30_000);
  });

  test('quantity products and resource amounts equal what the API server stores', async () => {
    const cases: [string, number][] = [
      ['1.5Gi', 3], ['500m', 3], ['0.5', 7], ['1e3', 3], ['100Mi', 10], ['1536Mi', 1], ['1.5', 2], ['250m', 4], ['1k', 1000],
      ['0.1Ki', 3], ['3Ti', 1024], ['1n', 3], ['7', 1], ['2G', 5], ['1.25Mi', 4], ['12E', 1], ['999m', 1], ['1e-3', 5],
      ['1500u', 3], ['0.0001', 1], ['1.5Ki', 1], ['2048', 2], ['1024Ki', 1], ['100000', 3], ['0.5Ki', 1], ['5e2', 4],
    ];
    const items = cases.map(([q, n], i) => ({
      apiVersion: 'v1', kind: 'ResourceQuota', metadata: { name: `q${i}`, namespace: 'default' },
      spec: { hard: { 'requests.memory': multiplyQuantity(q, n), 'requests.cpu': q } },
    }));
    const r = await cp.kubectl(['create', '--dry-run=server', '-o', 'yaml', '-f', '-'], { input: JSON.stringify({ apiVersion: 'v1', kind: 'List', items }) });
    const stored = parseObjects(r.stdout).map((o: any) => o.spec.hard);
    expect(stored).toEqual(cases.map(([q, n]) => ({ 'requests.memory': resourceQuantity(multiplyQuantity(q, n)), 'requests.cpu': resourceQuantity(q) })));
  });
});

describe('RBAC as the dedicated ServiceAccount', () => {
  const ns = 'rbac-sandboxes';
  const serverNs = 'openhands';
  let username: string;

  beforeAll(async () => {
    await apply(JSON.stringify({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: serverNs } }));
    await apply(synthChartYaml(c => {
      new SandboxNamespace(c, 'ns', { config: { namespace: ns } });
      username = new OpenHandsServiceAccount(c, 'sa', { config: { namespace: ns }, namespace: serverNs }).username;
    }));
  });

  /**
   * `kubectl auth can-i`, with `pods/exec` passed as `--subresource` (kubectl would read "exec" as an object
   * name). Resources the server does not serve (httproutes: no Gateway API CRDs here) cannot go through
   * kubectl's discovery, so they are asked as a SubjectAccessReview, which is what can-i sends.
   */
  async function canI(verb: string, resource: string, namespace: string, as = username): Promise<boolean> {
    const [plural, subresource] = resource.split('/');
    if (plural.endsWith('.gateway.networking.k8s.io')) {
      const review = {
        apiVersion: 'authorization.k8s.io/v1', kind: 'SubjectAccessReview',
        spec: { user: as, groups: ['system:serviceaccounts', 'system:authenticated'], resourceAttributes: { verb, group: 'gateway.networking.k8s.io', resource: plural.split('.')[0], namespace } },
      };
      return JSON.parse((await cp.kubectl(['create', '-o', 'json', '-f', '-'], { input: JSON.stringify(review) })).stdout).status.allowed === true;
    }
    const args = ['auth', 'can-i', verb, plural, ...(subresource ? [`--subresource=${subresource}`] : []), '-n', namespace, `--as=${as}`];
    const r = await cp.kubectl(args, { allowFail: true });
    return r.stdout.trim() === 'yes';
  }

  test('can-i matrix: every derived need is allowed, nothing else is', async () => {
    const matrix: [string, string, string, boolean][] = [
      ...sandboxSessionAccess('Ingress').map(a => [a.verb, a.apiGroup ? `${a.resource}.${a.apiGroup}` : a.resource, ns, true] as [string, string, string, boolean]),
      ['get', 'secrets', ns, false], ['list', 'secrets', ns, false], ['create', 'pods/exec', ns, false],
      ['create', 'pods/portforward', ns, false], ['get', 'pods/log', ns, false], ['list', 'pods', ns, false],
      ['watch', 'pods', ns, false], ['patch', 'pods', ns, false], ['update', 'pods', ns, false],
      ['create', 'networkpolicies.networking.k8s.io', ns, false], ['delete', 'resourcequotas', ns, false],
      ['create', 'httproutes.gateway.networking.k8s.io', ns, false], ['create', 'rolebindings.rbac.authorization.k8s.io', ns, false],
      ['create', 'pods', 'default', false], ['create', 'pods', serverNs, false], ['get', 'secrets', serverNs, false],
    ];
    const got = [];
    for (const [verb, resource, namespace] of matrix) got.push([verb, resource, namespace, await canI(verb, resource, namespace)]);
    expect(got).toEqual(matrix);
  });

  test('the ServiceAccount creates, reads and deletes a whole session; a session elsewhere is forbidden', async () => {
    const yaml = session('rbac1', ns);
    const created = await cp.kubectl(['create', `--as=${username}`, '-f', '-'], { input: yaml, allowFail: true });
    expect(created.code, created.stderr).toBe(0);
    for (const o of parseObjects(yaml)) {
      const got = await cp.kubectl(['get', `--as=${username}`, '-n', ns, o.kind.toLowerCase(), o.metadata.name], { allowFail: true });
      expect(got.code, got.stderr).toBe(0);
    }
    const deleted = await cp.kubectl(['delete', `--as=${username}`, '--wait=false', '-f', '-'], { input: yaml, allowFail: true });
    expect(deleted.code, deleted.stderr).toBe(0);
    const elsewhere = await cp.kubectl(['create', `--as=${username}`, '-f', '-'], { input: session('rbac2', 'default'), allowFail: true });
    expect(elsewhere.code).not.toBe(0);
    expect(elsewhere.stderr).toContain(`persistentvolumeclaims is forbidden: User "${username}" cannot create resource "persistentvolumeclaims" in API group "" in the namespace "default"`);
  });

  test('reading a Secret is refused by the server', async () => {
    await cp.kubectl(['create', 'secret', 'generic', 'llm-key', '-n', ns, '--from-literal=key=sk-test']);
    const r = await cp.kubectl(['get', 'secret', 'llm-key', '-n', ns, `--as=${username}`], { allowFail: true });
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain(`secrets "llm-key" is forbidden: User "${username}" cannot get resource "secrets" in API group "" in the namespace "${ns}"`);
  });

  test('with routeKind HTTPRoute the Role grants httproutes instead of ingresses', async () => {
    const other = 'rbac-gateway';
    let user = '';
    await apply(synthChartYaml(c => {
      new SandboxNamespace(c, 'ns', { config: { namespace: other } });
      user = new OpenHandsServiceAccount(c, 'sa', { config: { namespace: other }, routeKind: 'HTTPRoute' }).username;
    }));
    expect(await canI('create', 'httproutes.gateway.networking.k8s.io', other, user)).toBe(true);
    expect(await canI('delete', 'httproutes.gateway.networking.k8s.io', other, user)).toBe(true);
    expect(await canI('create', 'ingresses.networking.k8s.io', other, user)).toBe(false);
  });
});

describe('NetworkPolicies', () => {
  const ns = 'netpol-sandboxes';
  // Built before the suite (global-setup.ts, or CI's own step): only looked up here.
  beforeAll(() => { cyclonus = cyclonusBinary(); });
  // The server peer left to its default: the placement the stacks use (the server in its own namespace).
  const policies = synthChartYaml(c => new SandboxNetworkPolicies(c, 'np', {
    config: { namespace: ns },
    clusterCidrs: ['10.96.0.0/12', '192.0.2.0/24', 'fd00:10:96::/112'],
  }));

  test('the API server accepts the policies as synthesized', async () => {
    await apply(synthChartYaml(c => new SandboxNamespace(c, 'ns', { config: { namespace: ns } })));
    await apply(policies);
    const stored = JSON.parse((await cp.kubectl(['get', 'networkpolicies', '-n', ns, '-o', 'json'])).stdout).items;
    const byName = (list: any[]) => Object.fromEntries(list.map(o => [o.metadata.name, o.spec]));
    expect(byName(stored)).toEqual(byName(parseObjects(policies)));
  });

  test('the server refuses a CIDR with bits beyond its prefix, as the construct does', async () => {
    const bad = parseObjects(policies).find(o => o.metadata.name.endsWith('allow-internet')) as any;
    bad.spec.egress[0].to[0].ipBlock.except = ['10.0.0.1/8'];
    const r = await cp.kubectl(['create', '--dry-run=server', '-f', '-'], { input: JSON.stringify(bad), allowFail: true });
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain('must not have bits set beyond the prefix length');
  });

  test('cyclonus evaluates the stored policies to the expected allow/deny table', async () => {
    const stored = JSON.parse((await cp.kubectl(['get', 'networkpolicies', '-n', ns, '-o', 'json'])).stdout).items;
    const got = analyze(stored, TRAFFIC.map(t => t.traffic));
    expect(TRAFFIC.map((t, i) => `${t.name}: ${got[i] ? 'allowed' : 'denied'}`)).toEqual(TRAFFIC.map(t => `${t.name}: ${t.allowed ? 'allowed' : 'denied'}`));
  });

  test('without the policies cyclonus allows everything (the table can fail)', () => {
    expect(analyze([], TRAFFIC.map(t => t.traffic)).every(Boolean)).toBe(true);
  });
});

test('the README\'s self-signed TLS recipe makes a kubernetes.io/tls Secret the session Ingress can name', async () => {
  const dir = tempDir('local-hands-tls-');
  const [openssl, create] = selfSignedTlsCommands({ name: 'sandbox-tls', namespace: 'default' }, ['*.localhost', 'localhost']);
  const made = spawnSync('sh', ['-c', openssl], { cwd: dir, encoding: 'utf8' });
  expect(made.status, made.stderr).toBe(0);
  const args = create.split(' ').slice(1).map(a => a.replace(/^--cert=/, `--cert=${dir}/`).replace(/^--key=/, `--key=${dir}/`));
  await cp.kubectl(args);
  const secret = JSON.parse((await cp.kubectl(['get', 'secret', 'sandbox-tls', '-n', 'default', '-o', 'json'])).stdout);
  expect(secret.type).toBe('kubernetes.io/tls');
  expect(Object.keys(secret.data).sort()).toEqual(['tls.crt', 'tls.key']);
  const ingress = synthChartYaml(c => new SandboxRuntime(c, 's', { sid: 'tls1', config: { ingressTlsSecret: 'sandbox-tls' } }));
  await apply(ingress);
  fs.rmSync(dir, { recursive: true, force: true });
});

// ---------------------------------------------------------------- cyclonus

interface Peer { IP: string; Internal?: { Namespace: string; NamespaceLabels: Record<string, string>; PodLabels: Record<string, string> } }
const pod = (namespace: string, labels: Record<string, string>, ip: string): Peer => ({
  IP: ip, Internal: { Namespace: namespace, NamespaceLabels: { 'kubernetes.io/metadata.name': namespace }, PodLabels: labels },
});
const external = (ip: string): Peer => ({ IP: ip });
const SANDBOX_A = pod('netpol-sandboxes', { app: 'openhands-runtime', session: 'a' }, '10.244.1.10');
const SANDBOX_B = pod('netpol-sandboxes', { app: 'openhands-runtime', session: 'b' }, '10.244.1.11');
const CONTROLLER = pod('ingress-nginx', { 'app.kubernetes.io/name': 'ingress-nginx' }, '10.244.2.5');
const SERVER = pod('openhands', { app: 'openhands' }, '10.244.3.7');
const KUBE_DNS = pod('kube-system', { 'k8s-app': 'kube-dns' }, '10.244.0.3');
const NEIGHBOUR = pod('netpol-sandboxes', { app: 'something-else' }, '10.244.1.20');
const OTHER_NS = pod('team-b', { app: 'db' }, '10.244.4.4');
const OLD_SERVER = pod('netpol-sandboxes', { app: 'openhands' }, '10.244.1.30');
const SERVER_NEIGHBOUR = pod('openhands', { app: 'something-else' }, '10.244.3.8');
const to = (Source: Peer, Destination: Peer, ResolvedPort: number, Protocol = 'TCP') => ({ Source, Destination, ResolvedPort, Protocol });

const TRAFFIC: { name: string; allowed: boolean; traffic: object }[] = [
  { name: 'controller -> sandbox:8081 (VS Code)', allowed: true, traffic: to(CONTROLLER, SANDBOX_A, 8081) },
  { name: 'controller -> sandbox:8080 (action server)', allowed: false, traffic: to(CONTROLLER, SANDBOX_A, 8080) },
  { name: 'controller -> sandbox:30082 (app port not exposed)', allowed: false, traffic: to(CONTROLLER, SANDBOX_A, 30082) },
  { name: 'server -> sandbox:8080', allowed: true, traffic: to(SERVER, SANDBOX_A, 8080) },
  { name: 'server -> sandbox:8081', allowed: false, traffic: to(SERVER, SANDBOX_A, 8081) },
  { name: 'other pod in the sandbox namespace -> sandbox:8080', allowed: false, traffic: to(NEIGHBOUR, SANDBOX_A, 8080) },
  { name: 'a server Pod in the sandbox namespace (the old placement) -> sandbox:8080', allowed: false, traffic: to(OLD_SERVER, SANDBOX_A, 8080) },
  { name: 'another Pod of the server namespace -> sandbox:8080', allowed: false, traffic: to(SERVER_NEIGHBOUR, SANDBOX_A, 8080) },
  { name: 'another namespace -> a Pod of the sandbox namespace that is no sandbox (namespace-wide deny)', allowed: false, traffic: to(OTHER_NS, NEIGHBOUR, 80) },
  { name: 'controller -> a Pod of the sandbox namespace that is no sandbox', allowed: false, traffic: to(CONTROLLER, NEIGHBOUR, 8081) },
  { name: 'a Pod of the sandbox namespace that is no sandbox -> internet', allowed: false, traffic: to(NEIGHBOUR, external('93.184.216.34'), 443) },
  { name: 'a Pod of the sandbox namespace that is no sandbox -> kube-dns:53/UDP', allowed: false, traffic: to(NEIGHBOUR, KUBE_DNS, 53, 'UDP') },
  { name: 'sandbox -> other sandbox:8080', allowed: false, traffic: to(SANDBOX_B, SANDBOX_A, 8080) },
  { name: 'sandbox -> other sandbox:8081', allowed: false, traffic: to(SANDBOX_B, SANDBOX_A, 8081) },
  { name: 'sandbox -> kube-dns:53/UDP', allowed: true, traffic: to(SANDBOX_A, KUBE_DNS, 53, 'UDP') },
  { name: 'sandbox -> kube-dns:53/TCP', allowed: true, traffic: to(SANDBOX_A, KUBE_DNS, 53) },
  { name: 'sandbox -> kube-dns:9153 (metrics)', allowed: false, traffic: to(SANDBOX_A, KUBE_DNS, 9153) },
  { name: 'sandbox -> server pod', allowed: false, traffic: to(SANDBOX_A, SERVER, 3000) },
  { name: 'sandbox -> pod in another namespace', allowed: false, traffic: to(SANDBOX_A, OTHER_NS, 5432) },
  { name: 'sandbox -> API server Service 10.96.0.1:443', allowed: false, traffic: to(SANDBOX_A, external('10.96.0.1'), 443) },
  { name: 'sandbox -> API server endpoint 172.18.0.2:6443 (KIND node)', allowed: false, traffic: to(SANDBOX_A, external('172.18.0.2'), 6443) },
  { name: 'sandbox -> cloud metadata 169.254.169.254:80', allowed: false, traffic: to(SANDBOX_A, external('169.254.169.254'), 80) },
  { name: 'sandbox -> cluster CIDR 192.0.2.10 (clusterCidrs)', allowed: false, traffic: to(SANDBOX_A, external('192.0.2.10'), 80) },
  { name: 'sandbox -> IPv6 service fd00:10:96::1', allowed: false, traffic: to(SANDBOX_A, external('fd00:10:96::1'), 443) },
  { name: 'sandbox -> internet 93.184.216.34:443', allowed: true, traffic: to(SANDBOX_A, external('93.184.216.34'), 443) },
  { name: 'sandbox -> internet [2606:4700::1111]:443', allowed: true, traffic: to(SANDBOX_A, external('2606:4700::1111'), 443) },
  { name: 'internet -> sandbox:8081', allowed: false, traffic: to(external('93.184.216.34'), SANDBOX_A, 8081) },
];

let cyclonus = '';

function cyclonusBinary(): string {
  const r = spawnSync(process.execPath, [path.join(repoRoot, 'tools', 'cyclonus', 'build.mjs'), '--check'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  if (r.status !== 0) throw new Error('cyclonus is not built: run `npm run cyclonus:build`');
  return r.stdout.trim();
}

/** Whether each traffic is allowed by the policies, per `cyclonus analyze --mode query-traffic`. */
function analyze(policies: object[], traffic: object[]): boolean[] {
  const dir = tempDir('local-hands-cyclonus-');
  const policyDir = path.join(dir, 'policies');
  fs.mkdirSync(policyDir);
  // cyclonus reads one policy per file.
  policies.forEach((p, i) => fs.writeFileSync(path.join(policyDir, `${i}.json`), JSON.stringify(p)));
  fs.writeFileSync(path.join(dir, 'traffic.json'), JSON.stringify(traffic));
  const r = spawnSync(cyclonus, ['analyze', '--mode', 'query-traffic', '--policy-path', policyDir, '--traffic-path', path.join(dir, 'traffic.json')], { encoding: 'utf8', timeout: 60_000 });
  fs.rmSync(dir, { recursive: true, force: true });
  if (r.status !== 0) throw new Error(`cyclonus failed: ${r.stderr}`);
  const verdicts = [...r.stdout.matchAll(/IS ALLOWED\? \|\s+(TRUE|FALSE)\s/g)].map(m => m[1] === 'TRUE');
  if (verdicts.length !== traffic.length) throw new Error(`cyclonus answered ${verdicts.length} of ${traffic.length} traffics:\n${r.stdout}`);
  return verdicts;
}
