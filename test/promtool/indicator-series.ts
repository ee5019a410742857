/**
 * promtool rule unit tests generated from the indicator table: for each indicator, input series whose
 * indicator value is a chosen number, the labels its alert carries, and the annotations promtool must render.
 */
import {
  INDICATORS, INGRESS_CONTROLLER_METRICS, IndicatorId, IndicatorScope, ResolvedIndicators, formatThreshold,
} from '../../constructs/monitoring/monitoring-indicators';
import { prometheusDurationMs } from '../../src/prometheus-duration';

const MINUTE = 60_000;
const BASE = 1_000_000; // counters start high so rate() never limits its extrapolation at a zero point
const POD = 'openhands-runtime-abc123';
const CPU_LIMIT = 2;
const MEMORY_LIMIT = 4 * 2 ** 30;
const VOLUME = 10 * 2 ** 30;
const REQUESTS_PER_SECOND = 10;

/** One input series in promtool's expanding notation. */
export interface Series { readonly series: string; readonly values: string }

interface Fixture {
  /** Series whose indicator value is `v` for `minutes` minutes, plus out-of-scope series far past any threshold. */
  readonly series: (s: IndicatorScope, v: number, minutes: number) => Series[];
  /** The labels of the one series the indicator yields for them. */
  readonly labels: (s: IndicatorScope) => Record<string, string>;
  /**
   * From when (minutes after the series start) the expression's value equals `v` exactly: a plain rate()
   * underestimates until its window, extrapolated, reaches back to the first sample; a ratio of two rates
   * over the same sample times is exact as soon as there are two samples.
   */
  readonly exactFrom: (windowMinutes: number) => number;
}

function sel(labels: Record<string, string>): string {
  return `{${Object.entries(labels).map(([k, v]) => `${k}="${v}"`).join(', ')}}`;
}

function gauge(metric: string, labels: Record<string, string>, value: number, minutes: number): Series {
  return { series: `${metric}${sel(labels)}`, values: `${value}x${minutes}` };
}

function counter(metric: string, labels: Record<string, string>, perSecond: number, minutes: number): Series {
  return { series: `${metric}${sel(labels)}`, values: `${BASE}+${Number((perSecond * 60).toPrecision(12))}x${minutes}` };
}

function containers(ns: string, pod: string): Record<string, string>[] {
  // cAdvisor's pod-level cgroup (container="") repeats the container's use; the expression must skip it.
  return [{ namespace: ns, pod, container: 'runtime' }, { namespace: ns, pod, container: '' }];
}

function limit(ns: string, pod: string, resource: string, unit: string, value: number, minutes: number): Series {
  return gauge('kube_pod_container_resource_limits', { namespace: ns, pod, container: 'runtime', resource, unit }, value, minutes);
}

function requests(s: IndicatorScope, labels: Record<string, string>) {
  const m = INGRESS_CONTROLLER_METRICS[s.controller];
  return { ...labels, [m.target]: s.controller === 'traefik' ? 'default-openhands-3000@kubernetes' : 'openhands' };
}

const FIXTURES: Readonly<Record<IndicatorId, Fixture>> = {
  cpu: {
    series: (s, v, n) => [
      ...containers(s.sandboxNamespace, POD).map(l => counter('container_cpu_usage_seconds_total', l, v * CPU_LIMIT, n)),
      limit(s.sandboxNamespace, POD, 'cpu', 'core', CPU_LIMIT, n),
      // Not a sandbox: ubuntu-dev at twice its limit must not alert.
      counter('container_cpu_usage_seconds_total', { namespace: s.sandboxNamespace, pod: 'ubuntu-dev-7d9f', container: 'ubuntu' }, 2, n),
      gauge('kube_pod_container_resource_limits', { namespace: s.sandboxNamespace, pod: 'ubuntu-dev-7d9f', container: 'ubuntu', resource: 'cpu', unit: 'core' }, 1, n),
    ],
    labels: s => ({ namespace: s.sandboxNamespace, pod: POD }),
    exactFrom: w => w - 1,
  },
  memory: {
    series: (s, v, n) => [
      ...containers(s.sandboxNamespace, POD).map(l => gauge('container_memory_working_set_bytes', l, v * MEMORY_LIMIT, n)),
      limit(s.sandboxNamespace, POD, 'memory', 'byte', MEMORY_LIMIT, n),
      // A sandbox in another namespace, at its limit.
      gauge('container_memory_working_set_bytes', { namespace: 'elsewhere', pod: POD, container: 'runtime' }, MEMORY_LIMIT, n),
      limit('elsewhere', POD, 'memory', 'byte', MEMORY_LIMIT, n),
    ],
    labels: s => ({ namespace: s.sandboxNamespace, pod: POD }),
    exactFrom: () => 0,
  },
  storage: {
    series: (s, v, n) => {
      const pvc = (name: string, used: number) => [
        gauge('kubelet_volume_stats_used_bytes', { namespace: s.sandboxNamespace, persistentvolumeclaim: name }, used, n),
        gauge('kubelet_volume_stats_capacity_bytes', { namespace: s.sandboxNamespace, persistentvolumeclaim: name }, VOLUME, n),
      ];
      // A full volume that is no sandbox workspace.
      return [...pvc(`${POD}-pvc`, v * VOLUME), ...pvc('data-postgres-0', VOLUME)];
    },
    labels: s => ({ namespace: s.sandboxNamespace, persistentvolumeclaim: `${POD}-pvc` }),
    exactFrom: () => 0,
  },
  podReadiness: {
    // Readiness moves in steps of one pod: 100 pods give the 0.01 steps the boundary cases need.
    series: (s, v, n) => {
      const ready = Math.round(v * 100);
      const pods = Array.from({ length: 100 }, (_, i) => `openhands-runtime-s${String(i).padStart(3, '0')}`);
      return [
        ...pods.flatMap((pod, i) => [
          gauge('kube_pod_status_ready', { namespace: s.sandboxNamespace, pod, condition: 'true' }, i < ready ? 1 : 0, n),
          gauge('kube_pod_status_ready', { namespace: s.sandboxNamespace, pod, condition: 'false' }, i < ready ? 0 : 1, n),
        ]),
        gauge('kube_pod_status_ready', { namespace: s.sandboxNamespace, pod: 'ubuntu-dev-7d9f', condition: 'true' }, 0, n),
      ];
    },
    labels: s => ({ namespace: s.sandboxNamespace }),
    exactFrom: () => 0,
  },
  responseTime: {
    series: (s, v, n) => {
      const m = INGRESS_CONTROLLER_METRICS[s.controller];
      const l = requests(s, s.controller === 'traefik' ? { code: '200', method: 'GET', protocol: 'http' } : { namespace: 'openhands', status: '200', method: 'GET' });
      return [counter(`${m.duration}_sum`, l, v * REQUESTS_PER_SECOND, n), counter(`${m.duration}_count`, l, REQUESTS_PER_SECOND, n)];
    },
    labels: s => ({ [INGRESS_CONTROLLER_METRICS[s.controller].target]: requests(s, {})[INGRESS_CONTROLLER_METRICS[s.controller].target] }),
    exactFrom: () => 1,
  },
  successRate: {
    series: (s, v, n) => statusSeries(s, [['200', v], ['503', 1 - v]], n),
    labels: s => ({ [INGRESS_CONTROLLER_METRICS[s.controller].target]: requests(s, {})[INGRESS_CONTROLLER_METRICS[s.controller].target] }),
    exactFrom: () => 1,
  },
};

/** Request counters of the controller, one per status code, at these shares of the request rate. */
export function statusSeries(s: IndicatorScope, shares: readonly (readonly [string, number])[], n: number): Series[] {
  const m = INGRESS_CONTROLLER_METRICS[s.controller];
  return shares.map(([status, share]) => counter(m.requests, requests(s, { [m.statusLabel]: status, method: 'GET' }), share * REQUESTS_PER_SECOND, n));
}

/** How far past (or inside) a threshold the boundary cases sit. */
export function margin(id: IndicatorId): number {
  return INDICATORS[id].unit === 'seconds' ? 0.1 : 0.01;
}

/** A value just past the threshold (the alert must fire) and one just inside (it must not). */
export function boundary(id: IndicatorId, threshold: number): { past: number; inside: number } {
  const d = margin(id) * (INDICATORS[id].firesWhen === 'above' ? 1 : -1);
  const inside = threshold - d;
  return { past: round(threshold + d), inside: round(INDICATORS[id].unit === 'ratio' ? Math.min(inside, 1) : inside) };
}

function round(v: number): number {
  return Number(v.toFixed(6));
}

/** Go's `%.4g`, as Prometheus' humanize functions print seconds and percentages. */
function g4(v: number): string {
  return String(Number(v.toPrecision(4)));
}

/** Renders the few template forms our annotations use, as Prometheus renders them for one alert. */
export function renderTemplate(text: string, labels: Record<string, string>, value: number): string {
  const out = text
    .replace(/\{\{ \$labels\.(\w+) \}\}/g, (_, l: string) => labels[l])
    .replace(/\{\{ reReplaceAll "-pvc\$" "" \$labels\.(\w+) \}\}/g, (_, l: string) => labels[l].replace(/-pvc$/, ''))
    .replace('{{ $value | humanizePercentage }}', `${g4(value * 100)}%`)
    .replace('{{ $value | humanizeDuration }}', `${g4(value)}s`);
  if (out.includes('{{')) throw new Error(`the test renderer does not know a template form in: ${out}`);
  return out;
}

/** Minutes, for a promtool eval_time. */
export function minutes(ms: number): string {
  return `${ms / MINUTE}m`;
}

export interface IndicatorCase {
  readonly name: string;
  readonly input_series: Series[];
  readonly alert_rule_test: unknown[];
  readonly promql_expr_test: unknown[];
}

/**
 * The promtool tests of one indicator: just past the threshold the alert is silent one evaluation before
 * its `for:` has elapsed and fires at it; just inside it never fires; and the dashboard's query (loaded as a
 * recording rule) reads back the value the series were built for, both times.
 */
export function indicatorCases(id: IndicatorId, r: ResolvedIndicators): IndicatorCase[] {
  const ind = INDICATORS[id];
  const f = FIXTURES[id];
  const windowMinutes = prometheusDurationMs(r.scope.rateWindow)! / MINUTE;
  const exactFrom = f.exactFrom(windowMinutes) * MINUTE;
  const fireAt = exactFrom + Math.ceil(prometheusDurationMs(r.for[id])! / MINUTE) * MINUTE;
  const n = fireAt / MINUTE + 10;
  const labels = f.labels(r.scope);
  const { past, inside } = boundary(id, r.thresholds[id]);
  const alertLabels = { ...labels, severity: ind.severity, indicator: id };
  const fired = {
    exp_labels: alertLabels,
    exp_annotations: Object.fromEntries(['summary', 'description'].map(k => [k, renderTemplate(
      k === 'summary' ? ind.summary(r.scope) : ind.description(r.scope, formatThreshold(id, r.thresholds[id]), r.for[id]), labels, past)])),
  };
  // Rates of counters built by repeated float addition are off in the 12th digit: compare within 1e-9.
  const recorded = (v: number) => ({
    expr: `abs(${ind.record} - ${v}) < bool 1e-9`, eval_time: minutes(fireAt), exp_samples: [{ labels: sel(labels), value: 1 }],
  });
  return [
    {
      name: `${id}: ${past} is past ${r.thresholds[id]}, fires after ${r.for[id]}`,
      input_series: f.series(r.scope, past, n),
      alert_rule_test: [
        ...(fireAt >= MINUTE ? [{ eval_time: minutes(fireAt - MINUTE), alertname: ind.alert, exp_alerts: [] }] : []),
        { eval_time: minutes(fireAt), alertname: ind.alert, exp_alerts: [fired] },
      ],
      promql_expr_test: [recorded(past)],
    },
    {
      name: `${id}: ${inside} is inside ${r.thresholds[id]}, never fires`,
      input_series: f.series(r.scope, inside, n),
      alert_rule_test: [{ eval_time: minutes(fireAt + 5 * MINUTE), alertname: ind.alert, exp_alerts: [] }],
      promql_expr_test: [recorded(inside)],
    },
  ];
}
