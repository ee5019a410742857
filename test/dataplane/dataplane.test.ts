/**
 * Real requests through a real controller: Traefik built from source (tools/traefik), started with the static
 * configuration of the Deployment each profile renders, routing to kwok pods materialized as backends at their pod
 * IPs (tools/dataplane). Every backend answers with its pod, namespace and port, so each test sees where a request
 * landed. Each plane is torn down after its block; the last test checks nothing was left behind.
 */
import { spawn, spawnSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { App, Chart } from 'cdk8s';
import { addGatewayStack } from '../../app/gateway-stack';
import { addProductionStack } from '../../app/production-stack';
import { PROFILES } from '../../app/profiles';
import { SandboxRuntime } from '../../constructs/sandbox/sandbox-runtime';
import { sandboxYaml } from '../../scripts/sandbox';
import { loadKubernetesConfig } from '../../src/kubernetes-config';
import { selfSignedTlsCommands } from '../../src/tls';
import { DataPlane, Reply, startDataPlane } from '../../tools/dataplane/harness';
import { leftovers, sweepStale } from '../../tools/dataplane/netns';
import { ROOT, parseDocs } from '../util';

const SESSIONS = ['alpha', 'bravo', 'charlie'];

/**
 * A session as the server's Kubernetes runtime creates it from its config.toml (an Ingress without a class, TLS when
 * the config names `ingress_tls_secret`), created as the server's ServiceAccount, its pod then served.
 */
async function serverSession(plane: DataPlane, config: string, sid: string, as: string): Promise<void> {
  const app = new App({ outdir: '/nonexistent' });
  new SandboxRuntime(new Chart(app, 'session'), 'session', { sid, config: loadKubernetesConfig(config), ingressClassName: false });
  const r = await plane.cp.kubectl(['create', `--as=${as}`, '-f', '-'], { input: app.synthYaml(), allowFail: true });
  if (r.code !== 0) throw new Error(`creating session ${sid} as ${as}: ${r.stderr}`);
  await plane.sync();
}

/** The config.toml the server runs with, taken from the ConfigMap the profile rendered: sessions are rendered from it. */
function serverConfigFile(plane: DataPlane, dir: string): string {
  const server = parseDocs(fs.readFileSync(path.join(plane.dist, 'server.k8s.yaml'), 'utf8'));
  const file = path.join(dir, 'config.toml');
  fs.writeFileSync(file, server.find(d => d.kind === 'ConfigMap').data['config.toml']);
  return file;
}

/** Requests until the answer satisfies `ok` (routes take a moment to reach Traefik), bounded. */
async function until(get: () => Promise<Reply>, ok: (r: Reply) => boolean, timeoutMs = 30_000): Promise<Reply> {
  const deadline = Date.now() + timeoutMs;
  let last: Reply | Error | undefined;
  while (Date.now() < deadline) {
    last = await get().catch((e: Error) => e);
    if (!(last instanceof Error) && ok(last)) return last;
    await new Promise(r => setTimeout(r, 250));
  }
  throw new Error(`no satisfying answer within ${timeoutMs} ms; last: ${last instanceof Error ? last.message : `${last?.status} ${last?.body.slice(0, 200)}`}`);
}

/** Self-signed certificate and key for the hosts, made by the README's recipe; returns the PEM and the Secret in each namespace. */
function certificate(dir: string, name: string, namespaces: string[], hosts: string[]): { cert: string; secrets: string[] } {
  const [openssl] = selfSignedTlsCommands({ name, namespace: namespaces[0] }, hosts);
  const made = spawnSync('sh', ['-c', openssl], { cwd: dir, encoding: 'utf8' });
  if (made.status !== 0) throw new Error(made.stderr);
  const cert = fs.readFileSync(path.join(dir, 'tls.crt'), 'utf8');
  const key = fs.readFileSync(path.join(dir, 'tls.key'), 'utf8');
  const secrets = namespaces.map(namespace => JSON.stringify({ apiVersion: 'v1', kind: 'List', items: [
    { apiVersion: 'v1', kind: 'Namespace', metadata: { name: namespace } },
    { apiVersion: 'v1', kind: 'Secret', type: 'kubernetes.io/tls', metadata: { name, namespace }, data: { 'tls.crt': Buffer.from(cert).toString('base64'), 'tls.key': Buffer.from(key).toString('base64') } },
  ] }));
  return { cert, secrets };
}

describe('the gateway profile', () => {
  let plane: DataPlane;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lh-dataplane-test-'));

  beforeAll(async () => {
    plane = await startDataPlane({ profile: 'gateway' });
    // The quota admits three sessions: two rendered with HTTPRoutes, one as the server creates it.
    for (const sid of SESSIONS.slice(0, 2)) await plane.apply(sandboxYaml(serverConfigFile(plane, dir), sid, undefined, { kind: 'HTTPRoute' }));
    await serverSession(plane, serverConfigFile(plane, dir), SESSIONS[2], addGatewayStack(new App({ outdir: '/nonexistent' })).serviceAccount.username);
  });
  afterAll(async () => {
    await plane?.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  test('the OpenHands server answers at http://localhost/ on the entry port the Deployment declares (web, 8000)', async () => {
    expect(plane.entry('web').port).toBe(8000);
    const r = await until(() => plane.request('web', 'localhost', '/'), x => x.status === 200);
    expect(r.landed).toMatchObject({ namespace: 'openhands', port: 3000, host: 'localhost', path: '/' });
    expect(r.landed!.pod).toMatch(/^openhands-[a-z0-9]+-[a-z0-9]+$/);
  });

  test("sessions rendered by `npm run sandbox --route httproute`, and one as the server's runtime creates it (its class-less Ingress given Traefik's default class): each VS Code host lands on that session's pod and port 8081", async () => {
    const ingress = JSON.parse((await plane.cp.kubectl(['-n', 'openhands-sandboxes', 'get', 'ingress', `openhands-runtime-${SESSIONS[2]}-ingress-code`, '-o', 'json'])).stdout);
    expect(ingress.spec.ingressClassName).toBe('traefik');
    for (const sid of SESSIONS) {
      const r = await until(() => plane.request('web', `${sid}.localhost`, '/?folder=/workspace'), x => x.status === 200);
      expect(r.landed).toEqual({ pod: `openhands-runtime-${sid}`, namespace: 'openhands-sandboxes', port: 8081, host: `${sid}.localhost`, path: '/?folder=/workspace', method: 'GET' });
    }
  });

  test('an unknown host gets 404, and so does a session that does not exist', async () => {
    expect((await plane.request('web', 'nobody.example.com')).status).toBe(404);
    expect((await plane.request('web', 'delta.localhost')).status).toBe(404);
  });

  test('a route in a namespace the Gateway does not admit is not served, though its backend answers', async () => {
    await plane.apply(JSON.stringify({ apiVersion: 'v1', kind: 'List', items: [
      { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'intruder' } },
      { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'squatter', namespace: 'intruder', labels: { app: 'squatter' } }, spec: { containers: [{ name: 'c', image: 'squatter', ports: [{ containerPort: 8081 }] }] } },
      { apiVersion: 'v1', kind: 'Service', metadata: { name: 'squatter', namespace: 'intruder' }, spec: { selector: { app: 'squatter' }, ports: [{ port: 8081 }] } },
      { apiVersion: 'gateway.networking.k8s.io/v1', kind: 'HTTPRoute', metadata: { name: 'squatter', namespace: 'intruder' }, spec: {
        parentRefs: [{ name: 'traefik-gateway', namespace: 'traefik' }], hostnames: ['squatter.localhost'],
        rules: [{ backendRefs: [{ name: 'squatter', port: 8081 }] }],
      } },
    ] }));
    const status = await until(async () => {
      const route = JSON.parse((await plane.cp.kubectl(['-n', 'intruder', 'get', 'httproute', 'squatter', '-o', 'json'])).stdout);
      const accepted = route.status?.parents?.[0]?.conditions?.find((c: any) => c.type === 'Accepted');
      return { status: accepted ? 200 : 0, body: JSON.stringify(accepted ?? {}), headers: {} };
    }, r => r.status === 200);
    expect(JSON.parse(status.body)).toMatchObject({ status: 'False', reason: 'NotAllowedByListeners' });
    expect((await plane.request('web', 'squatter.localhost')).status).toBe(404);
  });

  test('a rolling update of the server under a request loop: no failed request while a Ready pod remains', async () => {
    const before = (await until(() => plane.request('web', 'localhost'), x => x.status === 200)).landed!.pod;
    const failures: string[] = [];
    const seen = new Set<string>();
    let done = false;
    let sent = 0;
    const loop = (async () => {
      // Bounded: at most 600 requests, one every 40 ms.
      while (!done && sent < 600) {
        sent++;
        const r = await plane.request('web', 'localhost', '/', { timeoutMs: 3000 }).catch((e: Error) => e);
        if (r instanceof Error || r.status !== 200) failures.push(r instanceof Error ? r.message : `${r.status} ${r.body.slice(0, 100)}`);
        else seen.add(r.landed!.pod);
        await new Promise(x => setTimeout(x, 40));
      }
    })();
    await plane.cp.kubectl(['-n', 'openhands', 'patch', 'deployment', 'openhands', '--type=merge', '-p', JSON.stringify({ spec: { template: { metadata: { annotations: { 'dataplane/rollout': '2' } } } } })]);
    await plane.cp.kubectl(['-n', 'openhands', 'rollout', 'status', 'deployment/openhands', '--timeout=90s'], { timeoutMs: 100_000 });
    // Traffic keeps flowing after the switch, to the new pod only.
    const after = await until(() => plane.request('web', 'localhost'), x => x.status === 200 && x.landed!.pod !== before, 30_000);
    await new Promise(x => setTimeout(x, 2000));
    done = true;
    await loop;
    console.log(`[dataplane] rolling update: ${sent} requests, ${failures.length} failed, pods answering: ${[...seen].join(', ')}`);
    expect(failures).toEqual([]);
    expect(seen).toContain(before);
    expect(seen).toContain(after.landed!.pod);
  });
});

describe('the production profile', () => {
  let plane: DataPlane;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lh-dataplane-tls-'));
  const domain = PROFILES.production.example.domain;
  let cert = '';

  beforeAll(async () => {
    // The README's recipe: the certificate's Secret in Traefik's namespace (the Gateway's listeners) and in the
    // sandbox namespace (the sessions' Ingresses).
    const made = certificate(dir, 'openhands-sandboxes-tls', ['traefik', 'openhands-sandboxes'], [`*.${domain}`, domain]);
    cert = made.cert;
    plane = await startDataPlane({ profile: 'production', before: made.secrets });
    await serverSession(plane, serverConfigFile(plane, dir), 'abc', addProductionStack(new App({ outdir: '/nonexistent' }), PROFILES.production.example).serviceAccount.username);
  });
  afterAll(async () => {
    await plane?.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  test('plain HTTP answers every host of the domain with a redirect to the same URL over HTTPS, and nothing else, a running session\'s host too', async () => {
    // The session's Ingress router is loaded once HTTPS reaches the session; only then does plain HTTP prove anything.
    await until(() => plane.request('websecure', `abc.${domain}`, '/', { ca: cert }), x => x.status === 200);
    for (const host of [domain, `abc.${domain}`, `xyz.${domain}`]) {
      const r = await until(() => plane.request('web', host, '/conversations?id=1'), x => x.status === 301);
      expect(r.headers.location).toBe(`https://${host}/conversations?id=1`);
      expect(r.landed).toBeUndefined();
    }
  });

  test('HTTPS on websecure presents the certificate the test made, and routes the server', async () => {
    const r = await until(() => plane.request('websecure', domain, '/', { ca: cert }), x => x.status === 200);
    expect(r.certificate?.fingerprint256).toBe(new X509Certificate(cert).fingerprint256);
    expect(r.landed).toMatchObject({ namespace: 'openhands', port: 3000, host: domain });
  });

  test("HTTPS to a session the server created: its Ingress's TLS (the config's ingress_tls_secret) with the certificate, to the session's VS Code port", async () => {
    const ingress = JSON.parse((await plane.cp.kubectl(['-n', 'openhands-sandboxes', 'get', 'ingress', 'openhands-runtime-abc-ingress-code', '-o', 'json'])).stdout);
    expect(ingress.spec).toMatchObject({ ingressClassName: 'traefik', tls: [{ hosts: [`abc.${domain}`], secretName: 'openhands-sandboxes-tls' }] });
    const r = await until(() => plane.request('websecure', `abc.${domain}`, '/?folder=/workspace', { ca: cert }), x => x.status === 200);
    expect(r.certificate?.fingerprint256).toBe(new X509Certificate(cert).fingerprint256);
    expect(r.landed).toEqual({ pod: 'openhands-runtime-abc', namespace: 'openhands-sandboxes', port: 8081, host: `abc.${domain}`, path: '/?folder=/workspace', method: 'GET' });
  });
});

describe('migration: the default profile\'s nginx-class Ingresses through Traefik\'s ingress-nginx provider', () => {
  let plane: DataPlane;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lh-dataplane-nginx-'));

  beforeAll(async () => {
    // The cluster being migrated still has the default profile's IngressClass `nginx` (controller k8s.io/ingress-nginx),
    // which the provider recognizes its Ingresses by.
    const nginxClass = parseDocs(fs.readFileSync(path.join(ROOT, 'dist', 'ingress-nginx.k8s.yaml'), 'utf8')).find(d => d.kind === 'IngressClass');
    plane = await startDataPlane({
      build: app => { addGatewayStack(app, { traefik: { providers: { kubernetesGateway: true, kubernetesIngressNGINX: true } } }); },
      before: [JSON.stringify(nginxClass)],
    });
    const config = serverConfigFile(plane, dir);
    await plane.apply(sandboxYaml(config, 'legacy'));
    await plane.apply(sandboxYaml(config, 'modern', undefined, { kind: 'HTTPRoute' }));
  });
  afterAll(async () => {
    await plane?.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  test('a session rendered for ingress-nginx (class nginx) gets the same answer as one rendered with an HTTPRoute', async () => {
    const ingress = JSON.parse((await plane.cp.kubectl(['-n', 'openhands-sandboxes', 'get', 'ingress', 'openhands-runtime-legacy-ingress-code', '-o', 'json'])).stdout);
    expect(ingress.spec.ingressClassName).toBe('nginx');
    const legacy = await until(() => plane.request('web', 'legacy.localhost', '/x'), x => x.status === 200);
    const modern = await until(() => plane.request('web', 'modern.localhost', '/x'), x => x.status === 200);
    const strip = (r: Reply) => ({ ...r.landed, pod: r.landed!.pod.replace(/legacy|modern/, 'SID'), host: r.landed!.host.replace(/legacy|modern/, 'SID') });
    expect(strip(legacy)).toEqual(strip(modern));
    expect(legacy.landed).toMatchObject({ pod: 'openhands-runtime-legacy', port: 8081 });
  });
});

describe('npm run dataplane', () => {
  test('--check runs the scripted requests against the gateway profile and exits 0', () => {
    const r = spawnSync(process.execPath, ['tools/launcher/run.cjs', 'scripts/dataplane.ts', '--check'], { cwd: ROOT, encoding: 'utf8', timeout: 200_000 });
    expect(r.stdout).toContain('ok   http://localhost/ reaches the OpenHands server on port 3000');
    expect(r.stdout).toContain('ok   an unknown host gets 404');
    expect(r.status, r.stderr).toBe(0);
  }, 220_000);

  test('stays up until Ctrl-C, then leaves no namespace, link or process behind', async () => {
    const child = spawn(process.execPath, ['tools/launcher/run.cjs', 'scripts/dataplane.ts'], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.setEncoding('utf8').on('data', d => { out += d; });
    const exited = new Promise<number | null>(resolve => child.on('exit', code => resolve(code)));
    try {
      const deadline = Date.now() + 180_000;
      while (!out.includes('ready:') && Date.now() < deadline && child.exitCode === null) await new Promise(r => setTimeout(r, 250));
      const web = /^web +(http:\/\/127\.\d+\.\d+\.\d+:8000)$/m.exec(out)?.[1];
      expect(web, out).toBeDefined();
      expect(out).toMatch(/^KUBECONFIG=\//m);
      // What a user does by hand: curl the printed URL.
      let answer = '';
      for (let i = 0; i < 60 && !answer.includes('"namespace":"openhands"'); i++) {
        answer = spawnSync('curl', ['-s', '-m', '2', '-H', 'Host: localhost', `${web}/`], { encoding: 'utf8' }).stdout;
        if (!answer.includes('"namespace":"openhands"')) await new Promise(r => setTimeout(r, 500));
      }
      expect(JSON.parse(answer)).toMatchObject({ namespace: 'openhands', port: 3000 });
      expect(leftovers().netns.length).toBeGreaterThan(0);
    } finally {
      child.kill('SIGINT');
    }
    expect(await exited).toBe(130);
    expect(leftovers()).toEqual({ netns: [], links: [], backends: [] });
  }, 220_000);
});

test('a run killed outright (SIGKILL, no clean-up) leaves namespaces and backends that the next run sweeps', async () => {
  const child = spawn(process.execPath, ['tools/launcher/run.cjs', 'test/fixtures/dataplane-orphan.ts'], { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  child.stdout.setEncoding('utf8').on('data', d => { out += d; });
  const deadline = Date.now() + 60_000;
  while (!out.includes('ready') && Date.now() < deadline && child.exitCode === null) await new Promise(r => setTimeout(r, 100));
  child.kill('SIGKILL');
  await new Promise(r => child.on('exit', r));
  const left = leftovers();
  expect(left.netns).toHaveLength(1);
  expect(left.backends).toHaveLength(1);
  expect(sweepStale()).toHaveLength(2);
  expect(leftovers()).toEqual({ netns: [], links: [], backends: [] });
}, 90_000);

test('nothing is left behind: no namespace, link or Traefik process', () => {
  expect(leftovers()).toEqual({ netns: [], links: [], backends: [] });
  const traefik = spawnSync('pgrep', ['-f', '.cache/traefik/.*/traefik'], { encoding: 'utf8' });
  expect(traefik.stdout.trim()).toBe('');
});

