/**
 * The drills the control plane harness can run, on plain Deployments and Pods:
 * three labelled nodes and the real scheduler spreading over them, a node that
 * stops heartbeating and the node lifecycle controller evicting its pods, a
 * rollout whose new version never becomes Ready, and a crash-looping container.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CONTAINER_BACKOFF_ANNOTATION, CONTAINER_RESTART_AFTER_ANNOTATION, CONTAINER_RESTART_LABEL, NEVER_READY_LABEL } from '../../tools/controlplane/kwok-stages';
import { FAST_NODE_LIFECYCLE, startControlPlane, type ControlPlane } from '../../tools/controlplane/controlplane';
import { START_TIMEOUT, eventually } from './helpers';

const DRILL_TIMEOUT = 150_000;
const NS = 'default';
const NODES = ['zone-a', 'zone-b', 'zone-c'].map((zone, i) => ({
  name: `node-${i}`,
  labels: { 'topology.kubernetes.io/zone': zone, 'node.kubernetes.io/instance-type': 'drill' },
}));

interface Condition {
  type: string;
  status: string;
}
interface Pod {
  metadata: { name: string; uid: string; labels?: Record<string, string>; deletionTimestamp?: string };
  spec: { nodeName?: string };
  status: {
    phase?: string;
    conditions?: (Condition & { reason?: string })[];
    containerStatuses?: { ready: boolean; started?: boolean; restartCount: number; lastState?: { terminated?: { exitCode: number } } }[];
  };
}
interface Node {
  metadata: { name: string; labels: Record<string, string> };
  spec: { taints?: { key: string; effect: string }[] };
  status: { conditions: Condition[] };
}

let cp: ControlPlane;

beforeAll(async () => {
  cp = await startControlPlane({ nodes: NODES, nodeLifecycle: FAST_NODE_LIFECYCLE, log: (m) => console.log(`[controlplane] ${m}`) });
}, START_TIMEOUT);

afterAll(async () => {
  await cp?.stop();
});

const seconds = (since: number): string => `${((Date.now() - since) / 1000).toFixed(1)} s`;
const condition = (o: { status: { conditions?: Condition[] } }, type: string): string | undefined =>
  o.status.conditions?.find((c) => c.type === type)?.status;

async function getJson<T>(args: string[]): Promise<T> {
  return JSON.parse((await cp.kubectl(['get', ...args, '-o', 'json'])).stdout) as T;
}
const pods = async (selector: string): Promise<Pod[]> => (await getJson<{ items: Pod[] }>(['pods', '-n', NS, '-l', selector])).items;
const live = (ps: Pod[]): Pod[] => ps.filter((p) => !p.metadata.deletionTimestamp);
const isReady = (p: Pod): boolean => condition(p, 'Ready') === 'True';

async function apply(obj: object): Promise<void> {
  await cp.kubectl(['apply', '--server-side', '-f', '-'], { input: JSON.stringify(obj) });
}

function deployment(name: string, replicas: number, spec: Record<string, unknown> = {}, podLabels: Record<string, string> = {}): object {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, namespace: NS },
    spec: {
      replicas,
      selector: { matchLabels: { app: name } },
      template: {
        metadata: { labels: { app: name, ...podLabels } },
        spec: { containers: [{ name: 'app', image: 'registry.example/app:1' }], ...spec },
      },
    },
  };
}

/** One pod per node, as a production profile would ask for. */
function hostnameSpread(name: string, nodeTaintsPolicy?: 'Honor'): object {
  const constraint = {
    maxSkew: 1,
    topologyKey: 'kubernetes.io/hostname',
    whenUnsatisfiable: 'DoNotSchedule',
    labelSelector: { matchLabels: { app: name } },
  };
  return deployment(name, 3, { topologySpreadConstraints: [{ ...constraint, ...(nodeTaintsPolicy && { nodeTaintsPolicy }) }] });
}
// nodeTaintsPolicy Honor leaves a failed (tainted) node out of the spread.
const SPREAD = hostnameSpread('spread', 'Honor');
// The default, nodeTaintsPolicy Ignore: the failed node still counts, with zero
// pods, so DoNotSchedule refuses the replacement on the healthy nodes.
const SPREAD_IGNORING_TAINTS = hostnameSpread('spread-ignoring-taints');

describe('control plane drills', () => {
  it(
    'three labelled nodes become Ready and the scheduler spreads a Deployment over all three',
    async () => {
      const nodes = (await getJson<{ items: Node[] }>(['nodes'])).items;
      expect(nodes.map((n) => n.metadata.name).sort()).toEqual(['node-0', 'node-1', 'node-2']);
      for (const [i, n] of nodes.entries()) {
        expect(condition(n, 'Ready'), n.metadata.name).toBe('True');
        expect(n.metadata.labels['kubernetes.io/hostname']).toBe(n.metadata.name);
        expect(n.metadata.labels['topology.kubernetes.io/zone']).toBe(NODES[i].labels['topology.kubernetes.io/zone']);
      }

      const t0 = Date.now();
      await apply(SPREAD);
      await apply(SPREAD_IGNORING_TAINTS);
      for (const name of ['spread', 'spread-ignoring-taints']) {
        await cp.kubectl(['rollout', 'status', `deployment/${name}`, '-n', NS, '--timeout=60s']);
        const placed = live(await pods(`app=${name}`)).map((p) => p.spec.nodeName);
        expect(placed).toHaveLength(3);
        expect(new Set(placed)).toEqual(new Set(['node-0', 'node-1', 'node-2']));
      }
      console.log(`[drill] both spread Deployments available on 3 nodes after ${seconds(t0)}`);
    },
    DRILL_TIMEOUT,
  );

  it(
    'a rollout whose new pods never become Ready stalls while the old pods keep serving',
    async () => {
      const strategy = { type: 'RollingUpdate', rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } };
      const v1 = deployment('rollout', 2, {}, { version: 'v1' });
      const withStrategy = (d: object): object => ({ ...d, spec: { ...(d as { spec: object }).spec, strategy } });
      await apply(withStrategy(v1));
      // This drill runs before the node failure one, on three healthy nodes; if v1 still does not come up, say where its pods are.
      const up = await cp.kubectl(['rollout', 'status', 'deployment/rollout', '-n', NS, '--timeout=60s'], { allowFail: true });
      if (up.code !== 0) {
        const where = await cp.kubectl(['get', 'pods,nodes', '-A', '-o', 'wide'], { allowFail: true });
        throw new Error(`v1 never became Available: ${up.stderr}\n${where.stdout}`);
      }

      const t0 = Date.now();
      await apply(withStrategy(deployment('rollout', 2, {}, { version: 'v2', [NEVER_READY_LABEL]: 'true' })));
      const fresh = await eventually(async () => {
        const [p] = live(await pods('app=rollout,version=v2'));
        expect(p?.status.phase).toBe('Running');
        return p;
      }, 30_000, 250);
      console.log(`[drill] new version running (unready) after ${seconds(t0)}`);
      // Long enough for kwok's fast stages to have made it Ready many times over.
      await new Promise((r) => setTimeout(r, 5000));

      const v2 = live(await pods('app=rollout,version=v2'));
      expect(v2).toHaveLength(1); // maxSurge 1: the rollout waits on it
      expect(v2[0].metadata.uid).toBe(fresh.metadata.uid);
      expect(isReady(v2[0])).toBe(false);
      expect(v2[0].status.containerStatuses?.[0]).toMatchObject({ ready: false, started: true, restartCount: 0 });
      const old = live(await pods('app=rollout,version=v1'));
      expect(old).toHaveLength(2);
      expect(old.every(isReady)).toBe(true);
      const status = await cp.kubectl(['rollout', 'status', 'deployment/rollout', '-n', NS, '--timeout=2s'], { allowFail: true });
      expect(status.code).not.toBe(0);
    },
    DRILL_TIMEOUT,
  );

  it(
    'a node that stops heartbeating is marked NotReady and tainted, and its pod is recreated on another node (only if the spread honours taints)',
    async () => {
      const victim = live(await pods('app=spread'))[0];
      const failed = victim.spec.nodeName!;
      const t0 = Date.now();
      await cp.failNode(failed);
      try {
        const node = await eventually(async () => {
          const n = await getJson<Node>(['node', failed]);
          expect(condition(n, 'Ready')).toBe('Unknown');
          expect(n.spec.taints?.map((t) => `${t.key}:${t.effect}`)).toEqual(
            expect.arrayContaining(['node.kubernetes.io/unreachable:NoExecute', 'node.kubernetes.io/unreachable:NoSchedule']),
          );
          return n;
        }, 30_000, 250);
        console.log(`[drill] ${failed} NotReady (Unknown) and tainted ${seconds(t0)} after its heartbeat stopped`);
        expect(node.metadata.name).toBe(failed);

        await eventually(async () => {
          const p = await getJson<Pod>(['pod', victim.metadata.name, '-n', NS]).catch(() => undefined);
          expect(p?.metadata.deletionTimestamp ?? 'gone').toBeTruthy();
        }, 30_000, 250);
        console.log(`[drill] pod ${victim.metadata.name} evicted from ${failed} after ${seconds(t0)}`);

        await eventually(async () => {
          const running = live(await pods('app=spread'));
          expect(running).toHaveLength(3);
          expect(running.every(isReady)).toBe(true);
          expect(running.map((p) => p.spec.nodeName)).not.toContain(failed);
          const d = await getJson<{ status: { availableReplicas?: number; conditions: Condition[] } }>(['deployment', 'spread', '-n', NS]);
          expect(d.status.availableReplicas).toBe(3);
          expect(condition(d, 'Available')).toBe('True');
        }, 45_000, 250);
        console.log(`[drill] spread Deployment Available again, 3 pods on the 2 healthy nodes, ${seconds(t0)} after the failure`);

        const pending = await eventually(async () => {
          const stuck = live(await pods('app=spread-ignoring-taints')).filter((p) => p.status.phase === 'Pending');
          expect(stuck).toHaveLength(1);
          expect(stuck[0].status.conditions?.find((c) => c.type === 'PodScheduled')).toMatchObject({ status: 'False', reason: 'Unschedulable' });
          return stuck[0];
        }, 20_000, 250);
        expect(pending.spec.nodeName).toBeUndefined();
      } finally {
        await cp.restoreNode(failed);
      }
      const back = Date.now();
      await eventually(async () => expect(condition(await getJson<Node>(['node', failed]), 'Ready')).toBe('True'), 30_000, 250);
      console.log(`[drill] ${failed} Ready again ${seconds(back)} after restoreNode`);
      // The spread that ignored taints recovers only now, onto the node that came back: once the lifecycle controller
      // lifts the unreachable taints and the scheduler retries the pod (after its backoff, up to 10 s per attempt),
      // which on a loaded machine has taken over 30 s.
      const recovered = await cp.kubectl(['rollout', 'status', 'deployment/spread-ignoring-taints', '-n', NS, '--timeout=75s'], { allowFail: true, timeoutMs: 90_000 });
      if (recovered.code !== 0) {
        const stuck = live(await pods('app=spread-ignoring-taints')).filter((p) => p.status.phase === 'Pending');
        const taints = (await getJson<Node>(['node', failed])).spec.taints ?? [];
        throw new Error(`spread-ignoring-taints not Available ${seconds(back)} after restoreNode: pending ${JSON.stringify(stuck.map((p) => p.status.conditions))}; ${failed} taints ${JSON.stringify(taints)}`);
      }
      const placed = live(await pods('app=spread-ignoring-taints')).map((p) => p.spec.nodeName);
      expect(new Set(placed)).toEqual(new Set(['node-0', 'node-1', 'node-2']));
      console.log(`[drill] spread-ignoring-taints Available again ${seconds(back)} after restoreNode`);
    },
    DRILL_TIMEOUT,
  );

  it(
    'a restarting container of a restartPolicy Always pod counts its restarts and comes back Ready',
    async () => {
      const pod = (name: string, labels: Record<string, string>): object => ({
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: {
          name,
          namespace: NS,
          labels: { drill: 'restart', ...labels },
          annotations: { [CONTAINER_RESTART_AFTER_ANNOTATION]: '1s', [CONTAINER_BACKOFF_ANNOTATION]: '1s' },
        },
        spec: { restartPolicy: 'Always', containers: [{ name: 'app', image: 'registry.example/app:1' }] },
      });
      const t0 = Date.now();
      await apply(pod('crashing', { [CONTAINER_RESTART_LABEL]: 'true' }));
      await apply(pod('steady', {}));
      const first = await eventually(async () => {
        const p = await getJson<Pod>(['pod', 'crashing', '-n', NS]);
        expect(p.status.containerStatuses?.[0].restartCount).toBeGreaterThanOrEqual(2);
        expect(isReady(p)).toBe(true); // back up after the last crash
        return p;
      }, 45_000, 200);
      console.log(`[drill] container restarted ${first.status.containerStatuses![0].restartCount} times after ${seconds(t0)}`);
      expect(first.status.phase).toBe('Running'); // restarted in place, not failed
      expect(first.status.containerStatuses![0].lastState?.terminated?.exitCode).toBe(1);
      const again = await getJson<Pod>(['pod', 'crashing', '-n', NS]);
      expect(again.metadata.uid).toBe(first.metadata.uid);

      const steady = await getJson<Pod>(['pod', 'steady', '-n', NS]);
      expect(isReady(steady)).toBe(true);
      expect(steady.status.containerStatuses?.[0].restartCount).toBe(0);
    },
    DRILL_TIMEOUT,
  );
});
