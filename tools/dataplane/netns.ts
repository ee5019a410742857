/**
 * Pods as real network endpoints: one network namespace per pod IP, joined to the host by a veth pair and routed
 * (a /32 route on the host, a default route in the namespace), with `backend.cjs` inside listening on the pod's
 * container ports. The API server refuses loopback addresses in EndpointSlices, so the backends Traefik routes to
 * must live at the routable pod IPs kwok assigns; namespaces we create keep them off the machine's own network.
 *
 * Everything is named `lhdp<run>n<index>` (a run id per harness, so two runs never touch each other's), and
 * `sweepStale` removes what a killed run left behind.
 */
import { ChildProcess, spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { findRepoRoot } from '../controlplane/controlplane';

// Found from the repository root: this module also runs bundled into .build/.
const BACKEND = path.join(findRepoRoot(), 'tools', 'dataplane', 'backend.cjs');
/** The host side of every veth pair carries this address, so replies from a namespace have a route back. */
const HOST_SIDE = '169.254.254.1';
const PREFIX = 'lhdp';

function ip(args: string[], allowFail = false): { code: number; stderr: string; stdout: string } {
  const r = spawnSync('ip', args, { encoding: 'utf8', timeout: 10_000 });
  const out = { code: r.status ?? 1, stderr: r.stderr ?? String(r.error ?? ''), stdout: r.stdout ?? '' };
  if (out.code !== 0 && !allowFail) throw new Error(`ip ${args.join(' ')} failed: ${out.stderr.trim()}`);
  return out;
}

/** Whether this machine lets us make network namespaces (root, iproute2). */
export function netnsAvailable(): string | undefined {
  if (process.getuid?.() !== 0) return 'network namespaces need root';
  const r = spawnSync('ip', ['netns', 'list'], { encoding: 'utf8' });
  if (r.error || r.status !== 0) return `ip netns is not usable: ${r.error?.message ?? r.stderr}`;
  return undefined;
}

export interface PodEndpoint {
  readonly name: string;
  readonly namespace: string;
  readonly ip: string;
  readonly ports: readonly number[];
}

interface Materialized {
  readonly netns: string;
  readonly hostLink: string;
  readonly process: ChildProcess;
  readonly endpoint: PodEndpoint;
}

/** The backends of one harness run. */
export class PodNetwork {
  private readonly run: string;
  private readonly live = new Map<string, Materialized>();
  private next = 0;

  constructor() {
    // Interface names have at most 15 characters: lhdp + the pid in base 36 (at most 5) + n + index + h/p.
    this.run = process.pid.toString(36);
  }

  /** The pod IPs served now. */
  get ips(): string[] {
    return [...this.live.keys()];
  }

  has(ip: string): boolean {
    return this.live.has(ip);
  }

  /** Starts a backend at the pod's IP; resolves once it listens on every port. */
  async add(e: PodEndpoint): Promise<void> {
    if (this.live.has(e.ip)) return;
    const n = this.next++;
    const netns = `${PREFIX}${this.run}n${n}`;
    const hostLink = `${netns}h`;
    const podLink = `${netns}p`;
    ip(['netns', 'add', netns]);
    try {
      ip(['link', 'add', hostLink, 'type', 'veth', 'peer', 'name', podLink]);
      ip(['link', 'set', podLink, 'netns', netns]);
      ip(['-n', netns, 'link', 'set', 'lo', 'up']);
      ip(['-n', netns, 'addr', 'add', `${e.ip}/32`, 'dev', podLink]);
      ip(['-n', netns, 'link', 'set', podLink, 'up']);
      ip(['-n', netns, 'route', 'add', `${HOST_SIDE}/32`, 'dev', podLink]);
      ip(['-n', netns, 'route', 'add', 'default', 'via', HOST_SIDE, 'dev', podLink]);
      ip(['addr', 'add', `${HOST_SIDE}/32`, 'dev', hostLink]);
      ip(['link', 'set', hostLink, 'up']);
      ip(['route', 'add', `${e.ip}/32`, 'dev', hostLink, 'src', HOST_SIDE]);
      // The namespace's name rides along on the command line, so a sweep can tell whose backend this is.
      const child = spawn('ip', ['netns', 'exec', netns, process.execPath, BACKEND, e.name, e.namespace, e.ports.join(','), netns], {
        stdio: ['ignore', 'pipe', 'pipe'], detached: true,
      });
      this.live.set(e.ip, { netns, hostLink, process: child, endpoint: e });
      await new Promise<void>((resolve, reject) => {
        let err = '';
        const timer = setTimeout(() => reject(new Error(`backend for ${e.namespace}/${e.name} did not listen within 10 s: ${err}`)), 10_000);
        child.stderr!.setEncoding('utf8').on('data', (d: string) => { err += d; });
        child.stdout!.setEncoding('utf8').on('data', (d: string) => {
          if (d.startsWith('listening')) { clearTimeout(timer); resolve(); }
        });
        child.on('exit', code => { clearTimeout(timer); reject(new Error(`backend for ${e.namespace}/${e.name} exited ${code}: ${err}`)); });
      });
    } catch (err) {
      this.remove(e.ip);
      ip(['netns', 'del', netns], true);
      throw err;
    }
  }

  /** Stops the backend at this IP and removes its namespace (which takes the veth pair and route with it). */
  remove(podIp: string): void {
    const m = this.live.get(podIp);
    if (!m) return;
    this.live.delete(podIp);
    try { process.kill(-m.process.pid!, 'SIGKILL'); } catch { /* gone already */ }
    ip(['netns', 'del', m.netns], true);
    ip(['link', 'del', m.hostLink], true);
  }

  /** Removes every backend of this run. */
  stop(): void {
    for (const podIp of [...this.live.keys()]) this.remove(podIp);
  }
}

/**
 * Removes namespaces and links a run left behind when it was killed (SIGKILL gives no chance to clean up): those
 * whose run id is not a live process of ours.
 */
export function sweepStale(): string[] {
  const removed: string[] = [];
  const names = ip(['netns', 'list'], true).stdout.split('\n').map(l => l.split(' ')[0]).filter(n => n.startsWith(PREFIX));
  for (const netns of names) {
    if (isRunAlive(runOf(netns))) continue;
    ip(['netns', 'del', netns], true);
    ip(['link', 'del', `${netns}h`], true);
    removed.push(netns);
  }
  for (const b of backendProcesses()) {
    if (isRunAlive(runOf(b.netns))) continue;
    try { process.kill(b.pid, 'SIGKILL'); } catch { /* gone */ }
    removed.push(`backend ${b.pid} of ${b.netns}`);
  }
  return removed;
}

/** The process that named a namespace `lhdp<pid in base 36>n<index>`. */
function runOf(netns: string): number {
  const run = /^lhdp([0-9a-z]+)n\d+$/.exec(netns)?.[1];
  return run === undefined ? -1 : parseInt(run, 36);
}

/** Every backend process running, with the namespace it was started for. */
function backendProcesses(): { pid: number; netns: string }[] {
  const out: { pid: number; netns: string }[] = [];
  for (const p of fs.readdirSync('/proc').filter(x => /^\d+$/.test(x))) {
    let argv: string[];
    try { argv = fs.readFileSync(`/proc/${p}/cmdline`, 'utf8').split('\0'); } catch { continue; }
    const i = argv.findIndex(a => a.endsWith('tools/dataplane/backend.cjs'));
    if (i >= 0 && argv[i + 4]?.startsWith(PREFIX)) out.push({ pid: Number(p), netns: argv[i + 4] });
  }
  return out;
}

/** Whether the process that named a run still runs (and is a Node process: a pid reused by something else is not it). */
function isRunAlive(pid: number): boolean {
  if (pid === process.pid) return true;
  try {
    return /node/.test(fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8'));
  } catch {
    return false;
  }
}

/** Every namespace, link and backend process of any run: for tests that check nothing is left behind. */
export function leftovers(): { netns: string[]; links: string[]; backends: string[] } {
  const netns = ip(['netns', 'list'], true).stdout.split('\n').map(l => l.split(' ')[0]).filter(n => n.startsWith(PREFIX));
  const links = ip(['-o', 'link', 'show'], true).stdout.split('\n').map(l => l.split(':')[1]?.trim().split('@')[0] ?? '').filter(n => n.startsWith(PREFIX));
  return { netns, links, backends: backendProcesses().map(b => `${b.pid} ${b.netns}`) };
}
