/**
 * A throwaway, real Kubernetes control plane for verifying manifests.
 *
 * Starts etcd, kube-apiserver, kube-controller-manager, kube-scheduler and kwok
 * (which simulates nodes, so Pods get scheduled and become Ready) built from
 * pinned upstream Go sources by tools/controlplane/build.mjs. Everything listens
 * on 127.0.0.1 on ports the OS hands out, with certificates made for this run
 * only, and Node,RBAC authorization. stop() ends every process and removes the
 * data folder; so do process exit, SIGINT/SIGTERM, and, if this process is
 * killed outright, a small watchdog process.
 *
 * Plain TypeScript with node: imports only, so it runs under vitest and bundled
 * by esbuild (CommonJS).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as https from 'node:https';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { localStagesYaml } from './kwok-stages';

export interface ControlPlaneOptions {
  /** Repository root (holds tools/controlplane/build.mjs). Found from the cwd by default. */
  repoRoot?: string;
  /** Folder with the binaries; overrides the build cache. Env: LOCAL_HANDS_CONTROLPLANE_BIN. */
  binDir?: string;
  /** Build the binaries when they are missing (slow the first time). Default true. */
  build?: boolean;
  /**
   * The kwok-simulated nodes: a count (named kwok-node-0, kwok-node-1, ...) or
   * each node with its own labels. 0 or [] starts no kwok. Default 1.
   */
  nodes?: number | readonly SimulatedNode[];
  /** Labels put on every simulated node (kubernetes.io/os=linux etc. are always set). */
  nodeLabels?: Record<string, string>;
  /**
   * How fast a node that stops heartbeating is noticed and its pods evicted.
   * FAST_NODE_LIFECYCLE does it in seconds. Default: Kubernetes' own timings
   * (50 s grace, 300 s tolerations), with a 40 s kwok node lease.
   */
  nodeLifecycle?: NodeLifecycle;
  /**
   * More kube-controller-manager flags, e.g. `--horizontal-pod-autoscaler-sync-period=2s` so a drill sees an
   * autoscaler act in seconds (the default 15 s is also how long a new HPA waits for its first sync). Default none.
   */
  controllerManagerFlags?: readonly string[];
  /**
   * More kube-apiserver flags, e.g. `--runtime-config=api/all=true` so discovery lists every API the release
   * has, alpha and beta included (scripts/capture-api-scopes.ts). Default none.
   */
  apiServerFlags?: readonly string[];
  /** More kwok stages, after our own (e.g. READY_WHEN_SERVED_STAGE). Default none. */
  stages?: readonly object[];
  /** How long to wait for the whole control plane to become ready. Default 180 s. */
  startTimeoutMs?: number;
  /** Progress messages. Default: silent. */
  log?: (msg: string) => void;
}

export interface SimulatedNode {
  readonly name: string;
  /** Merged over the defaults (kubernetes.io/os=linux, kubernetes.io/arch=amd64, kubernetes.io/hostname=<name>) and nodeLabels. */
  readonly labels?: Record<string, string>;
}

/** Node lifecycle timings; each field left out keeps the upstream default. */
export interface NodeLifecycle {
  /** kube-controller-manager --node-monitor-period: how often node health is checked. Upstream default 5 s. */
  readonly nodeMonitorPeriodSeconds?: number;
  /** kube-controller-manager --node-monitor-grace-period: a node whose lease is older is marked Unknown and tainted. Upstream default 50 s. */
  readonly nodeMonitorGracePeriodSeconds?: number;
  /** kwok --node-lease-duration-seconds; kwok renews each lease every quarter of it, so keep it below the grace period. Default 40. */
  readonly nodeLeaseDurationSeconds?: number;
  /** kube-apiserver --default-not-ready-toleration-seconds, put on every pod by the DefaultTolerationSeconds admission. Upstream default 300. */
  readonly notReadyTolerationSeconds?: number;
  /** kube-apiserver --default-unreachable-toleration-seconds, likewise. Upstream default 300. */
  readonly unreachableTolerationSeconds?: number;
}

/**
 * A failed node is marked Unknown about 4-5 s after its last lease renewal and
 * its pods are evicted 2 s later. The lease is renewed every second, so a busy
 * 2-core machine still has 3 s of slack before a healthy node looks failed.
 */
export const FAST_NODE_LIFECYCLE: NodeLifecycle = {
  nodeMonitorPeriodSeconds: 1,
  nodeMonitorGracePeriodSeconds: 4,
  nodeLeaseDurationSeconds: 4,
  notReadyTolerationSeconds: 2,
  unreachableTolerationSeconds: 2,
};

export interface KubectlOptions {
  /** Written to kubectl's stdin. */
  input?: string;
  /** Do not throw on a non-zero exit code. */
  allowFail?: boolean;
  /** Kill kubectl after this long. Default 120 s. */
  timeoutMs?: number;
}

export interface KubectlResult {
  code: number;
  stdout: string;
  stderr: string;
}

export type Component = 'etcd' | 'kube-apiserver' | 'kube-controller-manager' | 'kube-scheduler' | 'kwok';

export interface ControlPlane {
  /** Admin kubeconfig (client certificate in group system:masters). */
  readonly kubeconfig: string;
  /** https://127.0.0.1:<port> */
  readonly server: string;
  /** Data folder (certificates, etcd data, logs); removed by stop(). */
  readonly dataDir: string;
  readonly binDir: string;
  /** Names of the simulated nodes. */
  readonly nodes: string[];
  /**
   * Simulates a node failure: kwok stops managing the node, so its lease is no
   * longer renewed and its pods are left as they are (a dead kubelet); the node
   * lifecycle controller then marks it Unknown and taints it.
   */
  failNode(name: string): Promise<void>;
  /** Lets kwok manage the node again: its lease is renewed and it turns Ready. */
  restoreNode(name: string): Promise<void>;
  /** Runs the pinned kubectl against this control plane. */
  kubectl(args: string[], opts?: KubectlOptions): Promise<KubectlResult>;
  /** Process ids (each one the leader of its own process group) of everything started. */
  pids(): number[];
  /** The log of one component (while the data folder still exists). */
  logs(component: Component): string;
  /** Stops every process and removes the data folder. Safe to call twice. */
  stop(): Promise<void>;
}

const COMPONENTS: Component[] = ['etcd', 'kube-apiserver', 'kube-controller-manager', 'kube-scheduler', 'kwok'];
const BINARIES = [...COMPONENTS, 'kubectl'];
const KWOK_STAGES_FILE = 'kwok-stages.yaml';
// kwok manages the nodes carrying this label. A label, not an annotation: the
// API server filters a watch by label, and tells kwok a node was deleted when
// it stops matching, which is what makes kwok release the node (failNode).
const MANAGED_LABEL = 'kwok.x-k8s.io/node';
const MANAGED = 'fake';
const UNMANAGED = 'failed';

// ---------------------------------------------------------------- locating

export function findRepoRoot(start?: string): string {
  const candidates: string[] = [];
  if (start) candidates.push(start);
  candidates.push(process.cwd());
  if (typeof __dirname === 'string') candidates.push(__dirname);
  for (const c of candidates) {
    let dir = path.resolve(c);
    for (;;) {
      if (fs.existsSync(path.join(dir, 'tools', 'controlplane', 'build.mjs'))) return dir;
      const up = path.dirname(dir);
      if (up === dir) break;
      dir = up;
    }
  }
  throw new Error('cannot find the repository root (a folder holding tools/controlplane/build.mjs)');
}

function hasBinaries(dir: string): boolean {
  return BINARIES.every((b) => fs.existsSync(path.join(dir, b))) && fs.existsSync(path.join(dir, KWOK_STAGES_FILE));
}

/**
 * The folder with the control plane binaries. Runs the build script, which is
 * instant when the cache matches the pins, and builds otherwise (if allowed).
 */
export function resolveBinDir(opts: { repoRoot?: string; binDir?: string; build?: boolean } = {}): string {
  const explicit = opts.binDir ?? process.env.LOCAL_HANDS_CONTROLPLANE_BIN;
  if (explicit) {
    if (!hasBinaries(explicit)) throw new Error(`${explicit} does not hold all of ${BINARIES.join(', ')} and ${KWOK_STAGES_FILE}`);
    return explicit;
  }
  const root = findRepoRoot(opts.repoRoot);
  const script = path.join(root, 'tools', 'controlplane', 'build.mjs');
  const probe = spawnSync(process.execPath, [script, '--print-bin-dir', '--check'], { encoding: 'utf8' });
  const dir = probe.stdout.trim();
  if (probe.status === 0 && dir && hasBinaries(dir)) return dir;
  if (opts.build === false) {
    throw new Error(
      'The control plane binaries are not built (or the pins in tools/controlplane changed). ' +
        'Run `npm run controlplane:build` (needs Go; the first build takes a long time).',
    );
  }
  const built = spawnSync(process.execPath, [script, '--print-bin-dir'], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const out = (built.stdout ?? '').trim();
  if (built.status !== 0 || !out || !hasBinaries(out)) {
    throw new Error('Building the control plane failed; run `npm run controlplane:build` to see why (needs Go on PATH).');
  }
  return out;
}

// ---------------------------------------------------------------- cleanup registry

interface Running {
  pgids: Set<number>;
  dataDir: string;
  /** SIGKILLs every group and resolves once our children are reaped (no zombies left for PID 1). */
  kill: () => Promise<void>;
}
const running = new Set<Running>();
let handlersInstalled = false;

function killGroup(pgid: number, signal: NodeJS.Signals | 0): boolean {
  try {
    process.kill(-pgid, signal);
    return true;
  } catch {
    return false;
  }
}

function cleanupAllSync(): void {
  for (const r of running) {
    for (const pgid of r.pgids) killGroup(pgid, 'SIGKILL');
    try {
      fs.rmSync(r.dataDir, { recursive: true, force: true });
    } catch {
      /* best effort */
    }
  }
  running.clear();
}

function installHandlers(): void {
  if (handlersInstalled) return;
  handlersInstalled = true;
  process.on('exit', cleanupAllSync);
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    const handler = (): void => {
      process.removeListener(sig, handler);
      // Keep the default behaviour (exit by that signal) unless someone else handles it.
      const reraise = process.listenerCount(sig) === 0;
      const all = Promise.all([...running].map((r) => r.kill()));
      void Promise.race([all, sleep(3000)]).finally(() => {
        cleanupAllSync();
        if (reraise) process.kill(process.pid, sig);
      });
    };
    process.on(sig, handler);
  }
}

/**
 * A detached watchdog: when this process dies without cleaning up (SIGKILL,
 * crash), it kills the process groups listed in <dataDir>/pgids and removes the
 * data folder. It exits by itself once the data folder is gone.
 */
const WATCHDOG = `
const fs = require('fs'); const path = require('path');
const parent = Number(process.argv[1]); const dir = process.argv[2];
function alive(pid) {
  try { const s = fs.readFileSync('/proc/' + pid + '/stat', 'utf8'); return s[s.lastIndexOf(')') + 2] !== 'Z'; } catch {}
  try { process.kill(pid, 0); return true; } catch (e) { return e.code === 'EPERM'; }
}
setInterval(() => {
  if (!fs.existsSync(dir)) process.exit(0);
  if (alive(parent)) return;
  let pgids = [];
  try { pgids = fs.readFileSync(path.join(dir, 'pgids'), 'utf8').split(/\\s+/).filter(Boolean).map(Number); } catch {}
  for (const g of pgids) { try { process.kill(-g, 'SIGKILL'); } catch {} }
  setTimeout(() => { try { fs.rmSync(dir, { recursive: true, force: true }); } catch {} process.exit(0); }, 500);
}, 500);
`;

// ---------------------------------------------------------------- helpers

async function freePorts(n: number): Promise<number[]> {
  const servers: net.Server[] = [];
  try {
    const ports: number[] = [];
    for (let i = 0; i < n; i++) {
      const srv = net.createServer();
      servers.push(srv);
      await new Promise<void>((resolve, reject) => {
        srv.once('error', reject);
        srv.listen(0, '127.0.0.1', () => resolve());
      });
      ports.push((srv.address() as net.AddressInfo).port);
    }
    return ports;
  } finally {
    await Promise.all(servers.map((s) => new Promise<void>((resolve) => s.close(() => resolve()))));
  }
}

function openssl(args: string[], cwd: string): void {
  const r = spawnSync('openssl', args, { cwd, encoding: 'utf8' });
  if (r.error) throw new Error(`openssl is required to make the control plane's certificates: ${r.error.message}`);
  if (r.status !== 0) throw new Error(`openssl ${args.join(' ')} failed: ${r.stderr}`);
}

interface Pki {
  ca: string;
  files: Record<string, { cert: string; key: string }>;
  saKey: string;
  saPub: string;
}

function makePki(dir: string): Pki {
  fs.mkdirSync(dir, { recursive: true });
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  openssl(
    ['req', '-x509', ...ec, '-keyout', 'ca.key', '-out', 'ca.crt', '-days', '7', '-subj', '/CN=local-hands-verify-ca',
      '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign,digitalSignature'],
    dir,
  );
  const leaf = (name: string, subj: string, usage: 'serverAuth' | 'clientAuth', san?: string): void => {
    const args = ['req', '-x509', ...ec, '-keyout', `${name}.key`, '-out', `${name}.crt`, '-days', '7', '-subj', subj,
      '-CA', 'ca.crt', '-CAkey', 'ca.key', '-addext', 'basicConstraints=critical,CA:FALSE',
      '-addext', 'keyUsage=critical,digitalSignature,keyEncipherment', '-addext', `extendedKeyUsage=${usage}`];
    if (san) args.push('-addext', `subjectAltName=${san}`);
    openssl(args, dir);
  };
  leaf('apiserver', '/CN=kube-apiserver', 'serverAuth', 'IP:127.0.0.1,IP:10.0.0.1,DNS:localhost,DNS:kubernetes,DNS:kubernetes.default,DNS:kubernetes.default.svc');
  leaf('admin', '/O=system:masters/CN=local-hands-admin', 'clientAuth');
  leaf('controller-manager', '/CN=system:kube-controller-manager', 'clientAuth');
  leaf('scheduler', '/CN=system:kube-scheduler', 'clientAuth');
  openssl(['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', 'sa.key'], dir);
  openssl(['pkey', '-in', 'sa.key', '-pubout', '-out', 'sa.pub'], dir);
  const f = (n: string): { cert: string; key: string } => ({ cert: path.join(dir, `${n}.crt`), key: path.join(dir, `${n}.key`) });
  return {
    ca: path.join(dir, 'ca.crt'),
    files: { apiserver: f('apiserver'), admin: f('admin'), 'controller-manager': f('controller-manager'), scheduler: f('scheduler') },
    saKey: path.join(dir, 'sa.key'),
    saPub: path.join(dir, 'sa.pub'),
  };
}

function writeKubeconfig(file: string, server: string, ca: string, cert: string, key: string, user: string): void {
  fs.writeFileSync(
    file,
    [
      'apiVersion: v1',
      'kind: Config',
      'clusters:',
      '- name: local-hands-verify',
      '  cluster:',
      `    server: ${server}`,
      `    certificate-authority: ${JSON.stringify(ca)}`,
      'users:',
      `- name: ${user}`,
      '  user:',
      `    client-certificate: ${JSON.stringify(cert)}`,
      `    client-key: ${JSON.stringify(key)}`,
      'contexts:',
      '- name: local-hands-verify',
      '  context:',
      '    cluster: local-hands-verify',
      `    user: ${user}`,
      'current-context: local-hands-verify',
      '',
    ].join('\n'),
    { mode: 0o600 },
  );
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

function tail(file: string, lines = 30): string {
  try {
    return fs.readFileSync(file, 'utf8').split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}

interface Tls {
  ca: Buffer;
  cert: Buffer;
  key: Buffer;
}

/** One request to the API server as the admin: cheaper than spawning kubectl, for the start sequence. */
function httpsRequest(url: string, tls: Tls, method = 'GET', body?: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const headers = body === undefined ? {} : { 'content-type': 'application/json' };
    const req = https.request(url, { ...tls, method, headers, timeout: 5000 }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (text += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
    req.end(body);
  });
}

/** The names of the nodes whose Ready condition is True, from a NodeList. */
function readyNodeNames(nodeList: string): Set<string> {
  const list = JSON.parse(nodeList) as { items: { metadata: { name: string }; status?: { conditions?: { type: string; status: string }[] } }[] };
  return new Set(
    list.items.filter((n) => n.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True')).map((n) => n.metadata.name),
  );
}

// ---------------------------------------------------------------- nodes

function simulatedNodes(opts: ControlPlaneOptions): readonly SimulatedNode[] {
  const n = opts.nodes ?? 1;
  if (typeof n !== 'number') {
    const names = n.map((x) => x.name);
    const dup = names.find((x, i) => names.indexOf(x) !== i);
    if (dup) throw new Error(`simulated node ${dup} is listed twice`);
    return n;
  }
  return Array.from({ length: n }, (_, i) => ({ name: `kwok-node-${i}` }));
}

/** The Node objects kwok is to manage, one JSON document each. */
function nodeManifests(opts: ControlPlaneOptions): string[] {
  const resources = { cpu: '32', memory: '256Gi', pods: '110' };
  return simulatedNodes(opts).map((node) => {
    const labels: Record<string, string> = {
      'kubernetes.io/os': 'linux',
      'kubernetes.io/arch': 'amd64',
      'kubernetes.io/hostname': node.name,
      type: 'kwok',
      ...opts.nodeLabels,
      ...node.labels,
      [MANAGED_LABEL]: MANAGED,
    };
    return JSON.stringify({
      apiVersion: 'v1',
      kind: 'Node',
      metadata: { name: node.name, labels, annotations: { 'node.alpha.kubernetes.io/ttl': '0' } },
      status: { allocatable: resources, capacity: resources },
    });
  });
}

function etcdArgs(dataDir: string, etcdUrl: string, peerPort: number): string[] {
  return [
    '--name=verify',
    `--data-dir=${path.join(dataDir, 'etcd')}`,
    `--listen-client-urls=${etcdUrl}`,
    `--advertise-client-urls=${etcdUrl}`,
    `--listen-peer-urls=http://127.0.0.1:${peerPort}`,
    `--initial-advertise-peer-urls=http://127.0.0.1:${peerPort}`,
    `--initial-cluster=verify=http://127.0.0.1:${peerPort}`,
    '--initial-cluster-state=new',
    '--unsafe-no-fsync', // throwaway data: speed over durability
    '--quota-backend-bytes=1073741824',
    '--log-level=warn',
  ];
}

function apiserverLifecycleFlags(l: NodeLifecycle = {}): string[] {
  const flags: string[] = [];
  if (l.notReadyTolerationSeconds !== undefined) flags.push(`--default-not-ready-toleration-seconds=${l.notReadyTolerationSeconds}`);
  if (l.unreachableTolerationSeconds !== undefined) flags.push(`--default-unreachable-toleration-seconds=${l.unreachableTolerationSeconds}`);
  return flags;
}

function controllerManagerLifecycleFlags(l: NodeLifecycle = {}): string[] {
  const flags: string[] = [];
  if (l.nodeMonitorPeriodSeconds !== undefined) flags.push(`--node-monitor-period=${l.nodeMonitorPeriodSeconds}s`);
  if (l.nodeMonitorGracePeriodSeconds !== undefined) flags.push(`--node-monitor-grace-period=${l.nodeMonitorGracePeriodSeconds}s`);
  return flags;
}

// ---------------------------------------------------------------- start

export async function startControlPlane(opts: ControlPlaneOptions = {}): Promise<ControlPlane> {
  const log = opts.log ?? ((): void => undefined);
  const t0 = Date.now();
  const binDir = resolveBinDir(opts);
  const deadline = Date.now() + (opts.startTimeoutMs ?? 180_000);

  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'local-hands-cp-'));
  const logDir = path.join(dataDir, 'logs');
  fs.mkdirSync(logDir);
  const children = new Map<Component | 'watchdog', ChildProcess>();
  const exited = new Map<string, number | string>();
  let stopped = false;
  const state: Running = {
    pgids: new Set(),
    dataDir,
    kill: async () => {
      for (const [name, c] of children) if (name !== 'watchdog' && c.pid) killGroup(c.pid, 'SIGKILL');
      const until = Date.now() + 2000;
      while (Date.now() < until && [...children.keys()].some((n) => n !== 'watchdog' && !exited.has(n))) await sleep(20);
    },
  };
  installHandlers();
  running.add(state);

  const writePgids = (): void => {
    fs.writeFileSync(path.join(dataDir, 'pgids'), [...state.pgids].join('\n') + '\n');
  };

  const watchdog = spawn(process.execPath, ['-e', WATCHDOG, String(process.pid), dataDir], {
    detached: true,
    stdio: 'ignore',
  });
  watchdog.unref();
  if (watchdog.pid) children.set('watchdog', watchdog);

  const launch = (name: Component, args: string[]): ChildProcess => {
    const out = fs.openSync(path.join(logDir, `${name}.log`), 'a');
    const child = spawn(path.join(binDir, name), args, {
      cwd: dataDir,
      detached: true,
      stdio: ['ignore', out, out],
      env: { ...process.env, HOME: dataDir },
    });
    fs.closeSync(out);
    if (child.pid) {
      state.pgids.add(child.pid);
      writePgids();
    }
    child.on('exit', (code, signal) => exited.set(name, code ?? signal ?? '?'));
    child.on('error', (e) => exited.set(name, e.message));
    child.unref();
    children.set(name, child);
    return child;
  };

  const ensureAlive = (): void => {
    for (const [name, why] of exited) {
      throw new Error(`${name} exited (${why}) while starting:\n${tail(path.join(logDir, `${name}.log`))}`);
    }
  };

  const stop = async (): Promise<void> => {
    if (stopped) return;
    stopped = true;
    // The data is thrown away, so nothing needs a graceful shutdown: SIGTERM made
    // the apiserver wait on etcd and its clients (1.5 s in order, 5 s at once).
    const names = COMPONENTS.filter((n) => children.get(n)?.pid);
    for (const name of names) killGroup(children.get(name)!.pid!, 'SIGKILL');
    const until = Date.now() + 2000;
    while (names.some((n) => !exited.has(n)) && Date.now() < until) await sleep(20);
    fs.rmSync(dataDir, { recursive: true, force: true });
    running.delete(state);
    // The watchdog exits by itself once the data folder is gone; make sure.
    if (watchdog.pid) {
      const until = Date.now() + 2000;
      while (Date.now() < until && killGroup(watchdog.pid, 0)) await sleep(50);
      killGroup(watchdog.pid, 'SIGKILL');
    }
  };

  try {
    const [etcdClient, etcdPeer, apiPort, kwokPort] = await freePorts(4);
    const server = `https://127.0.0.1:${apiPort}`;
    const etcdUrl = `http://127.0.0.1:${etcdClient}`;
    // etcd needs no certificates (plain http on loopback): it starts while they are made.
    launch('etcd', etcdArgs(dataDir, etcdUrl, etcdPeer));
    const pki = makePki(path.join(dataDir, 'pki'));
    const kubeconfig = path.join(dataDir, 'admin.kubeconfig');
    writeKubeconfig(kubeconfig, server, pki.ca, pki.files.admin.cert, pki.files.admin.key, 'admin');
    const kcmKubeconfig = path.join(dataDir, 'controller-manager.kubeconfig');
    writeKubeconfig(kcmKubeconfig, server, pki.ca, pki.files['controller-manager'].cert, pki.files['controller-manager'].key, 'kube-controller-manager');
    const schedKubeconfig = path.join(dataDir, 'scheduler.kubeconfig');
    writeKubeconfig(schedKubeconfig, server, pki.ca, pki.files.scheduler.cert, pki.files.scheduler.key, 'kube-scheduler');

    log(`data folder ${dataDir}; etcd :${etcdClient}, kube-apiserver :${apiPort}`);
    launch('kube-apiserver', [
      `--etcd-servers=${etcdUrl}`,
      '--bind-address=127.0.0.1',
      '--advertise-address=127.0.0.1',
      `--secure-port=${apiPort}`,
      `--tls-cert-file=${pki.files.apiserver.cert}`,
      `--tls-private-key-file=${pki.files.apiserver.key}`,
      `--client-ca-file=${pki.ca}`,
      '--authorization-mode=Node,RBAC',
      '--service-cluster-ip-range=10.0.0.0/24',
      `--service-account-issuer=https://kubernetes.default.svc`,
      `--service-account-key-file=${pki.saPub}`,
      `--service-account-signing-key-file=${pki.saKey}`,
      '--allow-privileged=true',
      '--endpoint-reconciler-type=none', // 127.0.0.1 is not a valid endpoint address
      '--enable-priority-and-fairness=false',
      '--profiling=false',
      ...apiserverLifecycleFlags(opts.nodeLifecycle),
      ...(opts.apiServerFlags ?? []),
      '--v=0',
    ]);

    const tls = {
      ca: fs.readFileSync(pki.ca),
      cert: fs.readFileSync(pki.files.admin.cert),
      key: fs.readFileSync(pki.files.admin.key),
    };
    let lastReadyz = '';
    for (;;) {
      ensureAlive();
      try {
        const r = await httpsRequest(`${server}/readyz`, tls);
        if (r.status === 200) break;
        lastReadyz = r.body;
      } catch (e) {
        lastReadyz = (e as Error).message;
      }
      if (Date.now() > deadline) throw new Error(`kube-apiserver not ready in time: ${lastReadyz}\n${tail(path.join(logDir, 'kube-apiserver.log'))}`);
      await sleep(100);
    }
    log(`kube-apiserver ready after ${((Date.now() - t0) / 1000).toFixed(1)}s`);

    launch('kube-controller-manager', [
      `--kubeconfig=${kcmKubeconfig}`,
      `--authentication-kubeconfig=${kcmKubeconfig}`,
      `--authorization-kubeconfig=${kcmKubeconfig}`,
      '--secure-port=0',
      '--leader-elect=false',
      '--use-service-account-credentials=true',
      // Each controller's own credentials take a few requests to set up, ~40
      // controllers in a row: at the default client-side limit (20 QPS, burst 30)
      // that alone held the default ServiceAccount back ~5 s.
      '--kube-api-qps=500',
      '--kube-api-burst=1000',
      `--service-account-private-key-file=${pki.saKey}`,
      `--root-ca-file=${pki.ca}`,
      `--cluster-signing-cert-file=${pki.ca}`,
      `--cluster-signing-key-file=${path.join(dataDir, 'pki', 'ca.key')}`,
      '--controllers=*',
      ...controllerManagerLifecycleFlags(opts.nodeLifecycle),
      ...(opts.controllerManagerFlags ?? []),
      '--v=0',
    ]);
    launch('kube-scheduler', [
      `--kubeconfig=${schedKubeconfig}`,
      `--authentication-kubeconfig=${schedKubeconfig}`,
      `--authorization-kubeconfig=${schedKubeconfig}`,
      '--secure-port=0',
      '--leader-elect=false',
      '--v=0',
    ]);

    const kubectl = (args: string[], kopts: KubectlOptions = {}): Promise<KubectlResult> =>
      new Promise((resolve, reject) => {
        const child = spawn(path.join(binDir, 'kubectl'), [`--kubeconfig=${kubeconfig}`, ...args], {
          stdio: ['pipe', 'pipe', 'pipe'],
          env: { ...process.env, KUBECONFIG: kubeconfig, HOME: dataDir },
        });
        let stdout = '';
        let stderr = '';
        child.stdout.setEncoding('utf8').on('data', (c: string) => (stdout += c));
        child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c));
        const timer = setTimeout(() => child.kill('SIGKILL'), kopts.timeoutMs ?? 120_000);
        child.on('error', (e) => {
          clearTimeout(timer);
          reject(e);
        });
        child.on('close', (code, signal) => {
          clearTimeout(timer);
          const res = { code: code ?? (signal ? 128 : 1), stdout, stderr };
          if (res.code !== 0 && !kopts.allowFail) {
            reject(new Error(`kubectl ${args.join(' ')} exited ${res.code}${signal ? ` (${signal})` : ''}:\n${stderr || stdout}`));
          } else resolve(res);
        });
        child.stdin.on('error', () => undefined);
        child.stdin.end(kopts.input ?? '');
      });

    const nodes = simulatedNodes(opts).map((n) => n.name);
    if (nodes.length > 0) {
      const stagesFile = path.join(dataDir, 'local-stages.yaml');
      fs.writeFileSync(stagesFile, localStagesYaml(opts.stages));
      launch('kwok', [
        `--kubeconfig=${kubeconfig}`,
        `--config=${path.join(binDir, KWOK_STAGES_FILE)}`,
        `--config=${stagesFile}`,
        `--manage-nodes-with-label-selector=${MANAGED_LABEL}=${MANAGED}`,
        `--server-address=127.0.0.1:${kwokPort}`,
        '--cidr=10.244.0.1/16',
        '--node-ip=10.0.1.1',
        `--node-lease-duration-seconds=${opts.nodeLifecycle?.nodeLeaseDurationSeconds ?? 40}`,
      ]);
      for (const node of nodeManifests(opts)) {
        const r = await httpsRequest(`${server}/api/v1/nodes`, tls, 'POST', node);
        if (r.status !== 201) throw new Error(`creating a simulated node failed (${r.status}): ${r.body}`);
      }
    }
    const setManaged = async (name: string, value: string): Promise<void> => {
      if (!nodes.includes(name)) throw new Error(`${name} is not one of the simulated nodes (${nodes.join(', ')})`);
      await kubectl(['label', 'node', name, `${MANAGED_LABEL}=${value}`, '--overwrite']);
    };

    // Ready: the controller-manager made the default ServiceAccount (pods need it)
    // and kwok reports every node Ready. Asked over https: a kubectl per poll
    // costs more CPU than the components being waited for get on 2 cores.
    const api = async (p: string): Promise<{ status: number; body: string }> =>
      httpsRequest(`${server}${p}`, tls).catch((e: Error) => ({ status: 0, body: e.message }));
    for (;;) {
      ensureAlive();
      const sa = await api('/api/v1/namespaces/default/serviceaccounts/default');
      let nodesReady = true;
      if (nodes.length > 0) {
        const r = await api('/api/v1/nodes');
        const ready = r.status === 200 ? readyNodeNames(r.body) : new Set<string>();
        nodesReady = nodes.every((n) => ready.has(n));
      }
      if (sa.status === 200 && nodesReady) break;
      if (Date.now() > deadline) {
        throw new Error(
          `control plane not ready in time (default ServiceAccount: ${sa.status === 200}, nodes ready: ${nodesReady})\n` +
            `kube-controller-manager:\n${tail(path.join(logDir, 'kube-controller-manager.log'), 15)}\nkwok:\n${tail(path.join(logDir, 'kwok.log'), 15)}`,
        );
      }
      await sleep(100);
    }
    log(`control plane ready after ${((Date.now() - t0) / 1000).toFixed(1)}s`);

    return {
      kubeconfig,
      server,
      dataDir,
      binDir,
      nodes,
      kubectl,
      failNode: (name) => setManaged(name, UNMANAGED),
      restoreNode: (name) => setManaged(name, MANAGED),
      pids: () => [...children.values()].map((c) => c.pid).filter((p): p is number => typeof p === 'number'),
      logs: (c: Component) => {
        try {
          return fs.readFileSync(path.join(logDir, `${c}.log`), 'utf8');
        } catch {
          return '';
        }
      },
      stop,
    };
  } catch (e) {
    await stop();
    throw e;
  }
}

export { COMPONENTS };
