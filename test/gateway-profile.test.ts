import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App } from 'cdk8s';
import { describe, expect, test } from 'vitest';
import { GATEWAY_SANDBOX_NAMESPACE, addGatewayStack } from '../app/gateway-stack';
import { PROFILES } from '../app/profiles';
import { renderCharts, synthToDir } from '../app/synth';
import { KindCluster, Traefik, TraefikProps } from '../index';
import { ROOT, errorOf, parseDocs, readTree } from './util';

function synthProfile(name: keyof typeof PROFILES): { dist: Record<string, string>; kind: Record<string, string> } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lh-profile-'));
  try {
    synthToDir(PROFILES[name].build, path.join(dir, 'dist'), path.join(dir, 'kind'));
    return { dist: readTree(path.join(dir, 'dist')), kind: readTree(path.join(dir, 'kind')) };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

describe('the gateway profile', () => {
  const out = synthProfile('gateway');
  const docs = (file: string) => parseDocs(out.dist[file]);

  test('one file per part, the CRD files sorting first (snapshots of the small ones)', async () => {
    expect(Object.keys(out.dist).filter(f => f.endsWith('.yaml')).sort()).toEqual([
      'crds-gateway-api.k8s.yaml', 'crds-traefik.k8s.yaml', 'mirrord-rbac.k8s.yaml', 'sandboxes.k8s.yaml', 'server.k8s.yaml', 'traefik.k8s.yaml', 'ubuntu-dev.k8s.yaml',
    ]);
    for (const f of ['sandboxes.k8s.yaml', 'server.k8s.yaml', 'traefik.k8s.yaml']) await expect(out.dist[f]).toMatchFileSnapshot(`../__snapshots__/gateway-profile-${f}`);
    expect(docs('crds-gateway-api.k8s.yaml').filter(d => d.kind === 'CustomResourceDefinition')).toHaveLength(10);
    expect(docs('crds-traefik.k8s.yaml').every(d => d.kind === 'CustomResourceDefinition')).toBe(true);
  });

  test('ubuntu-dev and the mirrord RBAC are those of the default profile, byte for byte', () => {
    for (const f of ['mirrord-rbac.k8s.yaml', 'ubuntu-dev.k8s.yaml']) expect(out.dist[f]).toBe(fs.readFileSync(path.join(ROOT, 'dist', f), 'utf8'));
  });

  test("Traefik runs OpenHands' values with the Gateway API provider; its Gateway admits the sandbox namespace for *.localhost, the server's for localhost", () => {
    const traefik = docs('traefik.k8s.yaml');
    const gateway = traefik.find(d => d.kind === 'Gateway');
    expect(gateway.metadata).toMatchObject({ name: 'traefik-gateway', namespace: 'traefik' });
    expect(gateway.spec.listeners).toEqual([{
      name: 'web', port: 8000, protocol: 'HTTP', hostname: '*.localhost',
      allowedRoutes: { namespaces: { from: 'Selector', selector: { matchLabels: { 'kubernetes.io/metadata.name': GATEWAY_SANDBOX_NAMESPACE } } } },
    }, {
      name: 'server', port: 8000, protocol: 'HTTP', hostname: 'localhost',
      allowedRoutes: { namespaces: { from: 'Selector', selector: { matchLabels: { 'kubernetes.io/metadata.name': 'openhands' } } } },
    }]);
    const svc = traefik.find(d => d.kind === 'Service');
    expect(svc.spec.ports.map((p: any) => p.nodePort)).toEqual([30080, 30443]);
    expect(traefik.find(d => d.kind === 'Deployment').spec.template.spec.containers[0].args).toContain('--providers.kubernetesgateway');
    expect(traefik.map(d => d.kind)).not.toContain('CustomResourceDefinition');
  });

  test('the isolation constructs in the sandbox namespace: PodSecurity, the Role for the Ingress sessions its runtime creates, quota, policies from the Traefik namespace', () => {
    const s = docs('sandboxes.k8s.yaml');
    expect(s[0]).toMatchObject({ kind: 'Namespace', metadata: { name: GATEWAY_SANDBOX_NAMESPACE, labels: { 'pod-security.kubernetes.io/enforce': 'baseline' } } });
    expect(s[1]).toMatchObject({ kind: 'Namespace', metadata: { name: 'openhands', labels: { 'pod-security.kubernetes.io/enforce': 'restricted' } } });
    expect(s.find(d => d.kind === 'ServiceAccount').metadata).toEqual({ name: 'openhands', namespace: 'openhands' });
    const role = s.find(d => d.kind === 'Role');
    expect(role.rules.flatMap((r: any) => r.resources)).toEqual(['persistentvolumeclaims', 'pods', 'services', 'ingresses']);
    expect(role.rules.flatMap((r: any) => r.apiGroups)).toEqual(['', 'networking.k8s.io']);
    expect(s.find(d => d.kind === 'ResourceQuota').spec.hard.pods).toBe('3');
    const fromController = s.filter(d => d.kind === 'NetworkPolicy').flatMap(d => d.spec.ingress ?? []).flatMap((r: any) => r.from ?? [])
      .map((f: any) => f.namespaceSelector?.matchLabels?.['kubernetes.io/metadata.name']);
    expect(fromController).toContain('traefik');
    for (const d of s.filter(x => x.kind !== 'Namespace' && x.kind !== 'ServiceAccount')) expect(d.metadata.namespace).toBe(GATEWAY_SANDBOX_NAMESPACE);
  });

  test("its KIND config maps Traefik's node ports 30080/30443 to host ports 80/443 (snapshot)", async () => {
    await expect(out.kind['cluster.yaml']).toMatchFileSnapshot('../__snapshots__/gateway-profile-kind-cluster.yaml');
    expect(parseDocs(out.kind['cluster.yaml'])[0].nodes).toEqual([
      { role: 'control-plane', extraPortMappings: [{ containerPort: 30080, hostPort: 80 }, { containerPort: 30443, hostPort: 443 }] },
    ]);
  });

  test('a TLS Secret adds the HTTPS listener on websecure with that certificate', () => {
    const app = new App({ outdir: '/nonexistent' });
    const stack = addGatewayStack(app, { tlsSecret: 'sandbox-tls' });
    expect(stack.traefik.listenerNames).toEqual(['web', 'websecure', 'server']);
    expect(stack.traefik.listeners[1]).toMatchObject({ port: 8443, protocol: 'HTTPS', hostname: '*.localhost', tls: { certificateRefs: [{ name: 'sandbox-tls' }] } });
    expect(() => renderCharts(app)).not.toThrow();
  });

  test('the config decides the sandbox namespace and the listener hostname', () => {
    const app = new App({ outdir: '/nonexistent' });
    const stack = addGatewayStack(app, { config: { namespace: 'agents', ingressDomain: 'sandbox.example.com' } });
    expect(stack.gatewayReference).toEqual({ namespace: 'traefik', name: 'traefik-gateway', listener: 'web', hostname: '*.sandbox.example.com', allowedRouteNamespaces: ['agents'] });
    expect(stack.sandboxNamespace.name).toBe('agents');
  });

  test.each([
    ['a TLS Secret name that is no DNS name', { tlsSecret: 'Sandbox TLS' }, /addGatewayStack: tlsSecret must be a Secret name \(a DNS-1123 subdomain\), got "Sandbox TLS"/],
    ['an unknown prop', { tls: 'x' }, /addGatewayStack: tls must be/],
    ['a quota of no session', { maxSessions: 0 }, /maxSessions must be/],
  ])('bad props are refused: %s', (_n, props, message) => {
    expect(() => addGatewayStack(new App({ outdir: '/nonexistent' }), props as any)).toThrow(message);
  });

  test('once per app', () => {
    const app = new App({ outdir: '/nonexistent' });
    addGatewayStack(app);
    expect(() => addGatewayStack(app)).toThrow(/^addGatewayStack: the app has constructs "crds-gateway-api", .* already \(crds-gateway-api from an earlier stack or your own code\): .*add one stack per app/);
  });

  test('without --profile the output is the default profile: dist/ and kind/ byte for byte', () => {
    const d = synthProfile('default');
    expect(d.dist).toEqual(readTree(path.join(ROOT, 'dist')));
    expect(d.kind).toEqual(readTree(path.join(ROOT, 'kind')));
  });
});

describe('KindCluster checks any controller that says how host traffic reaches it', () => {
  const check = (traefik: TraefikProps, kind: ConstructorParameters<typeof KindCluster>[2]) => errorOf(c => {
    new KindCluster(c, 'kind', { ...kind, ingress: new Traefik(c, 'traefik', traefik) });
  });

  test('node ports need a mapping on some node, any node', () => {
    expect(() => check({}, { nodes: [{ role: 'control-plane' }, { role: 'worker', extraPortMappings: [{ containerPort: 30080, hostPort: 80 }, { containerPort: 30443, hostPort: 443 }] }] }))
      .toThrow('expected an error, got none');
    expect(check({}, { nodes: [{ role: 'control-plane', extraPortMappings: [{ containerPort: 30080, hostPort: 80 }] }] })).toBe(
      "KindCluster 'kind' (test/kind): ingress nodePorts.websecure (30443) of the ingress controller (test/traefik) is mapped on no node: "
      + 'add extraPortMappings { containerPort: 30443, hostPort: <host port> } to any node (kube-proxy opens node ports on every node)');
  });

  test('host ports need a mapping on every node the controller can schedule on, unless its node port is mapped', () => {
    const msg = check({ service: { type: 'ClusterIP' }, hostPorts: { web: 80 } }, { workers: 1, nodes: [{ role: 'control-plane', extraPortMappings: [{ containerPort: 80, hostPort: 80 }] }] });
    expect(msg).toMatch(/ingress hostPorts\.web \(80\) of the ingress controller \(test\/traefik\) is not mapped on nodes\[1\] \(worker\), where the controller can schedule/);
    expect(() => check({ hostPorts: { web: 80, websecure: 443 } }, { nodes: [{ role: 'control-plane', extraPortMappings: [{ containerPort: 30080, hostPort: 80 }, { containerPort: 30443, hostPort: 443 }] }] }))
      .toThrow('expected an error, got none');
  });

  test('two replicas binding host ports need two nodes', () => {
    expect(check({ service: { type: 'ClusterIP' }, hostPorts: { web: 80 }, replicas: 2 }, { nodes: [{ role: 'control-plane', extraPortMappings: [{ containerPort: 80, hostPort: 80 }] }] }))
      .toMatch(/has 2 replicas binding host ports, but only 1 node\(s\) can host them/);
  });

  test('the gateway stack refuses a KIND config that leaves a node port unmapped, before writing anything', () => {
    expect(() => addGatewayStack(new App({ outdir: '/nonexistent' }), { kind: { nodes: [{ role: 'control-plane' }] } }))
      .toThrow(/ingress nodePorts\.web \(30080\) of the ingress controller \(traefik\/traefik\) is mapped on no node/);
  });

  test('IngressNginx exposes the same shape: its host ports, its pods, no fixed node ports', () => {
    const app = new App({ outdir: '/nonexistent' });
    PROFILES.default.build(app);
    const nginx = app.node.findAll().find(c => c.node.id === 'ingress') as unknown as { hostTraffic: unknown };
    expect(nginx.hostTraffic).toEqual({ nodePorts: {}, hostPorts: { http: 80, https: 443 }, pods: { replicas: 1, nodeSelector: { 'kubernetes.io/os': 'linux' }, tolerations: expect.any(Array) } });
  });
});
