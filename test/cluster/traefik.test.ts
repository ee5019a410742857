/**
 * Traefik with the Gateway API provider and the CRDs it needs, on a real control plane: the CRDs apply in one
 * server-side pass, the controller applies with strict field validation, a second apply changes nothing, the Deployment becomes Available on the kwok node, and the Gateway
 * CRD's own validation refuses listeners our construct refuses too. It also records what client-side apply does
 * with the 242 KB HTTPRoute CRD.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { App, Chart } from 'cdk8s';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { GatewayApiCrds } from '../../constructs/traefik-gateway/gateway-api-crds';
import { Traefik, type TraefikProps } from '../../constructs/traefik-gateway/traefik';
import { TraefikCrds } from '../../constructs/traefik-gateway/traefik-crds';
import { synthApp } from '../../app/synth';
import { startControlPlane, type ControlPlane } from '../../tools/controlplane/controlplane';
import { secondApplyChanges } from '../../tools/controlplane/second-apply';
import { APPLY, START_TIMEOUT, eventually, loadObjects, parseObjects, tempDir } from './helpers';
import { testApp } from '../util';

const GATEWAY: TraefikProps = { providers: { kubernetesGateway: true } };

/** Synthesizes through the synth path (`synthApp`, the fast YAML writer): one folder for the CRDs, one for Traefik. */
function synth(root: string): { crds: string; app: string } {
  const crds = path.join(root, 'crds');
  const app = path.join(root, 'app');
  const crdApp = new App({ outdir: crds });
  new GatewayApiCrds(new Chart(crdApp, 'gateway-api-crds'), 'crds');
  new TraefikCrds(new Chart(crdApp, 'traefik-crds'), 'crds');
  synthApp(crdApp);
  const traefikApp = new App({ outdir: app });
  new Traefik(new Chart(traefikApp, 'traefik'), 'traefik', GATEWAY);
  synthApp(traefikApp);
  return { crds, app };
}

/** Listeners the Gateway CRD refuses, each with what the API server says; `Traefik` must refuse each too. */
const REFUSED_LISTENERS: [string, unknown[], RegExp][] = [
  ['a hostname that is no DNS name', [{ name: 'web', port: 8000, protocol: 'HTTP', hostname: 'Sandbox_1.localhost' }],
    /spec\.listeners\[0\]\.hostname: Invalid value: "Sandbox_1\.localhost": spec\.listeners\[0\]\.hostname in body should match/],
  ['a wildcard in the middle', [{ name: 'web', port: 8000, protocol: 'HTTP', hostname: 'a.*.localhost' }], /spec\.listeners\[0\]\.hostname in body should match/],
  ['a duplicate listener name', [{ name: 'web', port: 8000, protocol: 'HTTP' }, { name: 'web', port: 8000, protocol: 'HTTP', hostname: 'a.localhost' }],
    /\.spec\.listeners: duplicate entries for key \[name="web"\]/],
  ['the same port, protocol and hostname twice', [{ name: 'a', port: 8000, protocol: 'HTTP' }, { name: 'b', port: 8000, protocol: 'HTTP' }],
    /Combination of port, protocol and hostname must be unique for each listener/],
  ['tls on an HTTP listener', [{ name: 'web', port: 8000, protocol: 'HTTP', tls: { certificateRefs: [{ name: 'c' }] } }],
    /tls must not be specified for protocols \['HTTP', 'TCP', 'UDP'\]/],
  ['a hostname on a TCP listener', [{ name: 'db', port: 8000, protocol: 'TCP', hostname: 'db.localhost' }],
    /hostname must not be specified for protocols \['TCP', 'UDP'\]/],
  ['a TLS listener without a mode', [{ name: 'tls', port: 8443, protocol: 'TLS' }], /tls mode must be set for protocol TLS/],
  ['an HTTPS listener terminating without a certificate', [{ name: 'https', port: 8443, protocol: 'HTTPS', tls: { mode: 'Terminate' } }],
    /certificateRefs or options must be specified when mode is Terminate/],
  ['no listeners', [], /spec\.listeners: Required value/],
];

describe('Traefik with the Gateway API on a real control plane', () => {
  let cp: ControlPlane;
  const root = tempDir('local-hands-traefik-');
  const dirs = synth(root);

  beforeAll(async () => {
    cp = await startControlPlane({ log: (m) => console.log(`[controlplane] ${m}`) });
  }, START_TIMEOUT);

  afterAll(async () => {
    await cp?.stop();
    fs.rmSync(root, { recursive: true, force: true });
  });

  it('client-side apply takes the HTTPRoute CRD with 8% to spare; 20 KiB more and only server-side apply works', async () => {
    // kubernetes-sigs/gateway-api#4156 reports "metadata.annotations: Too long" for client-side apply. For the
    // v1.6.1 standard channel it does not happen: kubectl's last-applied-configuration annotation holds the CRD as
    // compact JSON (~242 KB), under the API server's 256 KiB limit on all annotations together. The margin is thin,
    // so a profile documents (and kind:up uses) server-side apply, which keeps no such annotation.
    const httproutes = loadObjects(dirs.crds).find((o) => o.metadata.name === 'httproutes.gateway.networking.k8s.io')!;
    const file = path.join(root, 'httproutes-crd.yaml');
    fs.writeFileSync(file, stringify(httproutes));
    const applied = await cp.kubectl(['apply', '-f', file], { allowFail: true });
    expect({ code: applied.code, stderr: applied.stderr }).toEqual({ code: 0, stderr: '' });
    const stored = JSON.parse((await cp.kubectl(['get', 'crd', httproutes.metadata.name, '-o', 'json'])).stdout);
    const lastApplied = stored.metadata.annotations['kubectl.kubernetes.io/last-applied-configuration'] as string;
    expect(lastApplied.length).toBeGreaterThan(240_000);
    expect(lastApplied.length).toBeLessThan(262_144);

    const bigger = structuredClone(httproutes);
    (bigger.metadata as any).annotations['example.com/padding'] = 'x'.repeat(20 * 1024);
    fs.writeFileSync(file, stringify(bigger));
    const refused = await cp.kubectl(['apply', '-f', file], { allowFail: true });
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toMatch(/metadata\.annotations: Too long: (must have at most|may not be more than) 262144 bytes/);
    // The stored object still carries the 242 KB annotation; without it, server-side apply takes the padded CRD.
    await cp.kubectl(['delete', 'crd', httproutes.metadata.name, '--wait=true', '--timeout=60s'], { timeoutMs: 90_000 });
    const serverSide = await cp.kubectl([...APPLY, '--dry-run=server', '-f', file], { allowFail: true });
    expect({ code: serverSide.code, stderr: serverSide.stderr }).toEqual({ code: 0, stderr: '' });
  });

  it('the CRDs apply in one server-side pass and become Established', async () => {
    const objects = loadObjects(dirs.crds);
    expect(objects.filter((o) => o.kind === 'CustomResourceDefinition')).toHaveLength(35);
    const r = await cp.kubectl([...APPLY, '-f', dirs.crds]);
    const lines = r.stdout.trim().split('\n');
    expect(lines).toHaveLength(objects.length);
    for (const l of lines) expect(l).toMatch(/serverside-applied$/);
    expect(r.stderr).toBe('');
    await cp.kubectl(['wait', '--for=condition=Established', 'crd', '--all', '--timeout=60s'], { timeoutMs: 90_000 });
  });

  it('Traefik applies with strict field validation, and a second apply changes nothing', async () => {
    const objects = loadObjects(dirs.app);
    expect(objects.map((o) => o.kind)).toContain('Gateway');
    const r = await cp.kubectl([...APPLY, '-f', dirs.app]);
    const lines = r.stdout.trim().split('\n');
    expect(lines).toHaveLength(objects.length);
    for (const l of lines) expect(l).toMatch(/serverside-applied$/);
    expect(r.stderr).not.toMatch(/warning/i);

    expect(await secondApplyChanges(cp, [dirs.app, dirs.crds], 'local-hands')).toEqual([]);
  });

  it("Traefik's Deployment becomes Available on the simulated node", async () => {
    await cp.kubectl(['-n', 'traefik', 'wait', '--for=condition=Available', 'deployment/traefik', '--timeout=180s'], { timeoutMs: 200_000 });
    const pods = JSON.parse((await cp.kubectl(['-n', 'traefik', 'get', 'pods', '-o', 'json'])).stdout).items;
    expect(pods).toHaveLength(1);
    expect(pods[0].spec.nodeName).toBe(cp.nodes[0]);
    expect(pods[0].status.phase).toBe('Running');
    // The Service got the node ports KIND maps to the host.
    const svc = JSON.parse((await cp.kubectl(['-n', 'traefik', 'get', 'service', 'traefik', '-o', 'json'])).stdout);
    expect(svc.spec.ports.map((p: any) => p.nodePort)).toEqual([30080, 30443]);
  });

  it.each(REFUSED_LISTENERS)('the Gateway CRD refuses %s, and so does Traefik', async (_name, listeners, apiMessage) => {
    const gateway = structuredClone(parseObjects(fs.readFileSync(path.join(dirs.app, 'traefik.k8s.yaml'), 'utf8')).find((o) => o.kind === 'Gateway')!);
    (gateway.spec as any).listeners = listeners;
    const r = await cp.kubectl([...APPLY, '--dry-run=server', '-f', '-'], { input: stringify(gateway), allowFail: true });
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(apiMessage);
    expect(() => new Traefik(new Chart(testApp(), 'c'), 'traefik', { ...GATEWAY, gateway: { listeners: listeners as any } }))
      .toThrow(/gateway\.listeners/);
  });

  it('the safe-upgrades policy refuses Gateway API CRDs of a release before v1.5.0', async () => {
    const crd = structuredClone(loadObjects(dirs.crds).find((o) => o.metadata.name === 'referencegrants.gateway.networking.k8s.io')!);
    (crd.metadata as any).annotations['gateway.networking.k8s.io/bundle-version'] = 'v1.4.0';
    // The policy takes effect once the API server's admission informers have seen it.
    await eventually(async () => {
      const r = await cp.kubectl([...APPLY, '--dry-run=server', '-f', '-'], { input: stringify(crd), allowFail: true });
      expect(r.stderr).toMatch(/Installing CRDs with version before v1\.5\.0 is prohibited by default/);
    }, 60_000, 1_000);
  });
});
