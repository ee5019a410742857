/**
 * The data plane on top of the control plane: a profile's `dist/` applied to a real API server, Traefik built from
 * source running on the host with the static configuration of the Deployment the profile renders (its args, env and
 * ports; only the listen addresses move to a loopback address) and the RBAC of the ServiceAccount it renders, and
 * every kwok pod materialized as a backend at its pod IP (`netns.ts`). Requests go to the entry points on loopback.
 *
 * Everything is started and torn down here, bounded in time; `stop()` leaves no namespace, link or process.
 */
import { ChildProcess, spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as https from 'node:https';
import * as os from 'node:os';
import * as path from 'node:path';
import type { App } from 'cdk8s';
import { parse as parseYaml, parseAllDocuments } from 'yaml';
import { ProfileName, exampleBuild } from '../../app/profiles';
import { synthToDir } from '../../app/synth';
import { ControlPlane, findRepoRoot, startControlPlane } from '../controlplane/controlplane';
import { READY_WHEN_SERVED_STAGE } from '../controlplane/kwok-stages';
import { PodEndpoint, PodNetwork, netnsAvailable, sweepStale } from './netns';

// Found from the repository root: this module also runs bundled into .build/.
const ROOT = findRepoRoot();
/** The Prometheus Operator's CRDs: the workplace's reference beside the project, else its vendored copy. */
const PROMETHEUS_CRDS = [path.resolve(ROOT, '..', 'shared', 'reference'), path.join(ROOT, 'test', 'reference')]
  .map(dir => path.join(dir, 'prometheus-operator-v0.93.0')).find(p => fs.existsSync(p))!;
const APPLY = ['apply', '--server-side', '--field-manager=local-hands', '--validate=strict'];
/** How long a deleted pod's backend keeps answering: a pod's graceful shutdown, which kwok (no kubelet) skips. */
const TERMINATION_GRACE_MS = 10_000;

export interface DataPlaneOptions {
  /** The profile whose `dist/` is applied (its demonstration options, e.g. production's domain). @default 'gateway' */
  readonly profile?: ProfileName;
  /** Build the app yourself instead (a profile with other props). */
  readonly build?: (app: App) => void;
  /** More manifests to apply after the profile (sessions from `npm run sandbox`, ...). */
  readonly apply?: readonly string[];
  /** Objects created before the profile is applied (TLS Secrets, ...), as YAML or JSON text. */
  readonly before?: readonly string[];
  /** Progress lines. @default - silent */
  readonly log?: (line: string) => void;
  /** Traefik's log level, over the Deployment's (`DEBUG` to see why a request was routed as it was). @default - the Deployment's */
  readonly traefikLogLevel?: string;
  /**
   * More args for Traefik, after the Deployment's: entry points a suite needs (`--entryPoints.NAME.address=:80/tcp`,
   * moved to the run's loopback address like the Deployment's own), ...; `{address}` stands for that address.
   * @default - none
   */
  readonly traefikArgs?: readonly string[];
}

export interface EntryPoint {
  readonly name: string;
  /** The loopback address and the port Traefik listens on, as the Deployment declares it. */
  readonly host: string;
  readonly port: number;
  readonly url: string;
}

export interface Reply {
  readonly status: number;
  readonly headers: http.IncomingHttpHeaders;
  readonly body: string;
  /** The JSON a backend answers with (where the request landed), when it came from one. */
  readonly landed?: { pod: string; namespace: string; port: number; host: string; path: string; method: string };
  /** With HTTPS: the certificate the entry point presented. */
  readonly certificate?: { subject: string; fingerprint256: string };
}

export interface DataPlane {
  readonly cp: ControlPlane;
  readonly dist: string;
  readonly entryPoints: readonly EntryPoint[];
  /** The Traefik binary's log so far. */
  traefikLog(): string;
  entry(name: string): EntryPoint;
  /** A request to an entry point with a Host header (and SNI for HTTPS), bounded in time. */
  request(entry: string, host: string, urlPath?: string, opts?: { ca?: string; timeoutMs?: number }): Promise<Reply>;
  /** Applies more manifests (server-side, strict) and materializes their pods. */
  apply(text: string): Promise<void>;
  /** Creates the backends of pods that have an IP, binds claims; resolves once every Running pod is served. */
  sync(): Promise<void>;
  stop(): Promise<void>;
}

/** The Traefik binary of tools/traefik (built in its own step: `npm run traefik:build`), or why it is missing. */
export function traefikBinary(): { path?: string; missing?: string } {
  const r = spawnSync(process.execPath, [path.join(ROOT, 'tools', 'traefik', 'build.mjs'), '--check'], { encoding: 'utf8' });
  if (r.status === 0) return { path: r.stdout.trim() };
  return { missing: 'Traefik is not built: run `npm run traefik:build` first (a cold build takes about 15 minutes of CPU)' };
}

/** Whether the data plane can run here, or why not. */
export function dataPlaneUnavailable(): string | undefined {
  return netnsAvailable() ?? traefikBinary().missing;
}

export async function startDataPlane(o: DataPlaneOptions = {}): Promise<DataPlane> {
  const why = dataPlaneUnavailable();
  if (why) throw new Error(why);
  const log = o.log ?? (() => undefined);
  for (const n of sweepStale()) log(`removed ${n}, left by a run that was killed`);
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'lh-dataplane-'));
  const dist = path.join(scratch, 'dist');
  synthToDir(o.build ?? exampleBuild(o.profile ?? 'gateway'), dist, path.join(scratch, 'kind'));
  const pods = new PodNetwork();
  let cp: ControlPlane | undefined;
  let traefik: ChildProcess | undefined;
  const stop = async () => {
    if (traefik && traefik.exitCode === null) try { process.kill(-traefik.pid!, 'SIGKILL'); } catch { /* gone */ }
    pods.stop();
    await cp?.stop();
    fs.rmSync(scratch, { recursive: true, force: true });
  };
  try {
    log('starting the control plane');
    cp = await startControlPlane({ nodes: 1, stages: [READY_WHEN_SERVED_STAGE] });
    for (const text of o.before ?? []) await kubectl(cp, [...APPLY, '-f', '-'], text);
    await applyDist(cp, dist, log);
    for (const f of o.apply ?? []) await kubectl(cp, [...APPLY, '-f', f]);
    const deployment = traefikDeployment(dist);
    const address = loopbackAddress();
    deployment.spec.template.spec.containers[0].args.push(...(o.traefikArgs ?? []).map(a => a.replaceAll('{address}', address)));
    const entryPoints = entryPointsOf(deployment, address);
    const logFile = path.join(scratch, 'traefik.log');
    if (o.traefikLogLevel) deployment.spec.template.spec.containers[0].args.push(`--log.level=${o.traefikLogLevel}`);
    traefik = await startTraefik(cp, deployment, address, scratch, logFile, entryPoints, log);
    const plane = makePlane(cp, dist, pods, entryPoints, logFile, stop);
    // Every workload served and Ready (each pod is marked Ready once its backend listens) before the plane is handed over.
    await kubectl(cp, ['wait', '--for=condition=Available', 'deployment', '--all', '-A', '--timeout=120s']);
    return plane;
  } catch (e) {
    await stop();
    throw e;
  }
}

function makePlane(cp: ControlPlane, dist: string, pods: PodNetwork, entryPoints: EntryPoint[], logFile: string, stop: () => Promise<void>): DataPlane {
  const gone = new Map<string, number>();
  let stopped = false;
  let syncing: Promise<void> | undefined;
  const sync = () => {
    syncing ??= syncPods(cp, pods, gone).finally(() => { syncing = undefined; });
    return syncing;
  };
  // Pods come and go (a rolling update): follow them until stopped.
  const follow = async () => {
    while (!stopped) {
      await sync().catch(() => undefined);
      await new Promise(r => setTimeout(r, 150));
    }
  };
  void follow();
  const entry = (name: string) => {
    const e = entryPoints.find(x => x.name === name);
    if (!e) throw new Error(`no entry point ${name} (${entryPoints.map(x => x.name).join(', ')})`);
    return e;
  };
  return {
    cp, dist, entryPoints, entry,
    traefikLog: () => fs.existsSync(logFile) ? fs.readFileSync(logFile, 'utf8') : '',
    request: (name, host, urlPath = '/', opts = {}) => request(entry(name), host, urlPath, opts),
    apply: async text => { await kubectl(cp, [...APPLY, '-f', '-'], text); await sync(); },
    sync,
    stop: async () => { stopped = true; await syncing?.catch(() => undefined); await stop(); },
  };
}

async function kubectl(cp: ControlPlane, args: string[], input?: string): Promise<string> {
  const r = await cp.kubectl(args, { input, allowFail: true, timeoutMs: 180_000 });
  if (r.code !== 0) throw new Error(`kubectl ${args.join(' ')} failed: ${r.stderr.trim()}`);
  return r.stdout;
}

/** As the README says: the CRD files (and the Prometheus Operator's, when monitoring objects need them) first, then the folder. */
async function applyDist(cp: ControlPlane, dist: string, log: (l: string) => void): Promise<void> {
  const files = fs.readdirSync(dist).filter(f => f.endsWith('.yaml')).sort();
  const crds = files.filter(f => f.startsWith('crds-')).map(f => path.join(dist, f));
  const monitoring = files.some(f => /kind: (PodMonitor|ServiceMonitor|PrometheusRule)/.test(fs.readFileSync(path.join(dist, f), 'utf8')));
  if (monitoring) crds.push(PROMETHEUS_CRDS);
  log(`applying ${files.length} files of ${dist}`);
  if (crds.length > 0) {
    await kubectl(cp, [...APPLY, ...crds.flatMap(f => ['-f', f])]);
    await kubectl(cp, ['wait', '--for=condition=Established', 'crd', '--all', '--timeout=60s']);
  }
  if (monitoring) await kubectl(cp, ['create', 'namespace', 'monitoring']);
  await kubectl(cp, [...APPLY, '-f', dist]);
}

/** The Traefik Deployment the profile renders. */
function traefikDeployment(dist: string): any {
  for (const f of fs.readdirSync(dist).filter(x => x.endsWith('.yaml')).sort()) {
    for (const doc of parseAllDocuments(fs.readFileSync(path.join(dist, f), 'utf8'))) {
      const o = doc.toJS();
      if (o?.kind === 'Deployment' && o.spec?.template?.spec?.containers?.some((c: any) => /(^|\/)traefik:/.test(c.image))) return o;
    }
  }
  throw new Error(`no Traefik Deployment in ${dist}: the data plane needs a profile with Traefik (gateway, production)`);
}

/** A loopback address of its own per run, so entry points never meet another process's ports on 127.0.0.1. */
function loopbackAddress(): string {
  return `127.${100 + (process.pid % 100)}.${(process.pid >> 7) % 250 + 1}.${1 + (Date.now() % 250)}`;
}

/** The entry points as the Deployment's args declare them (`--entryPoints.NAME.address=:PORT/tcp`). */
function entryPointsOf(deployment: any, address: string): EntryPoint[] {
  const args: string[] = deployment.spec.template.spec.containers[0].args ?? [];
  return args.flatMap(a => {
    const m = /^--entryPoints\.([^.]+)\.address=:(\d+)(\/tcp)?$/.exec(a);
    if (!m) return [];
    const tls = args.includes(`--entryPoints.${m[1]}.http.tls=true`);
    return [{ name: m[1], host: address, port: Number(m[2]), url: `${tls ? 'https' : 'http'}://${address}:${m[2]}` }];
  });
}

/**
 * Starts the Traefik binary with the Deployment's args (listen addresses moved to `address`) and env (the downward
 * API's fields filled as the kubelet would), authenticated as the Deployment's ServiceAccount with a token of it, so
 * it can do exactly what the rendered RBAC lets it. Resolves once its ping answers.
 */
async function startTraefik(cp: ControlPlane, deployment: any, address: string, dir: string, logFile: string, entryPoints: EntryPoint[], log: (l: string) => void): Promise<ChildProcess> {
  const pod = deployment.spec.template.spec;
  const c = pod.containers[0];
  const namespace = deployment.metadata.namespace;
  const args: string[] = (c.args ?? []).map((a: string) => a.replace(/^(--entryPoints\.[^.]+\.address=):/, `$1${address}:`));
  const kubeconfig = path.join(dir, 'traefik.kubeconfig');
  const token = (await kubectl(cp, ['create', 'token', pod.serviceAccountName, '-n', namespace, '--duration=6h'])).trim();
  const admin = parseYaml(fs.readFileSync(cp.kubeconfig, 'utf8'));
  fs.writeFileSync(kubeconfig, JSON.stringify({
    apiVersion: 'v1', kind: 'Config', 'current-context': 'traefik',
    clusters: [{ name: 'cp', cluster: admin.clusters[0].cluster }],
    users: [{ name: 'traefik', user: { token } }],
    contexts: [{ name: 'traefik', context: { cluster: 'cp', user: 'traefik', namespace } }],
  }), { mode: 0o600 });
  const env: Record<string, string> = { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: dir, KUBECONFIG: kubeconfig };
  for (const e of c.env ?? []) {
    const field = e.valueFrom?.fieldRef?.fieldPath;
    env[e.name] = e.value ?? (field === 'metadata.name' ? 'traefik-dataplane' : field === 'metadata.namespace' ? namespace : '');
  }
  const out = fs.openSync(logFile, 'a');
  log(`starting Traefik on ${entryPoints.map(e => `${e.name} ${e.url}`).join(', ')}`);
  const child = spawn(traefikBinary().path!, args, { cwd: dir, env, stdio: ['ignore', out, out], detached: true });
  fs.closeSync(out);
  const ping = entryPoints.find(e => e.name === 'traefik');
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`Traefik exited ${child.exitCode}:\n${fs.readFileSync(logFile, 'utf8').slice(-2000)}`);
    const ok = ping ? await request(ping, 'localhost', '/ping', { timeoutMs: 1000 }).then(r => r.status === 200, () => false) : true;
    if (ok) return child;
    if (Date.now() > deadline) throw new Error(`Traefik did not answer /ping within 30 s:\n${fs.readFileSync(logFile, 'utf8').slice(-2000)}`);
    await new Promise(r => setTimeout(r, 200));
  }
}

/**
 * One pass, as the kubelets would do it: claims bound, a backend for each running pod with ports (but Traefik's own,
 * which runs on the host), each pod marked Ready once served, and the backends of pods gone for longer than a
 * graceful shutdown removed.
 */
async function syncPods(cp: ControlPlane, pods: PodNetwork, gone: Map<string, number>): Promise<void> {
  await bindClaims(cp);
  const running = JSON.parse(await kubectl(cp, ['get', 'pods', '-A', '-o', 'json'])).items
    .filter((p: any) => p.status?.podIP && p.status.phase === 'Running' && !p.metadata.deletionTimestamp);
  const now = Date.now();
  for (const p of running) {
    const e: PodEndpoint = {
      name: p.metadata.name, namespace: p.metadata.namespace, ip: p.status.podIP,
      ports: [...new Set<number>(p.spec.containers.flatMap((c: any) => [...(c.ports ?? []).map((x: any) => x.containerPort), ...undeclaredPorts(c)]))],
    };
    // Traefik's own pod is served by the binary on the host; a pod without ports has nothing to answer.
    const served = e.ports.length > 0 && !p.spec.containers.some((c: any) => /(^|\/)traefik:/.test(c.image));
    gone.delete(e.ip);
    if (served && !pods.has(e.ip)) await pods.add(e);
    const ready = (p.status.conditions ?? []).some((c: any) => c.type === 'Ready' && c.status === 'True');
    // What the kubelet does once the readiness probe passes (READY_WHEN_SERVED_STAGE leaves it to us).
    if (!ready) await kubectl(cp, ['-n', e.namespace, 'patch', 'pod', e.name, '--subresource=status', '--type=strategic', '-p', READY_PATCH]);
  }
  const current = new Set<string>(running.map((p: any) => p.status.podIP));
  for (const ip of pods.ips) {
    if (current.has(ip)) continue;
    if (!gone.has(ip)) gone.set(ip, now);
    else if (now - gone.get(ip)! > TERMINATION_GRACE_MS) { pods.remove(ip); gone.delete(ip); }
  }
}

/**
 * Ports a container listens on without declaring them: the Gateway API conformance suite's echo server (echo-basic)
 * serves HTTP on $HTTP_PORT, 3000 by default, and its Deployments declare no ports.
 */
function undeclaredPorts(c: any): number[] {
  if (!/(^|\/)echo-basic:/.test(c.image ?? '')) return [];
  return [Number((c.env ?? []).find((e: any) => e.name === 'HTTP_PORT')?.value ?? 3000)];
}

const READY_PATCH = JSON.stringify({ status: { conditions: [{ type: 'Ready', status: 'True' }, { type: 'ContainersReady', status: 'True' }] } });

/** A static volume for each Pending claim: no provisioner runs here (KIND's would make one). */
async function bindClaims(cp: ControlPlane): Promise<void> {
  const claims = JSON.parse(await kubectl(cp, ['get', 'pvc', '-A', '-o', 'json'])).items.filter((c: any) => c.status?.phase === 'Pending');
  for (const c of claims) await kubectl(cp, ['apply', '-f', '-'], JSON.stringify(staticVolume(c)));
}

function staticVolume(claim: any): object {
  const name = `dataplane-${claim.metadata.namespace}-${claim.metadata.name}`.slice(0, 253);
  return {
    apiVersion: 'v1', kind: 'PersistentVolume', metadata: { name },
    spec: {
      capacity: { storage: claim.spec.resources.requests.storage }, accessModes: claim.spec.accessModes,
      hostPath: { path: `/tmp/${name}` }, persistentVolumeReclaimPolicy: 'Delete',
      claimRef: { namespace: claim.metadata.namespace, name: claim.metadata.name },
      ...(claim.spec.storageClassName ? { storageClassName: claim.spec.storageClassName } : {}),
    },
  };
}

/** Where a request landed, from the backend's JSON (which carries echo-basic's fields too: headers, proto, ...). */
function landedOf(j: any): Reply['landed'] {
  return { pod: j.pod, namespace: j.namespace, port: j.port, host: j.host, path: j.path, method: j.method };
}

/** One request, bounded in time; the backend's JSON parsed when it is one. */
function request(e: EntryPoint, host: string, urlPath: string, opts: { ca?: string; timeoutMs?: number }): Promise<Reply> {
  const secure = e.url.startsWith('https:');
  return new Promise((resolve, reject) => {
    const req = (secure ? https : http).request({
      host: e.host, port: e.port, path: urlPath, method: 'GET', headers: { host }, timeout: opts.timeoutMs ?? 5000,
      ...(secure ? { servername: host, ca: opts.ca, rejectUnauthorized: opts.ca !== undefined, agent: false } : { agent: false }),
    }, res => {
      let body = '';
      res.setEncoding('utf8').on('data', d => { body += d; }).on('end', () => {
        let landed;
        try { landed = res.headers['x-backend-pod'] ? landedOf(JSON.parse(body)) : undefined; } catch { landed = undefined; }
        const cert = secure ? (res.socket as import('node:tls').TLSSocket).getPeerCertificate?.() : undefined;
        resolve({
          status: res.statusCode ?? 0, headers: res.headers, body, landed,
          ...(cert && cert.fingerprint256 ? { certificate: { subject: String(cert.subject?.CN ?? ''), fingerprint256: cert.fingerprint256 } } : {}),
        });
      });
    });
    req.on('timeout', () => req.destroy(new Error(`no answer from ${e.url} for ${host}${urlPath} within ${opts.timeoutMs ?? 5000} ms`)));
    req.on('error', reject);
    req.end();
  });
}
