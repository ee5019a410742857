import { PROMETHEUS_DURATION_ALLOWED, prometheusDurationMs } from '../../src/prometheus-duration';
import { ResolvedRows, propRows } from '../../src/props';
import { Problems, isPlainObject } from '../../src/validation';

/**
 * The guide's six health indicators, as one table: the alert rules (`OpenHandsAlerts`) and the dashboard
 * panels (`GrafanaDashboard`) are both built from it, so a panel always plots exactly what its alert tests.
 */

/** The ingress controllers whose request metrics the ingress indicators read. */
export type IngressControllerKind = 'ingress-nginx' | 'traefik';

export const INGRESS_CONTROLLER_KINDS: readonly IngressControllerKind[] = ['ingress-nginx', 'traefik'];

/** Where a controller runs and what its request metrics are called. */
export interface IngressControllerMetrics {
  /** The namespace its release installs into. */
  readonly namespace: string;
  /** The workload, as `kubectl logs` takes it. */
  readonly workload: string;
  /** Request counter. */
  readonly requests: string;
  /** The counter's label holding the HTTP status code. */
  readonly statusLabel: string;
  /** Request duration histogram (its `_sum` and `_count` series are read). */
  readonly duration: string;
  /** The label that names what the requests went to: one alert per value. */
  readonly target: string;
}

export const INGRESS_CONTROLLER_METRICS: Readonly<Record<IngressControllerKind, IngressControllerMetrics>> = {
  'ingress-nginx': {
    namespace: 'ingress-nginx',
    workload: 'deployment/ingress-nginx-controller',
    requests: 'nginx_ingress_controller_requests',
    statusLabel: 'status',
    duration: 'nginx_ingress_controller_request_duration_seconds',
    target: 'ingress',
  },
  // Traefik v3 labels its service metrics code, method, protocol, service (addServicesLabels is on by default).
  traefik: {
    namespace: 'traefik',
    workload: 'deployment/traefik',
    requests: 'traefik_service_requests_total',
    statusLabel: 'code',
    duration: 'traefik_service_request_duration_seconds',
    target: 'service',
  },
};

/** The indicators, by id. */
export type IndicatorId = 'cpu' | 'memory' | 'storage' | 'podReadiness' | 'responseTime' | 'successRate';

/** What the expressions of every indicator are scoped to. */
export interface IndicatorScope {
  /** The namespace OpenHands creates sandbox pods and their PVCs in. */
  readonly sandboxNamespace: string;
  readonly controller: IngressControllerKind;
  /** The namespace the controller runs in, for the `kubectl logs` hint. */
  readonly controllerNamespace: string;
  /** The range of every `rate()`. */
  readonly rateWindow: string;
}

/** One indicator: the PromQL expression that measures it and how its alert reads. */
export interface Indicator {
  readonly alert: string;
  /** Panel title. */
  readonly title: string;
  /** The rule group it goes into. */
  readonly group: 'sandbox' | 'ingress';
  /** `ratio` values are in (0, 1]; `seconds` are a duration. */
  readonly unit: 'ratio' | 'seconds';
  /** Whether the alert fires above or below the threshold. */
  readonly firesWhen: 'above' | 'below';
  readonly severity: 'warning' | 'critical';
  /** The record name the value has when evaluated as a recording rule (the dashboard test does). */
  readonly record: string;
  /** The labels of each resulting series: what one alert is about. */
  readonly by: (s: IndicatorScope) => readonly string[];
  /** The value, one series per object. */
  readonly expr: (s: IndicatorScope) => string;
  /** One line; may use `{{ $labels.x }}` and `{{ $value }}`. */
  readonly summary: (s: IndicatorScope) => string;
  /** Why it matters and the commands to run next; may use `{{ $labels.x }}`, never `$value`. */
  readonly description: (s: IndicatorScope, threshold: string, forDuration: string) => string;
}

const SANDBOX_POD = 'openhands-runtime-.+';
const SANDBOX_PVC = 'openhands-runtime-.+-pvc';

function sandboxPods(s: IndicatorScope, extra = ''): string {
  return `{namespace="${s.sandboxNamespace}", pod=~"${SANDBOX_POD}"${extra}}`;
}

// cAdvisor also reports each pod's own cgroup (container="") and the pause container ("POD"): counting
// them would add the pod's total to itself.
const CONTAINERS = ', container!="", container!="POD"';

function useOfLimit(s: IndicatorScope, usage: string, resource: string, unit: string): string {
  return `sum by (namespace, pod) (${usage})`
    + ` / sum by (namespace, pod) (kube_pod_container_resource_limits${sandboxPods(s, `, resource="${resource}", unit="${unit}"`)})`;
}

const POD = '{{ $labels.namespace }}/{{ $labels.pod }}';
const IN_POD = 'kubectl -n {{ $labels.namespace }}';

function podNext(): string {
  return `Next: ${IN_POD} describe pod {{ $labels.pod }}; `
    + `${IN_POD} get events --field-selector involvedObject.name={{ $labels.pod }}; `
    + `${IN_POD} logs {{ $labels.pod }} --tail=200`;
}

function controllerNext(s: IndicatorScope): string {
  const m = INGRESS_CONTROLLER_METRICS[s.controller];
  return `Next: kubectl -n ${s.controllerNamespace} logs ${m.workload} --tail=200; `
    + 'kubectl get ingress -A; kubectl get events -A --field-selector type=Warning --sort-by=.lastTimestamp';
}

function requestRate(s: IndicatorScope, metric: string, matcher = ''): string {
  const m = INGRESS_CONTROLLER_METRICS[s.controller];
  return `sum by (${m.target}) (rate(${metric}${matcher}[${s.rateWindow}]))`;
}

export const INDICATORS: Readonly<Record<IndicatorId, Indicator>> = {
  cpu: {
    alert: 'OpenHandsSandboxCpuHigh',
    title: 'Sandbox CPU use of limit',
    group: 'sandbox',
    unit: 'ratio',
    firesWhen: 'above',
    severity: 'warning',
    record: 'openhands:sandbox_cpu_use_of_limit:ratio',
    by: () => ['namespace', 'pod'],
    expr: s => useOfLimit(s, `rate(container_cpu_usage_seconds_total${sandboxPods(s, CONTAINERS)}[${s.rateWindow}])`, 'cpu', 'core'),
    summary: () => `Sandbox pod ${POD} uses {{ $value | humanizePercentage }} of its CPU limit.`,
    description: (_s, t, f) => `Above ${t} of the CPU limit for ${f}: the sandbox is throttled and the agent slows down. `
      + `${IN_POD} top pod {{ $labels.pod }} --containers shows the use now. ${podNext()}`,
  },
  memory: {
    alert: 'OpenHandsSandboxMemoryHigh',
    title: 'Sandbox memory use of limit',
    group: 'sandbox',
    unit: 'ratio',
    firesWhen: 'above',
    severity: 'warning',
    record: 'openhands:sandbox_memory_use_of_limit:ratio',
    by: () => ['namespace', 'pod'],
    expr: s => useOfLimit(s, `container_memory_working_set_bytes${sandboxPods(s, CONTAINERS)}`, 'memory', 'byte'),
    summary: () => `Sandbox pod ${POD} uses {{ $value | humanizePercentage }} of its memory limit.`,
    description: (_s, t, f) => `Above ${t} of the memory limit for ${f}: at the limit the kernel OOM-kills the runtime `
      + `(describe shows Last State: OOMKilled). ${podNext()} --previous`,
  },
  storage: {
    alert: 'OpenHandsSandboxStorageHigh',
    title: 'Sandbox workspace volume use',
    group: 'sandbox',
    unit: 'ratio',
    firesWhen: 'above',
    severity: 'warning',
    record: 'openhands:sandbox_volume_use:ratio',
    by: () => ['namespace', 'persistentvolumeclaim'],
    expr: s => {
      const pvc = `{namespace="${s.sandboxNamespace}", persistentvolumeclaim=~"${SANDBOX_PVC}"}`;
      return `sum by (namespace, persistentvolumeclaim) (kubelet_volume_stats_used_bytes${pvc})`
        + ` / sum by (namespace, persistentvolumeclaim) (kubelet_volume_stats_capacity_bytes${pvc})`;
    },
    summary: () => 'Workspace volume {{ $labels.namespace }}/{{ $labels.persistentvolumeclaim }} is {{ $value | humanizePercentage }} full.',
    description: (_s, t, f) => `Above ${t} full for ${f}: writes in /workspace fail once it is full. `
      + `Next: ${IN_POD} describe pvc {{ $labels.persistentvolumeclaim }}; `
      + `${IN_POD} exec {{ reReplaceAll "-pvc$" "" $labels.persistentvolumeclaim }} -- df -h /workspace`,
  },
  podReadiness: {
    alert: 'OpenHandsSandboxPodsNotReady',
    title: 'Sandbox pods Ready',
    group: 'sandbox',
    unit: 'ratio',
    firesWhen: 'below',
    severity: 'critical',
    record: 'openhands:sandbox_pods_ready:ratio',
    by: () => ['namespace'],
    expr: s => `sum by (namespace) (kube_pod_status_ready${sandboxPods(s, ', condition="true"')})`
      + ` / count by (namespace) (kube_pod_status_ready${sandboxPods(s, ', condition="true"')})`,
    summary: () => 'Only {{ $value | humanizePercentage }} of the sandbox pods in {{ $labels.namespace }} are Ready.',
    description: (_s, t, f) => `Below ${t} Ready for ${f}: conversations cannot reach their runtime. `
      + `Next: ${IN_POD} get pods -l app=openhands-runtime; `
      + `${IN_POD} get events --field-selector type=Warning --sort-by=.lastTimestamp; `
      + `${IN_POD} describe pod <a pod that is not Ready>`,
  },
  // The mean, not a quantile: Traefik's default histogram buckets end at 5 s, so a quantile read from them
  // can never exceed 5 s, while the mean (_sum / _count) is exact whatever the buckets are.
  responseTime: {
    alert: 'OpenHandsIngressSlowResponses',
    title: 'Ingress mean response time',
    group: 'ingress',
    unit: 'seconds',
    firesWhen: 'above',
    severity: 'warning',
    record: 'openhands:ingress_response_time:mean_seconds',
    by: s => [INGRESS_CONTROLLER_METRICS[s.controller].target],
    expr: s => {
      const m = INGRESS_CONTROLLER_METRICS[s.controller];
      return `${requestRate(s, `${m.duration}_sum`)} / ${requestRate(s, `${m.duration}_count`)}`;
    },
    summary: s => `Requests to ${INGRESS_CONTROLLER_METRICS[s.controller].target} {{ $labels.${INGRESS_CONTROLLER_METRICS[s.controller].target} }} take {{ $value | humanizeDuration }} on average.`,
    description: (s, t, f) => `Above ${t} on average for ${f}, measured at the ${s.controller} controller. ${controllerNext(s)}`,
  },
  // A target whose every request fails has no non-5xx series at all: `or ... * 0` makes that a 0, not a gap.
  successRate: {
    alert: 'OpenHandsIngressSuccessRateLow',
    title: 'Ingress success rate (non-5xx)',
    group: 'ingress',
    unit: 'ratio',
    firesWhen: 'below',
    severity: 'critical',
    record: 'openhands:ingress_success:ratio',
    by: s => [INGRESS_CONTROLLER_METRICS[s.controller].target],
    expr: s => {
      const m = INGRESS_CONTROLLER_METRICS[s.controller];
      const all = requestRate(s, m.requests);
      return `(${requestRate(s, m.requests, `{${m.statusLabel}!~"5.."}`)} or ${all} * 0) / ${all}`;
    },
    summary: s => `Only {{ $value | humanizePercentage }} of requests to ${INGRESS_CONTROLLER_METRICS[s.controller].target} {{ $labels.${INGRESS_CONTROLLER_METRICS[s.controller].target} }} succeed.`,
    description: (s, t, f) => `Below ${t} non-5xx responses for ${f}: the backend fails or has no ready endpoints `
      + `(kubectl get endpointslices -A). ${controllerNext(s)}`,
  },
};

export const INDICATOR_IDS = Object.keys(INDICATORS) as readonly IndicatorId[];

/** A value per indicator. */
export type PerIndicator<T> = { readonly [K in IndicatorId]: T };

/** The guide's thresholds. */
export const DEFAULT_THRESHOLDS: PerIndicator<number> = {
  cpu: 0.80,
  memory: 0.85,
  storage: 0.90,
  podReadiness: 0.95,
  responseTime: 5,
  successRate: 0.99,
};

/**
 * How long an indicator must stay past its threshold before the alert fires. Readiness waits longest:
 * a new sandbox pulls a multi-gigabyte runtime image before it can become Ready.
 */
export const DEFAULT_FOR: PerIndicator<string> = {
  cpu: '5m',
  memory: '5m',
  storage: '5m',
  podReadiness: '15m',
  responseTime: '5m',
  successRate: '5m',
};

/** The threshold and the `for:` of each indicator, as the user may override them. */
export interface IndicatorOverrides<T> {
  /** Sandbox container CPU use over its limit. */
  readonly cpu?: T;
  /** Sandbox container memory working set over its limit. */
  readonly memory?: T;
  /** Sandbox workspace PVC used bytes over capacity. */
  readonly storage?: T;
  /** Share of sandbox pods that are Ready. */
  readonly podReadiness?: T;
  /** Mean ingress response time, in seconds. */
  readonly responseTime?: T;
  /** Share of ingress responses that are not 5xx. */
  readonly successRate?: T;
}

/** The props every construct built from the indicator table takes. */
export interface IndicatorProps {
  /** The controller whose request metrics the ingress indicators read. @default 'ingress-nginx' */
  readonly ingressController?: IngressControllerKind;
  /** The namespace the controller runs in (named in the `kubectl logs` hint). @default - the release's: `ingress-nginx` or `traefik` */
  readonly controllerNamespace?: string;
  /** The namespace of the sandbox pods and PVCs (OpenHands' `[kubernetes] namespace`). @default 'default' */
  readonly sandboxNamespace?: string;
  /**
   * Alert thresholds: ratios in (0, 1], `responseTime` in seconds above 0.
   * @default - the guide's: cpu 0.80, memory 0.85, storage 0.90, podReadiness 0.95, responseTime 5, successRate 0.99
   */
  readonly thresholds?: IndicatorOverrides<number>;
  /**
   * How long each indicator stays past its threshold before its alert fires, as a Prometheus duration.
   * @default - '5m' each, '15m' for podReadiness
   */
  readonly for?: IndicatorOverrides<string>;
  /** The range of every `rate()`: at least two scrape intervals. @default '5m' */
  readonly rateWindow?: string;
}

/** Indicator props with defaults applied and checked. */
export interface ResolvedIndicators {
  readonly scope: IndicatorScope;
  readonly thresholds: PerIndicator<number>;
  readonly for: PerIndicator<string>;
}

/** The rows of the indicator props, in the props table of each construct that takes them. */
export const INDICATOR_ROWS = propRows<IndicatorProps>()({
  ingressController: { default: 'ingress-nginx', check: (p, f, v) => p.oneOf(f, v, INGRESS_CONTROLLER_KINDS) },
  controllerNamespace: { check: (p, f, v) => p.dnsLabel(f, v) },
  sandboxNamespace: { default: 'default', check: (p, f, v) => p.dnsLabel(f, v) },
  thresholds: { check: (p, f, v) => resolveThresholds(p, f, v) },
  for: { check: (p, f, v) => resolveFor(p, f, v) },
  rateWindow: {
    default: '5m',
    check: (p, f, v) => {
      const windowMs = prometheusDurationMs(v);
      return p.check(windowMs !== undefined && windowMs > 0, f, v, `${PROMETHEUS_DURATION_ALLOWED}, above 0`);
    },
  },
});

/** The indicator props once INDICATOR_ROWS has applied the defaults and found no problem. */
export function resolvedIndicators(v: ResolvedRows<IndicatorProps, typeof INDICATOR_ROWS>): ResolvedIndicators {
  const controller = v.ingressController;
  const controllerNamespace = v.controllerNamespace ?? INGRESS_CONTROLLER_METRICS[controller].namespace;
  return {
    scope: { sandboxNamespace: v.sandboxNamespace, controller, controllerNamespace, rateWindow: v.rateWindow },
    thresholds: { ...DEFAULT_THRESHOLDS, ...v.thresholds },
    for: { ...DEFAULT_FOR, ...v.for },
  };
}

function overrides<T>(p: Problems, field: string, value: unknown): Partial<Record<IndicatorId, T>> {
  if (value === undefined) return {};
  if (!isPlainObject(value)) {
    p.add(field, value, `an object with some of ${INDICATOR_IDS.join(', ')}`);
    return {};
  }
  for (const k of Object.keys(value)) {
    if (!(INDICATOR_IDS as readonly string[]).includes(k)) p.add(`${field}.${k}`, value[k], `absent (indicators are ${INDICATOR_IDS.join(', ')})`);
  }
  return value as Partial<Record<IndicatorId, T>>;
}

function resolveThresholds(p: Problems, field: string, value: unknown): PerIndicator<number> {
  const given = overrides<number>(p, field, value);
  const out = { ...DEFAULT_THRESHOLDS, ...given };
  for (const id of INDICATOR_IDS) {
    const t = out[id];
    const finite = typeof t === 'number' && Number.isFinite(t);
    if (INDICATORS[id].unit === 'seconds') p.check(finite && t > 0, `${field}.${id}`, t, 'a number of seconds above 0');
    else p.check(finite && t > 0 && t <= 1, `${field}.${id}`, t, 'a ratio in (0, 1]');
  }
  return out;
}

function resolveFor(p: Problems, field: string, value: unknown): PerIndicator<string> {
  const given = overrides<string>(p, field, value);
  const out = { ...DEFAULT_FOR, ...given };
  for (const id of INDICATOR_IDS) p.check(prometheusDurationMs(out[id]) !== undefined, `${field}.${id}`, out[id], PROMETHEUS_DURATION_ALLOWED);
  return out;
}

/** `0.8` as `80%`, `5` (seconds) as `5s`: thresholds as the annotations and panel descriptions show them. */
export function formatThreshold(id: IndicatorId, value: number): string {
  return INDICATORS[id].unit === 'seconds' ? `${value}s` : `${Number((value * 100).toPrecision(6))}%`;
}

/** The alert condition: the indicator's expression compared with its threshold. */
export function alertExpr(id: IndicatorId, scope: IndicatorScope, threshold: number): string {
  return `${INDICATORS[id].expr(scope)} ${INDICATORS[id].firesWhen === 'above' ? '>' : '<'} ${threshold}`;
}
