/**
 * The gateway profile on a real control plane: `npm run synth -- --profile gateway`'s folder applies in one
 * server-side pass with strict field validation (CRDs included), a second apply changes nothing, Traefik becomes
 * Available on the kwok node; a session as the server's Kubernetes runtime creates it (an Ingress without a class)
 * is created by the OpenHands ServiceAccount and given the profile's default IngressClass by the API server, and its
 * VS Code Service gets an endpoint for the session Pod's named port from the real EndpointSlice controller; that
 * ServiceAccount can do nothing else. A session's HTTPRoute meets the Gateway API CRDs' CEL rules.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { App, Chart } from 'cdk8s';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { addGatewayStack, GATEWAY_SANDBOX_NAMESPACE } from '../../app/gateway-stack';
import { PROFILES } from '../../app/profiles';
import { renderCharts, synthToDir } from '../../app/synth';
import { SandboxRuntime } from '../../constructs/sandbox/sandbox-runtime';
import { startControlPlane, type ControlPlane } from '../../tools/controlplane/controlplane';
import { secondApplyChanges } from '../../tools/controlplane/second-apply';
import { APPLY, START_TIMEOUT, eventually, loadObjects, parseObjects, tempDir } from './helpers';

const NS = GATEWAY_SANDBOX_NAMESPACE;

/**
 * A session rendered beside the gateway stack: as the server's runtime creates it (an Ingress without a class), or
 * with an HTTPRoute attached to the stack's Traefik (so the synth-time cross-checks run against the real Gateway).
 */
function sessionYaml(sid: string, route: 'Ingress' | 'HTTPRoute' = 'Ingress'): string {
  const app = new App({ outdir: '/nonexistent' });
  const stack = addGatewayStack(app);
  const chart = new Chart(app, 'session');
  new SandboxRuntime(chart, 'session', route === 'Ingress'
    ? { sid, config: stack.config, ingressClassName: false }
    : { sid, config: stack.config, route: { kind: 'HTTPRoute', gateway: stack.traefik } });
  return renderCharts(app).find(f => f.name === 'session.k8s.yaml')!.text;
}

describe('the gateway profile on a real control plane', () => {
  let cp: ControlPlane;
  const root = tempDir('local-hands-gateway-');
  const dist = path.join(root, 'dist');
  synthToDir(PROFILES.gateway.build, dist, path.join(root, 'kind'));
  // The server's ServiceAccount lives with the server, in its own namespace.
  const as = addGatewayStack(new App({ outdir: '/nonexistent' })).serviceAccount.username;
  const SERVER_NS = 'openhands';

  beforeAll(async () => {
    cp = await startControlPlane({ nodes: 1 });
  }, START_TIMEOUT);

  afterAll(async () => {
    await cp?.stop();
    fs.rmSync(root, { recursive: true, force: true });
  });

  it('the CRD files sort first in dist/', () => {
    const files = fs.readdirSync(dist).filter(f => f.endsWith('.yaml')).sort();
    expect(files.slice(0, 2)).toEqual(['crds-gateway-api.k8s.yaml', 'crds-traefik.k8s.yaml']);
  });

  it('one `kubectl apply -f dist` cannot create a CRD and its objects: kubectl maps every object before applying any', async () => {
    // This is why the profile's CRDs have files of their own, sorted first: the apply recipe takes them in a pass of
    // their own. Here, the whole folder in one go: the CRDs are created, the Gateway and GatewayClass are not.
    const r = await cp.kubectl([...APPLY, '--dry-run=server', '-f', dist], { allowFail: true, timeoutMs: 180_000 });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/no matches for kind "Gateway" in version "gateway\.networking\.k8s\.io\/v1"\nensure CRDs are installed first/);
  });

  it('applies in two server-side passes with strict validation: the crds-* files, then the folder', async () => {
    const objects = loadObjects(dist);
    expect(objects.map(o => o.kind)).toEqual(expect.arrayContaining(['CustomResourceDefinition', 'Gateway', 'GatewayClass', 'ValidatingAdmissionPolicy', 'NetworkPolicy', 'ResourceQuota']));
    const crdFiles = fs.readdirSync(dist).filter(f => f.startsWith('crds-')).sort().map(f => path.join(dist, f));
    const crds = await cp.kubectl([...APPLY, ...crdFiles.flatMap(f => ['-f', f])], { allowFail: true, timeoutMs: 180_000 });
    expect({ code: crds.code, stderr: crds.stderr }).toEqual({ code: 0, stderr: '' });
    await cp.kubectl(['wait', '--for=condition=Established', 'crd', '--all', '--timeout=60s'], { timeoutMs: 90_000 });
    const r = await cp.kubectl([...APPLY, '-f', dist], { allowFail: true, timeoutMs: 180_000 });
    expect({ code: r.code, stderr: r.stderr }).toEqual({ code: 0, stderr: '' });
    const lines = r.stdout.trim().split('\n');
    expect(lines).toHaveLength(objects.length);
    for (const l of lines) expect(l).toMatch(/serverside-applied$/);
  });

  it('a second apply changes nothing we own', async () => {
    expect(await secondApplyChanges(cp, [dist], 'local-hands')).toEqual([]);
  });

  it("Traefik's Deployment becomes Available on the simulated node", async () => {
    await cp.kubectl(['-n', 'traefik', 'wait', '--for=condition=Available', 'deployment/traefik', '--timeout=180s'], { timeoutMs: 200_000 });
    const pods = JSON.parse((await cp.kubectl(['-n', 'traefik', 'get', 'pods', '-o', 'json'])).stdout).items;
    expect(pods.map((p: any) => p.spec.nodeName)).toEqual([cp.nodes[0]]);
  });

  it('the ServiceAccount is the server\'s, in the server\'s namespace', () => {
    expect(as).toBe(`system:serviceaccount:${SERVER_NS}:openhands`);
  });

  it('the server runs: PodSecurity (restricted) admits its Pod, the Deployment becomes Available on the simulated node, its Service gets the endpoint', async () => {
    const ns = JSON.parse((await cp.kubectl(['get', 'namespace', SERVER_NS, '-o', 'json'])).stdout);
    expect(ns.metadata.labels['pod-security.kubernetes.io/enforce']).toBe('restricted');
    // No provisioner runs here: a static volume lets the state claim bind, so the Pod can schedule.
    await cp.kubectl(['apply', '-f', '-'], { input: stringify({
      apiVersion: 'v1', kind: 'PersistentVolume', metadata: { name: 'openhands-state' },
      spec: { capacity: { storage: '10Gi' }, accessModes: ['ReadWriteOnce'], hostPath: { path: '/tmp/openhands-state' }, persistentVolumeReclaimPolicy: 'Delete' },
    }) });
    await cp.kubectl(['-n', SERVER_NS, 'wait', '--for=condition=Available', 'deployment/openhands', '--timeout=180s'], { timeoutMs: 200_000 });
    const deployment = JSON.parse((await cp.kubectl(['-n', SERVER_NS, 'get', 'deployment', 'openhands', '-o', 'json'])).stdout);
    const pods = JSON.parse((await cp.kubectl(['-n', SERVER_NS, 'get', 'pods', '-l', 'app=openhands', '-o', 'json'])).stdout).items;
    expect(pods.map((p: any) => [p.spec.serviceAccountName, p.spec.nodeName])).toEqual([['openhands', cp.nodes[0]]]);
    // The template as a bare Pod, judged by PodSecurity without a warning; the same Pod made privileged is refused.
    const pod = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'psa-probe', namespace: SERVER_NS }, spec: deployment.spec.template.spec };
    const admitted = await cp.kubectl(['create', '--dry-run=server', '-f', '-'], { input: JSON.stringify(pod), allowFail: true });
    expect({ code: admitted.code, stderr: admitted.stderr }).toEqual({ code: 0, stderr: '' });
    pod.spec.containers[0].securityContext = { privileged: true };
    const refused = await cp.kubectl(['create', '--dry-run=server', '-f', '-'], { input: JSON.stringify(pod), allowFail: true });
    expect(refused.stderr).toContain('violates PodSecurity "restricted:latest"');
    const slice = await eventually(async () => {
      const slices = JSON.parse((await cp.kubectl(['-n', SERVER_NS, 'get', 'endpointslices', '-l', 'kubernetes.io/service-name=openhands', '-o', 'json'])).stdout).items;
      const ready = slices.find((x: any) => (x.endpoints ?? []).some((e: any) => e.conditions?.ready));
      if (!ready) throw new Error(`no ready endpoint yet: ${JSON.stringify(slices)}`);
      return ready;
    }, 120_000, 1_000);
    expect(slice.ports).toEqual([{ name: 'http', port: 3000, protocol: 'TCP' }]);
  });

  it("the server's HTTPRoute is accepted by the API server as attached to the profile's Gateway on its listener", async () => {
    const route = JSON.parse((await cp.kubectl(['-n', SERVER_NS, 'get', 'httproute', 'openhands', '-o', 'json'])).stdout);
    expect(route.spec.parentRefs).toEqual([{ group: 'gateway.networking.k8s.io', kind: 'Gateway', name: 'traefik-gateway', namespace: 'traefik', sectionName: 'server' }]);
    expect(route.spec.rules[0].backendRefs).toEqual([{ group: '', kind: 'Service', name: 'openhands', port: 3000, weight: 1 }]);
  });

  it("the OpenHands ServiceAccount creates a session as the server's runtime does; the API server gives its class-less Ingress the profile's default class", async () => {
    const session = sessionYaml('conv1');
    expect(parseObjects(session).map(o => o.kind)).toEqual(['PersistentVolumeClaim', 'Pod', 'Service', 'Service', 'Ingress']);
    expect((parseObjects(session).find(o => o.kind === 'Ingress') as any).spec.ingressClassName).toBeUndefined();
    // No provisioner runs here: a static volume lets the claim bind, so the Pod can schedule.
    await cp.kubectl(['apply', '-f', '-'], { input: stringify({
      apiVersion: 'v1', kind: 'PersistentVolume', metadata: { name: 'conv1' },
      spec: { capacity: { storage: '2Gi' }, accessModes: ['ReadWriteOnce'], hostPath: { path: '/tmp/conv1' }, persistentVolumeReclaimPolicy: 'Delete' },
    }) });
    const created = await cp.kubectl(['create', `--as=${as}`, '-f', '-'], { input: session, allowFail: true });
    expect(created.code, created.stderr).toBe(0);
    // The namespace enforces baseline and warns at restricted, which the runtime's root action server breaks.
    expect(created.stderr.trim().split('\n')).toEqual([expect.stringMatching(/^Warning: would violate PodSecurity "restricted:latest": /)]);
    const ingress = JSON.parse((await cp.kubectl(['-n', NS, 'get', 'ingress', 'openhands-runtime-conv1-ingress-code', '-o', 'json'])).stdout);
    // The DefaultIngressClass admission plugin: Traefik's IngressClass is the cluster's default.
    expect(ingress.spec.ingressClassName).toBe('traefik');
    expect(ingress.spec.rules).toEqual([{ host: 'conv1.localhost', http: { paths: [
      { path: '/', pathType: 'Prefix', backend: { service: { name: 'openhands-runtime-conv1-svc-code', port: { number: 8081 } } } },
    ] } }]);
  });

  it("a session's HTTPRoute, attached to the profile's Gateway, is accepted by the API server", async () => {
    const r = await cp.kubectl([...APPLY, '--dry-run=server', '-f', '-'], { input: sessionYaml('conv4', 'HTTPRoute'), allowFail: true });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('httproute.gateway.networking.k8s.io/openhands-runtime-conv4-route-code serverside-applied (server dry run)');
  });

  it.each([
    ['a path prefix that is no absolute path (CEL)', (r: any) => { r.spec.rules[0].matches[0].path.value = 'code'; },
      /value must be an absolute path and start with '\/' when type one of \['Exact', 'PathPrefix'\]/],
    ['two references to one parent without a sectionName (CEL)', (r: any) => { r.spec.parentRefs = [{ ...r.spec.parentRefs[0], sectionName: undefined }, { ...r.spec.parentRefs[0], sectionName: undefined }]; },
      /spec\.parentRefs: Invalid value: sectionName must be unique when parentRefs includes 2 or more references to the same parent/],
    ['a hostname with a wildcard in the middle (schema)', (r: any) => { r.spec.hostnames = ['conv1.*.localhost']; }, /spec\.hostnames\[0\] in body should match/],
  ])('the HTTPRoute CRD refuses %s', async (_name, spoil, message) => {
    const route = parseObjects(sessionYaml('conv2', 'HTTPRoute')).find(o => o.kind === 'HTTPRoute')!;
    spoil(route);
    const r = await cp.kubectl([...APPLY, '--dry-run=server', '-f', '-'], { input: stringify(JSON.parse(JSON.stringify(route))), allowFail: true });
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(message);
  });

  it("the VS Code Service gets an endpoint for the session Pod's named port from the EndpointSlice controller", async () => {
    const slice = await eventually(async () => {
      const slices = JSON.parse((await cp.kubectl(['-n', NS, 'get', 'endpointslices', '-l', 'kubernetes.io/service-name=openhands-runtime-conv1-svc-code', '-o', 'json'])).stdout).items;
      const withEndpoints = slices.find((s: any) => (s.endpoints ?? []).length > 0);
      if (!withEndpoints) throw new Error(`no endpoint yet: ${JSON.stringify(slices)}`);
      return withEndpoints;
    }, 120_000, 1_000);
    const pod = JSON.parse((await cp.kubectl(['-n', NS, 'get', 'pod', 'openhands-runtime-conv1', '-o', 'json'])).stdout);
    expect(slice.ports).toEqual([{ name: 'code', port: 8081, protocol: 'TCP' }]);
    expect(slice.endpoints[0].targetRef).toMatchObject({ kind: 'Pod', name: 'openhands-runtime-conv1' });
    expect(slice.endpoints[0].addresses).toEqual([pod.status.podIP]);
  });

  it("as the ServiceAccount: the kinds of the server's sessions are allowed, everything else refused", async () => {
    const canI = async (verb: string, resource: string, ns = NS, sub?: string) => {
      const r = await cp.kubectl(['auth', 'can-i', verb, resource, ...(sub ? [`--subresource=${sub}`] : []), '-n', ns, `--as=${as}`], { allowFail: true });
      return `${verb} ${resource}${sub ? `/${sub}` : ''} in ${ns}: ${r.stdout.trim()}`;
    };
    const asked = [
      ...['pods', 'services', 'persistentvolumeclaims', 'ingresses.networking.k8s.io'].flatMap(res => ['create', 'delete', 'get'].map(v => canI(v, res))),
      canI('create', 'httproutes.gateway.networking.k8s.io'), canI('get', 'secrets'), canI('list', 'pods'), canI('patch', 'ingresses.networking.k8s.io'),
      canI('create', 'pods', NS, 'exec'), canI('create', 'pods', NS, 'portforward'),
      canI('create', 'pods', 'default'), canI('create', 'httproutes.gateway.networking.k8s.io', 'traefik'), canI('patch', 'gateways.gateway.networking.k8s.io', 'traefik'),
      canI('create', 'pods', SERVER_NS), canI('get', 'secrets', SERVER_NS), canI('get', 'configmaps', SERVER_NS), canI('create', 'pods', 'kube-system'),
    ];
    const answers = await Promise.all(asked);
    expect(answers.slice(0, 12).filter(a => !a.endsWith(': yes'))).toEqual([]);
    expect(answers.slice(12).filter(a => !a.endsWith(': no'))).toEqual([]);
    const secret = await cp.kubectl(['-n', NS, 'get', 'secrets', `--as=${as}`], { allowFail: true });
    expect(secret.stderr).toMatch(/forbidden/);
    const elsewhere = await cp.kubectl(['create', `--as=${as}`, '-n', 'default', '-f', '-'], {
      input: sessionYaml('conv3').replaceAll(`namespace: ${NS}`, 'namespace: default'), allowFail: true,
    });
    expect(elsewhere.code).not.toBe(0);
    expect(elsewhere.stderr).toMatch(/forbidden/);
  });

  it('the ServiceAccount deletes the whole session', async () => {
    const deleted = await cp.kubectl(['delete', `--as=${as}`, '--wait=false', '-f', '-'], { input: sessionYaml('conv1'), allowFail: true });
    expect({ code: deleted.code, stderr: deleted.stderr }).toEqual({ code: 0, stderr: '' });
    expect(deleted.stdout).toContain('ingress.networking.k8s.io "openhands-runtime-conv1-ingress-code" deleted');
  });
});
