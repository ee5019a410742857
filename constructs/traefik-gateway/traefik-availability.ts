// How many controller replicas run, where, and what may take them down: the topology spread, the
// HorizontalPodAutoscaler and the PodDisruptionBudget of `Traefik`, resolved and rendered here so traefik.ts keeps
// to the chart's objects.
import { Construct } from 'constructs';
import { IntOrString, KubeHorizontalPodAutoscalerV2, KubePodDisruptionBudget } from '../../imports/k8s';
import { Resources } from '../../src/types';
import { Problems, isPlainObject, isQualifiedName, show } from '../../src/validation';

/** Spreading the controller's replicas over nodes and zones. */
export interface TraefikTopologySpreadProps {
  /**
   * Spread replicas over nodes (`kubernetes.io/hostname`, maxSkew 1, `DoNotSchedule`): no node gets a second
   * replica while a schedulable node has none. Tainted nodes (cordoned, NotReady) are left out of the count
   * (`nodeTaintsPolicy: Honor`), so a drain or a node failure never strands a replacement.
   * @default true
   */
  readonly nodes?: boolean;
  /**
   * The node label key that names a node's zone: replicas are spread over zones when they can be (`ScheduleAnyway`,
   * so nodes without the label still take replicas), or `false` for no zone spread.
   * @default 'topology.kubernetes.io/zone'
   */
  readonly zoneKey?: string | false;
}

/** A HorizontalPodAutoscaler (autoscaling/v2) scaling the controller on CPU use. Needs `resources.requests.cpu`, and a metrics server in the cluster. */
export interface TraefikAutoscalingProps {
  /** Fewest replicas; above the PodDisruptionBudget's minAvailable. @default 2 */
  readonly minReplicas?: number;
  /** Most replicas; at least minReplicas. @default 5 */
  readonly maxReplicas?: number;
  /**
   * Target average CPU use, in percent of the CPU request.
   * @default 70 (scaling out before the monitoring's CPU alert, at 80% of the limit, fires)
   */
  readonly targetCpuUtilization?: number;
}

/** The controller's PodDisruptionBudget. */
export interface TraefikDisruptionBudgetProps {
  /** Replicas a voluntary disruption (a drain, an eviction) must leave Ready; below the replica count. @default 1 */
  readonly minAvailable?: number;
}


export const AVAILABILITY_DEFAULTS = {
  spread: { nodes: true, zoneKey: 'topology.kubernetes.io/zone' as string | false },
  autoscaling: { minReplicas: 2, maxReplicas: 5, targetCpuUtilization: 70 },
  minAvailable: 1,
};

const HOSTNAME_KEY = 'kubernetes.io/hostname';
const MAX_REPLICAS = 1000;

export interface ResolvedAvailability {
  /** Fixed replicas, or undefined when the HPA owns the count. */
  readonly replicas?: number;
  /** The fewest replicas that run: the fixed count or the HPA's minReplicas. */
  readonly floor: number;
  readonly spread?: Required<TraefikTopologySpreadProps>;
  readonly autoscaling?: Required<TraefikAutoscalingProps>;
  readonly minAvailable?: number;
}

export interface AvailabilityInput {
  readonly replicas?: number;
  readonly topologySpread?: TraefikTopologySpreadProps;
  readonly autoscaling?: TraefikAutoscalingProps | false;
  readonly podDisruptionBudget?: TraefikDisruptionBudgetProps | false;
  readonly resources?: Resources;
}

/** Replicas, spread, HPA and PDB with their defaults, checked against each other. */
export function resolveAvailability(p: Problems, props: AvailabilityInput, defaultReplicas: number): ResolvedAvailability {
  const spread = resolveSpread(p, props.topologySpread);
  const autoscaling = resolveAutoscaling(p, props);
  if (autoscaling && props.replicas !== undefined) {
    p.add('replicas', props.replicas, 'absent with autoscaling (the HorizontalPodAutoscaler owns the count; autoscaling.minReplicas sets the floor)');
  }
  const replicas = autoscaling ? undefined : props.replicas ?? defaultReplicas;
  if (replicas !== undefined) p.positiveInt('replicas', replicas, MAX_REPLICAS);
  const floor = autoscaling?.minReplicas ?? replicas ?? 1;
  return { replicas, floor, spread, autoscaling, minAvailable: resolveDisruptionBudget(p, props.podDisruptionBudget, floor, autoscaling !== undefined) };
}

function resolveSpread(p: Problems, spread: TraefikTopologySpreadProps | undefined): Required<TraefikTopologySpreadProps> | undefined {
  if (spread === undefined) return undefined;
  if (!isPlainObject(spread)) {
    p.add('topologySpread', spread, "an object { nodes: true or false, zoneKey: a node label key or false }");
    return undefined;
  }
  for (const k of Object.keys(spread)) if (k !== 'nodes' && k !== 'zoneKey') p.add(`topologySpread.${k}`, spread[k as keyof typeof spread], 'absent (only nodes and zoneKey)');
  const out = { ...AVAILABILITY_DEFAULTS.spread, ...spread };
  p.check(typeof out.nodes === 'boolean', 'topologySpread.nodes', out.nodes, 'true or false');
  p.check(out.zoneKey === false || isQualifiedName(out.zoneKey), 'topologySpread.zoneKey', out.zoneKey,
    'a node label key such as "topology.kubernetes.io/zone" (an optional DNS subdomain prefix and "/", then at most 63 of a-z, A-Z, 0-9, "-", "_", ".") or false');
  p.check(out.zoneKey !== HOSTNAME_KEY, 'topologySpread.zoneKey', out.zoneKey, `a zone label key, not ${show(HOSTNAME_KEY)} (topologySpread.nodes spreads over nodes)`);
  return out;
}

function resolveAutoscaling(p: Problems, props: AvailabilityInput): Required<TraefikAutoscalingProps> | undefined {
  const a = props.autoscaling;
  if (a === undefined || a === false) return undefined;
  if (!isPlainObject(a)) {
    p.add('autoscaling', a, 'an object { minReplicas, maxReplicas, targetCpuUtilization } or false');
    return undefined;
  }
  const known = Object.keys(AVAILABILITY_DEFAULTS.autoscaling);
  for (const k of Object.keys(a)) if (!known.includes(k)) p.add(`autoscaling.${k}`, a[k as keyof typeof a], `absent (only ${known.join(', ')})`);
  const out = { ...AVAILABILITY_DEFAULTS.autoscaling, ...a };
  const minOk = p.positiveInt('autoscaling.minReplicas', out.minReplicas, MAX_REPLICAS);
  const maxOk = p.positiveInt('autoscaling.maxReplicas', out.maxReplicas, MAX_REPLICAS);
  if (minOk && maxOk) p.check(out.maxReplicas >= out.minReplicas, 'autoscaling.maxReplicas', out.maxReplicas, `at least autoscaling.minReplicas (${out.minReplicas})`);
  p.positiveInt('autoscaling.targetCpuUtilization', out.targetCpuUtilization);
  // The HPA divides CPU use by the request; without one it reports "missing request for cpu" and never scales.
  const cpu = props.resources?.requests?.cpu;
  if (cpu === undefined) p.add('resources.requests.cpu', cpu, 'a CPU request when autoscaling is on (the autoscaler targets a share of it)');
  return out;
}

function resolveDisruptionBudget(p: Problems, pdb: TraefikDisruptionBudgetProps | false | undefined, floor: number, autoscaled: boolean): number | undefined {
  if (pdb === false) return undefined;
  const floorName = autoscaled ? 'autoscaling.minReplicas' : 'replicas';
  if (pdb === undefined) {
    // Only more than one replica can keep serving through a node drain; with one, a PDB would block the drain.
    return floor > 1 ? AVAILABILITY_DEFAULTS.minAvailable : undefined;
  }
  if (!isPlainObject(pdb)) {
    p.add('podDisruptionBudget', pdb, 'an object { minAvailable } or false');
    return undefined;
  }
  for (const k of Object.keys(pdb)) if (k !== 'minAvailable') p.add(`podDisruptionBudget.${k}`, pdb[k as keyof typeof pdb], 'absent (only minAvailable)');
  const minAvailable = pdb.minAvailable ?? AVAILABILITY_DEFAULTS.minAvailable;
  if (!Number.isInteger(floor) || floor < 1) return minAvailable;
  if (floor < 2) {
    p.add('podDisruptionBudget', pdb, `false or absent with ${floorName} ${floor} (a budget leaving one replica up would block every drain of its node)`);
  } else {
    p.check(Number.isInteger(minAvailable) && minAvailable >= 1 && minAvailable < floor, 'podDisruptionBudget.minAvailable', minAvailable,
      `an integer in 1-${floor - 1} (below ${floorName}, or no replica could ever be evicted)`);
  }
  return minAvailable;
}

/** The pod's topology spread constraints over `labels`. */
export function topologySpreadConstraints(spread: Required<TraefikTopologySpreadProps> | undefined, labels: Record<string, string>) {
  if (!spread) return undefined;
  const constraint = (topologyKey: string, whenUnsatisfiable: 'DoNotSchedule' | 'ScheduleAnyway') => ({
    maxSkew: 1,
    topologyKey,
    whenUnsatisfiable,
    // A cordoned or failed node carries a NoSchedule taint. Counted (the default, Ignore), it is a domain with no
    // replica, and DoNotSchedule then refuses a replacement on a healthy node that already has one: a drain or a
    // node failure could leave a replica Pending until the node returns. Honor leaves tainted nodes out.
    nodeTaintsPolicy: 'Honor',
    labelSelector: { matchLabels: { ...labels } },
  });
  const constraints = [
    ...(spread.nodes ? [constraint(HOSTNAME_KEY, 'DoNotSchedule')] : []),
    ...(spread.zoneKey !== false ? [constraint(spread.zoneKey, 'ScheduleAnyway')] : []),
  ];
  return constraints.length > 0 ? constraints : undefined;
}

/** Where the availability objects go, and what they select. */
export interface AvailabilityTarget {
  readonly name: string;
  readonly namespace: string;
  readonly labels: Record<string, string>;
}

export function renderDisruptionBudget(scope: Construct, minAvailable: number | undefined, t: AvailabilityTarget): KubePodDisruptionBudget | undefined {
  if (minAvailable === undefined) return undefined;
  return new KubePodDisruptionBudget(scope, 'pod-disruption-budget', {
    metadata: { name: t.name, namespace: t.namespace, labels: t.labels },
    spec: { minAvailable: IntOrString.fromNumber(minAvailable), selector: { matchLabels: { ...t.labels } } },
  });
}

export function renderAutoscaler(scope: Construct, a: Required<TraefikAutoscalingProps> | undefined, t: AvailabilityTarget): KubeHorizontalPodAutoscalerV2 | undefined {
  if (!a) return undefined;
  return new KubeHorizontalPodAutoscalerV2(scope, 'horizontal-pod-autoscaler', {
    metadata: { name: t.name, namespace: t.namespace, labels: t.labels },
    spec: {
      scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: t.name },
      minReplicas: a.minReplicas,
      maxReplicas: a.maxReplicas,
      metrics: [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: a.targetCpuUtilization } } }],
    },
  });
}
