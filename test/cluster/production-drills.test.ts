/**
 * The production profile on the real control plane with three simulated nodes (one per zone), node lifecycle
 * timings shortened so each drill runs in seconds. `npm run synth -- --profile production`'s folder is applied
 * as the README says (CRDs server-side first, then the folder), and the guide's promises are drilled on the real
 * scheduler, Deployment, ReplicaSet, disruption, node lifecycle and HPA controllers: spread, drain, rolling
 * update, failed update and rollback, node failure, container restarts. Each drill prints how long the cluster took.
 *
 * kwok stands in for the kubelets: pods become Ready when scheduled (probes are not run), and its stages make a
 * version that never becomes Ready, a container that crashes, a node that stops heartbeating. No metrics server
 * runs, so the HPA can enforce its minimum but never measures CPU.
 */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { App, Chart } from 'cdk8s';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { addProductionStack } from '../../app/production-stack';
import { PROFILES, exampleBuild } from '../../app/profiles';
import { renderCharts, synthToDir } from '../../app/synth';
import { SandboxRuntime } from '../../constructs/sandbox/sandbox-runtime';
import { FAST_NODE_LIFECYCLE, startControlPlane, type ControlPlane } from '../../tools/controlplane/controlplane';
import { CONTAINER_BACKOFF_ANNOTATION, CONTAINER_RESTART_AFTER_ANNOTATION, CONTAINER_RESTART_LABEL, NEVER_READY_LABEL } from '../../tools/controlplane/kwok-stages';
import { REFERENCE } from '../util';
import { APPLY, START_TIMEOUT, eventually, parseObjects, tempDir } from './helpers';

const DRILL_TIMEOUT = 60_000;
const NS = 'traefik';
const SELECTOR = 'app.kubernetes.io/name=traefik';
const PROMETHEUS_CRDS = path.join(REFERENCE, 'prometheus-operator-v0.93.0');
const NODES = ['a', 'b', 'c'].map(zone => ({ name: `node-${zone}`, labels: { 'topology.kubernetes.io/zone': `zone-${zone}` } }));
const MIN_AVAILABLE = 1;

interface Condition { type: string; status: string; reason?: string; message?: string }
interface Pod {
  metadata: { name: string; uid: string; labels?: Record<string, string>; deletionTimestamp?: string };
  spec: { nodeName?: string; restartPolicy?: string; containers: { image: string }[] };
  status: {
    phase?: string;
    conditions?: Condition[];
    containerStatuses?: { ready: boolean; restartCount: number; state?: { terminated?: { exitCode: number } }; lastState?: { terminated?: { exitCode: number } } }[];
  };
}
interface Node { metadata: { name: string }; spec: { unschedulable?: boolean; taints?: { key: string; effect: string }[] }; status: { conditions: Condition[] } }
interface Deployment { spec: { replicas?: number; template: { spec: { containers: { image: string }[] } } }; status: { conditions?: Condition[]; readyReplicas?: number } }

let cp: ControlPlane;
const root = tempDir('local-hands-production-');
const dist = path.join(root, 'dist');

const seconds = (since: number): string => `${((Date.now() - since) / 1000).toFixed(1)} s`;
const condition = (o: { status: { conditions?: Condition[] } }, type: string): Condition | undefined => o.status.conditions?.find(c => c.type === type);
const isReady = (p: Pod): boolean => condition(p, 'Ready')?.status === 'True';
const live = (ps: Pod[]): Pod[] => ps.filter(p => !p.metadata.deletionTimestamp);

async function getJson<T>(args: string[]): Promise<T> {
  return JSON.parse((await cp.kubectl(['get', ...args, '-o', 'json'])).stdout) as T;
}
const pods = async (ns = NS, selector = SELECTOR): Promise<Pod[]> => (await getJson<{ items: Pod[] }>(['pods', '-n', ns, '-l', selector])).items;
const deployment = (): Promise<Deployment> => getJson<Deployment>(['deployment', 'traefik', '-n', NS]);
const nodeOf = (ps: Pod[]): string[] => ps.map(p => p.spec.nodeName!).sort();

async function available(): Promise<Deployment> {
  const d = await deployment();
  expect(condition(d, 'Available')?.status).toBe('True');
  const ps = live(await pods());
  expect(ps.filter(isReady)).toHaveLength(d.spec.replicas!);
  return d;
}

/**
 * Watches the controller's pods and keeps, after every event, how many are Ready and not terminating: the fewest
 * seen is what a rollout or a drain left serving.
 */
function watchReady() {
  const template = '{.type} {.object.metadata.name} {.object.metadata.deletionTimestamp} {.object.status.conditions[?(@.type=="Ready")].status}{"\\n"}';
  const child = spawn(path.join(cp.binDir, 'kubectl'), [
    `--kubeconfig=${cp.kubeconfig}`, 'get', 'pods', '-n', NS, '-l', SELECTOR, '--watch', '--output-watch-events', '-o', `jsonpath=${template}`,
  ], { stdio: ['ignore', 'pipe', 'pipe'] });
  const ready = new Map<string, boolean>();
  let min = Infinity;
  let events = 0;
  let buffer = '';
  let stderr = '';
  let initial = Infinity;
  child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c));
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    buffer += chunk;
    const lines = buffer.split('\n');
    buffer = lines.pop()!;
    for (const line of lines) {
      const [type, name, ...rest] = line.trim().split(/\s+/);
      if (!name) continue;
      // A terminating pod has its deletionTimestamp before its Ready status in the line.
      const terminating = rest.length === 2 || (rest.length === 1 && rest[0] !== 'True' && rest[0] !== 'False');
      if (type === 'DELETED') ready.delete(name);
      else ready.set(name, !terminating && rest[rest.length - 1] === 'True');
      events++;
      // The initial listing arrives as one ADDED event per pod: count from the full list on.
      if (events >= initial) min = Math.min(min, [...ready.values()].filter(Boolean).length);
    }
  });
  return {
    /** Call once with the number of pods that exist at the start, so the partial initial listing is not counted. */
    async started(existing: number): Promise<void> {
      initial = existing;
      await eventually(async () => expect(events).toBeGreaterThanOrEqual(existing), 10_000, 50);
    },
    stop(): { min: number; events: number } {
      child.kill('SIGKILL');
      if (stderr) throw new Error(`kubectl watch: ${stderr}`);
      return { min, events };
    },
  };
}

/** Starts kubectl and lets the test read its stderr while it runs. */
function startKubectl(args: string[]) {
  const child = spawn(path.join(cp.binDir, 'kubectl'), [`--kubeconfig=${cp.kubeconfig}`, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (c: string) => (stdout += c));
  child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c));
  const done = new Promise<{ code: number; stdout: string; stderr: string }>(resolve => {
    child.on('close', code => resolve({ code: code ?? 1, stdout, stderr }));
  });
  return { done, stderr: () => stderr, kill: () => child.kill('SIGKILL') };
}

async function evict(pod: string): Promise<{ code: number; stderr: string }> {
  const body = { apiVersion: 'policy/v1', kind: 'Eviction', metadata: { name: pod, namespace: NS } };
  return cp.kubectl(['create', '--raw', `/api/v1/namespaces/${NS}/pods/${pod}/eviction`, '-f', '-'], { input: JSON.stringify(body), allowFail: true });
}

beforeAll(async () => {
  synthToDir(exampleBuild('production'), dist);
  cp = await startControlPlane({
    nodes: NODES,
    nodeLifecycle: FAST_NODE_LIFECYCLE,
    controllerManagerFlags: ['--horizontal-pod-autoscaler-sync-period=2s'],
  });
}, START_TIMEOUT);

afterAll(async () => {
  await cp?.stop();
  fs.rmSync(root, { recursive: true, force: true });
});

describe('the production profile on three nodes', () => {
  it('applies as documented: the CRDs server-side first, then the folder, strict; the HPA brings the controller to 2 replicas', async () => {
    const t0 = Date.now();
    const crdFiles = fs.readdirSync(dist).filter(f => f.startsWith('crds-')).sort().map(f => path.join(dist, f));
    expect(crdFiles.map(f => path.basename(f))).toEqual(['crds-gateway-api.k8s.yaml', 'crds-traefik.k8s.yaml']);
    // The monitoring objects need the Prometheus Operator's CRDs and its namespace: kube-prometheus-stack brings them.
    await cp.kubectl([...APPLY, '-f', PROMETHEUS_CRDS, ...crdFiles.flatMap(f => ['-f', f])], { timeoutMs: 180_000 });
    await cp.kubectl(['wait', '--for=condition=Established', 'crd', '--all', '--timeout=60s'], { timeoutMs: 90_000 });
    await cp.kubectl(['create', 'namespace', 'monitoring']);
    const r = await cp.kubectl([...APPLY, '-f', dist], { allowFail: true, timeoutMs: 180_000 });
    expect({ code: r.code, stderr: r.stderr }).toEqual({ code: 0, stderr: '' });
    expect(r.stdout).toMatch(/horizontalpodautoscaler\.autoscaling\/traefik serverside-applied/);
    const hpa = await getJson<{ spec: { scaleTargetRef: object; minReplicas: number } }>(['hpa', 'traefik', '-n', NS]);
    expect(hpa.spec.scaleTargetRef).toEqual({ apiVersion: 'apps/v1', kind: 'Deployment', name: 'traefik' });
    // The manifest leaves spec.replicas to the HPA: the Deployment starts at 1 and the HPA raises it to its minimum.
    await eventually(async () => expect((await available()).spec.replicas).toBe(2), 45_000, 250);
    console.log(`[drill] applied; controller Available with 2 replicas (HPA minReplicas) ${seconds(t0)} after the first apply`);
  }, 240_000);

  it('spread: the scheduler puts the two replicas on different nodes, in different zones', async () => {
    const ps = live(await pods());
    expect(ps).toHaveLength(2);
    expect(new Set(nodeOf(ps)).size).toBe(2);
    const zones = nodeOf(ps).map(n => NODES.find(x => x.name === n)!.labels['topology.kubernetes.io/zone']);
    expect(new Set(zones).size).toBe(2);
    console.log(`[drill] spread: replicas on ${nodeOf(ps).join(', ')} (${zones.join(', ')})`);
  }, DRILL_TIMEOUT);

  it('drain: the eviction API refuses what would breach the PDB; the drain completes once the evicted pod is Ready elsewhere', async () => {
    const before = live(await pods());
    const [x, y] = nodeOf(before);
    const z = cp.nodes.find(n => n !== x && n !== y)!;
    const watch = watchReady();
    await watch.started(before.length);
    const t0 = Date.now();
    // With the free node cordoned too, the first evicted pod's replacement cannot be placed: the budget is spent.
    await cp.kubectl(['cordon', z]);
    const drain = startKubectl(['drain', x, y, '--ignore-daemonsets', '--delete-emptydir-data', '--timeout=50s']);
    try {
      const pending = await eventually(async () => {
        const p = live(await pods()).find(q => q.status.phase === 'Pending');
        expect(condition(p!, 'PodScheduled')).toMatchObject({ status: 'False', reason: 'Unschedulable' });
        return p!;
      }, 20_000, 200);
      const last = live(await pods()).find(p => p.spec.nodeName !== undefined)!;
      const refused = await evict(last.metadata.name);
      expect(refused.code).not.toBe(0);
      expect(refused.stderr).toMatch(/Cannot evict pod as it would violate the pod's disruption budget/);
      expect((await getJson<{ status: { disruptionsAllowed: number } }>(['pdb', 'traefik', '-n', NS])).status.disruptionsAllowed).toBe(0);
      // kubectl drain meets the same refusal, and retries every 5 s.
      await eventually(async () => expect(drain.stderr()).toMatch(/Cannot evict pod as it would violate the pod's disruption budget/), 20_000, 200);
      console.log(`[drill] drain: 1 pod evicted, its replacement ${pending.metadata.name} Pending, the eviction of ${last.metadata.name} refused (${seconds(t0)})`);

      const t1 = Date.now();
      await cp.kubectl(['uncordon', z]);
      const drained = await drain.done;
      expect(drained.code, drained.stderr).toBe(0);
      expect(drained.stdout).toMatch(new RegExp(`node/${y} drained`));
      // Both cordoned nodes are left out of the spread (nodeTaintsPolicy Honor), so both replicas may share the free node.
      await eventually(async () => {
        const after = live(await pods());
        expect(nodeOf(after)).toEqual([z, z]);
        expect(after.every(isReady)).toBe(true);
      }, 15_000, 200);
      console.log(`[drill] drain: ${x} and ${y} drained ${seconds(t1)} after ${z} was uncordoned, both replicas Ready on ${z}`);
    } finally {
      drain.kill();
      const t2 = Date.now();
      await cp.kubectl(['uncordon', ...cp.nodes]);
      await eventually(available, 20_000, 200);
      console.log(`[drill] drain: uncordoned, Available (${seconds(t2)})`);
    }
    const nodes = (await getJson<{ items: Node[] }>(['nodes'])).items;
    expect(nodes.filter(n => n.spec.unschedulable)).toEqual([]);
    const { min, events } = watch.stop();
    expect(min).toBeGreaterThanOrEqual(MIN_AVAILABLE);
    console.log(`[drill] drain: fewest Ready during the drain ${min} over ${events} pod events`);
  }, DRILL_TIMEOUT);

  it('rolling update: a new image rolls out through the Deployment controller, never below 2 Ready (maxUnavailable 0)', async () => {
    const before = live(await pods());
    const watch = watchReady();
    await watch.started(before.length);
    const t0 = Date.now();
    await cp.kubectl(['set', 'image', 'deployment/traefik', '-n', NS, 'traefik=registry.example/traefik:v3.7.11-drill']);
    await cp.kubectl(['rollout', 'status', 'deployment/traefik', '-n', NS, '--timeout=45s'], { timeoutMs: 50_000 });
    await eventually(async () => {
      const ps = live(await pods());
      expect(ps.map(p => p.spec.containers[0].image)).toEqual(['registry.example/traefik:v3.7.11-drill', 'registry.example/traefik:v3.7.11-drill']);
    }, 10_000, 200);
    const { min, events } = watch.stop();
    expect(min).toBeGreaterThanOrEqual(2);
    expect(min).toBeGreaterThanOrEqual(MIN_AVAILABLE);
    const after = live(await pods());
    expect(after.some(p => before.some(b => b.metadata.uid === p.metadata.uid))).toBe(false);
    // The old pods were both on one node (after the drain); the spread places the new ones apart.
    expect(new Set(nodeOf(after)).size).toBe(2);
    console.log(`[drill] rolling update: rolled out in ${seconds(t0)}; fewest Ready ${min} over ${events} pod events; now on ${nodeOf(after).join(', ')}`);
  }, DRILL_TIMEOUT);

  it('failed update: a version that never becomes Ready stalls while the old replicas serve; rollout undo restores it', async () => {
    const before = live(await pods());
    const watch = watchReady();
    await watch.started(before.length);
    // A short progress deadline (the default is 600 s) so the Deployment controller reports the stall in seconds.
    await cp.kubectl(['patch', 'deployment/traefik', '-n', NS, '-p', JSON.stringify({ spec: { progressDeadlineSeconds: 8 } })]);
    const t0 = Date.now();
    await cp.kubectl(['patch', 'deployment/traefik', '-n', NS, '-p', JSON.stringify({
      spec: { template: { metadata: { labels: { [NEVER_READY_LABEL]: 'true' } }, spec: { containers: [{ name: 'traefik', image: 'registry.example/traefik:broken' }] } } },
    })]);
    const stalled = await eventually(async () => {
      const c = condition(await deployment(), 'Progressing');
      expect(c).toMatchObject({ status: 'False', reason: 'ProgressDeadlineExceeded' });
      return c!;
    }, 30_000, 250);
    const ps = live(await pods());
    const broken = ps.filter(p => p.metadata.labels?.[NEVER_READY_LABEL] === 'true');
    expect(broken).toHaveLength(1); // maxSurge 1: nothing more is tried while it stays unready
    expect(broken[0].status.phase).toBe('Running');
    expect(isReady(broken[0])).toBe(false);
    const old = ps.filter(p => !broken.includes(p));
    expect(old.map(p => p.metadata.uid).sort()).toEqual(before.map(p => p.metadata.uid).sort());
    expect(old.every(isReady)).toBe(true);
    const status = await cp.kubectl(['rollout', 'status', 'deployment/traefik', '-n', NS, '--timeout=5s'], { allowFail: true });
    expect(status.code).not.toBe(0);
    expect(status.stderr).toMatch(/exceeded its progress deadline/);
    console.log(`[drill] failed update: stalled (${stalled.reason}) ${seconds(t0)} after the patch; the 2 old replicas kept serving`);

    const t1 = Date.now();
    await cp.kubectl(['rollout', 'undo', 'deployment/traefik', '-n', NS]);
    await cp.kubectl(['rollout', 'status', 'deployment/traefik', '-n', NS, '--timeout=30s'], { timeoutMs: 35_000 });
    await eventually(async () => {
      const now = live(await pods());
      expect(now.map(p => p.spec.containers[0].image)).toEqual(['registry.example/traefik:v3.7.11-drill', 'registry.example/traefik:v3.7.11-drill']);
      expect(now.some(p => p.metadata.labels?.[NEVER_READY_LABEL])).toBe(false);
    }, 15_000, 200);
    const d = await available();
    expect(condition(d, 'Progressing')?.status).toBe('True');
    const { min } = watch.stop();
    expect(min).toBeGreaterThanOrEqual(2);
    console.log(`[drill] rollback: rollout undo Available again in ${seconds(t1)}; fewest Ready throughout ${min}`);
  }, DRILL_TIMEOUT);

  it('node failure: a node stops heartbeating, is marked NotReady and tainted, and its replica is recreated on the others', async () => {
    // One replica per node first (HPA minimum 3), so the replacement must share a node: the case the spread's
    // nodeTaintsPolicy Honor exists for (with Ignore, the dead node counts as a domain with none, and it stays Pending).
    await cp.kubectl(['patch', 'hpa/traefik', '-n', NS, '-p', JSON.stringify({ spec: { minReplicas: 3 } })]);
    await eventually(async () => expect((await available()).spec.replicas).toBe(3), 20_000, 250);
    const before = live(await pods());
    expect(nodeOf(before)).toEqual([...cp.nodes].sort());
    const victim = before[0];
    const failed = victim.spec.nodeName!;
    const t0 = Date.now();
    await cp.failNode(failed);
    try {
      const notReady = await eventually(async () => {
        const n = await getJson<Node>(['node', failed]);
        expect(condition(n, 'Ready')?.status).not.toBe('True');
        expect(n.spec.taints?.map(t => `${t.key}:${t.effect}`)).toEqual(expect.arrayContaining(['node.kubernetes.io/unreachable:NoExecute']));
        return n;
      }, 20_000, 200);
      console.log(`[drill] node failure: ${failed} ${condition(notReady, 'Ready')?.status} and tainted ${notReady.spec.taints!.map(t => `${t.key}:${t.effect}`).join(', ')} after ${seconds(t0)}`);
      await eventually(async () => {
        const ps = live(await pods());
        expect(ps.some(p => p.metadata.uid === victim.metadata.uid)).toBe(false);
        expect(ps.filter(isReady)).toHaveLength(3);
        expect(ps.every(p => p.spec.nodeName !== failed)).toBe(true);
        expect(condition(await deployment(), 'Available')?.status).toBe('True');
      }, 30_000, 200);
      console.log(`[drill] node failure: replica recreated, controller Available on ${nodeOf(live(await pods())).join(', ')} ${seconds(t0)} after the failure`);
    } finally {
      await cp.restoreNode(failed);
    }
    const t1 = Date.now();
    await eventually(async () => expect(condition(await getJson<Node>(['node', failed]), 'Ready')?.status).toBe('True'), 30_000, 250);
    console.log(`[drill] node failure: ${failed} Ready again ${seconds(t1)} after it resumed heartbeating`);
  }, DRILL_TIMEOUT);

  it('container restart: the controller restarts in place (restartPolicy Always); a sandbox Pod (Never) fails and is not recreated', async () => {
    const [target] = live(await pods());
    const t0 = Date.now();
    await cp.kubectl(['annotate', 'pod', target.metadata.name, '-n', NS, `${CONTAINER_RESTART_AFTER_ANNOTATION}=1s`, `${CONTAINER_BACKOFF_ANNOTATION}=1s`]);
    await cp.kubectl(['label', 'pod', target.metadata.name, '-n', NS, `${CONTAINER_RESTART_LABEL}=true`]);
    const restarted = await eventually(async () => {
      const p = await getJson<Pod>(['pod', target.metadata.name, '-n', NS]);
      expect(p.status.containerStatuses?.[0].restartCount).toBeGreaterThanOrEqual(1);
      expect(isReady(p)).toBe(true);
      return p;
    }, 30_000, 200);
    await cp.kubectl(['label', 'pod', target.metadata.name, '-n', NS, `${CONTAINER_RESTART_LABEL}-`]);
    expect(restarted.metadata.uid).toBe(target.metadata.uid);
    expect(restarted.spec.restartPolicy).toBe('Always');
    expect(restarted.status.phase).toBe('Running');
    expect(restarted.status.containerStatuses![0].lastState?.terminated?.exitCode).toBe(1);
    console.log(`[drill] container restart: controller container restarted ${restarted.status.containerStatuses![0].restartCount}x in place, Ready again, ${seconds(t0)}`);

    const sandboxes = await sandboxSession('drill1');
    const t1 = Date.now();
    const failedPod = await eventually(async () => {
      const p = await getJson<Pod>(['pod', 'openhands-runtime-drill1', '-n', sandboxes]);
      expect(p.status.phase).toBe('Failed');
      return p;
    }, 30_000, 200);
    expect(failedPod.spec.restartPolicy).toBe('Never');
    expect(failedPod.status.containerStatuses![0]).toMatchObject({ restartCount: 0, state: { terminated: { exitCode: 1 } } });
    console.log(`[drill] container restart: sandbox Pod Failed ${seconds(t1)} after it started; no restart (restartPolicy Never)`);
    // Nothing owns a sandbox Pod, so nothing brings it back: it is the same Failed Pod a while later, and the only one.
    await new Promise(r => setTimeout(r, 3000));
    const all = (await getJson<{ items: Pod[] }>(['pods', '-n', sandboxes])).items;
    expect(all.map(p => [p.metadata.uid, p.status.phase])).toEqual([[failedPod.metadata.uid, 'Failed']]);
  }, DRILL_TIMEOUT);

  it('the HPA targets the controller; with no metrics server it cannot read CPU (ScalingActive False)', async () => {
    const hpa = await eventually(async () => {
      const h = await getJson<{ status: { conditions?: Condition[]; currentReplicas?: number } }>(['hpa', 'traefik', '-n', NS]);
      expect(condition(h, 'ScalingActive')).toMatchObject({ status: 'False', reason: 'FailedGetResourceMetric' });
      return h;
    }, 20_000, 500);
    expect(hpa.status.currentReplicas).toBe(3);
    console.log(`[drill] HPA: ${condition(hpa, 'ScalingActive')?.message}`);
  }, DRILL_TIMEOUT);
});

/** A session rendered with the production stack's config, its Pod labelled to crash once Ready; returns the sandbox namespace. */
async function sandboxSession(sid: string): Promise<string> {
  const app = new App({ outdir: '/nonexistent' });
  const stack = addProductionStack(app, PROFILES.production.example);
  // As the server's runtime creates it: an Ingress without a class.
  new SandboxRuntime(new Chart(app, 'session'), 'session', { sid, config: stack.config, ingressClassName: false });
  const objects = parseObjects(renderCharts(app).find(f => f.name === 'session.k8s.yaml')!.text);
  const pod = objects.find(o => o.kind === 'Pod')! as { metadata: { labels?: Record<string, string>; annotations?: Record<string, string> } };
  pod.metadata.labels = { ...pod.metadata.labels, [CONTAINER_RESTART_LABEL]: 'true' };
  pod.metadata.annotations = { ...pod.metadata.annotations, [CONTAINER_RESTART_AFTER_ANNOTATION]: '1s' };
  // No provisioner runs here: a static volume lets the claim bind, so the Pod can schedule.
  await cp.kubectl(['apply', '-f', '-'], { input: stringify({
    apiVersion: 'v1', kind: 'PersistentVolume', metadata: { name: sid },
    spec: { capacity: { storage: '10Gi' }, accessModes: ['ReadWriteOnce'], hostPath: { path: `/tmp/${sid}` }, persistentVolumeReclaimPolicy: 'Delete' },
  }) });
  await cp.kubectl(['create', '-f', '-'], { input: objects.map(o => stringify(o)).join('---\n') });
  return stack.config.namespace;
}
