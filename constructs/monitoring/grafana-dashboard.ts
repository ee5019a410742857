import { Construct } from 'constructs';
import { KubeConfigMap } from '../../imports/k8s';
import { propSpec, resolveProps } from '../../src/props';
import {
  INDICATORS, INDICATOR_IDS, INDICATOR_ROWS, IndicatorId, IndicatorProps, ResolvedIndicators, formatThreshold, resolvedIndicators,
} from './monitoring-indicators';

export interface GrafanaDashboardProps extends IndicatorProps {
  /** Name of the ConfigMap. @default 'openhands-dashboard' */
  readonly name?: string;
  /** Namespace of the ConfigMap: one the Grafana dashboard sidecar searches. @default 'monitoring' */
  readonly namespace?: string;
  /**
   * The label(s) Grafana's dashboard sidecar picks ConfigMaps up by (the Grafana chart's
   * `sidecar.dashboards.label` / `labelValue`).
   * @default { grafana_dashboard: '1' }
   */
  readonly sidecarLabels?: Readonly<Record<string, string>>;
  /** The dashboard's uid: its URL, stable across re-imports (at most 40 of a-z, A-Z, 0-9, "-", "_"). @default 'openhands' */
  readonly uid?: string;
  /** The dashboard's title. @default 'OpenHands' */
  readonly title?: string;
}

const PROPS = propSpec<GrafanaDashboardProps>()('GrafanaDashboard', {
  name: { default: 'openhands-dashboard', check: (p, f, v) => p.dnsSubdomain(f, v) },
  namespace: { default: 'monitoring', check: (p, f, v) => p.dnsLabel(f, v) },
  sidecarLabels: {
    default: { grafana_dashboard: '1' },
    check: (p, f, v) => p.labels(f, v) && p.check(Object.keys(v).length > 0, f, v, 'at least one label (the sidecar finds dashboards by label)'),
  },
  uid: { default: 'openhands', check: (p, f, v) => p.check(typeof v === 'string' && /^[A-Za-z0-9_-]{1,40}$/.test(v), f, v, 'at most 40 of a-z, A-Z, 0-9, "-", "_"') },
  // Bounded so the dashboard JSON stays far below the 1 MiB the API server allows a ConfigMap.
  title: {
    default: 'OpenHands',
    check: (p, f, v) => p.check(typeof v === 'string' && v.trim().length > 0 && v.length <= MAX_TITLE_LENGTH, f,
      typeof v === 'string' && v.length > MAX_TITLE_LENGTH ? `${v.slice(0, 20)}... (${v.length} characters)` : v,
      `a non-empty string of at most ${MAX_TITLE_LENGTH} characters`),
  },
  ...INDICATOR_ROWS,
});

const MAX_TITLE_LENGTH = 1000;

/** The ConfigMap key the dashboard JSON is stored under. */
export const DASHBOARD_FILE = 'openhands.json';

/** One target of a panel: a PromQL query. */
export interface DashboardTarget {
  readonly refId: string;
  readonly expr: string;
  readonly legendFormat: string;
  readonly datasource: { readonly type: 'prometheus'; readonly uid: string };
}

/** The parts of a Grafana time series panel this dashboard sets. */
export interface DashboardPanel {
  readonly id: number;
  readonly type: 'timeseries';
  readonly title: string;
  readonly description: string;
  readonly datasource: { readonly type: 'prometheus'; readonly uid: string };
  readonly gridPos: { readonly h: number; readonly w: number; readonly x: number; readonly y: number };
  readonly fieldConfig: unknown;
  readonly targets: readonly DashboardTarget[];
}

/**
 * A Grafana dashboard with a panel per indicator of the alert rules, as JSON in a ConfigMap that Grafana's
 * dashboard sidecar (as kube-prometheus-stack runs it) loads. Each panel's query is the indicator's own
 * expression, the same text `OpenHandsAlerts` compares with its threshold, and the threshold is drawn on it.
 */
export class GrafanaDashboard extends Construct {
  /** The ConfigMap holding the dashboard. */
  public readonly configMap: KubeConfigMap;
  /** The dashboard model, as stored in the ConfigMap. */
  public readonly dashboard: { readonly uid: string; readonly title: string; readonly panels: readonly DashboardPanel[] };
  /** Thresholds, durations and scope after defaults. */
  public readonly indicators: ResolvedIndicators;

  constructor(scope: Construct, id: string, props: GrafanaDashboardProps = {}) {
    super(scope, id);
    const r = resolveProps(this, props, PROPS);
    this.indicators = resolvedIndicators(r);
    this.dashboard = renderDashboard(r.uid, r.title, this.indicators);
    this.configMap = new KubeConfigMap(this, 'dashboard', {
      metadata: { name: r.name, namespace: r.namespace, labels: { ...r.sidecarLabels } },
      data: { [DASHBOARD_FILE]: `${JSON.stringify(this.dashboard, null, 2)}\n` },
    });
  }
}

// Panels name the data source through a variable so the dashboard works with whatever Prometheus
// data source uid the Grafana install has.
const DATASOURCE = { type: 'prometheus', uid: '${datasource}' } as const;

function renderDashboard(uid: string, title: string, r: ResolvedIndicators) {
  return {
    uid,
    title,
    tags: ['openhands'],
    editable: false,
    schemaVersion: 39,
    version: 1,
    refresh: '1m',
    time: { from: 'now-6h', to: 'now' },
    templating: {
      list: [{ name: 'datasource', label: 'Prometheus', type: 'datasource', query: 'prometheus', current: {}, hide: 0 }],
    },
    panels: INDICATOR_IDS.map((id, i) => renderPanel(id, i, r)),
  };
}

function renderPanel(id: IndicatorId, index: number, r: ResolvedIndicators): DashboardPanel {
  const ind = INDICATORS[id];
  const threshold = r.thresholds[id];
  return {
    id: index + 1,
    type: 'timeseries',
    title: ind.title,
    description: `Alert ${ind.alert} (${ind.severity}) fires when this is ${ind.firesWhen} ${formatThreshold(id, threshold)} for ${r.for[id]}.`,
    datasource: DATASOURCE,
    gridPos: { h: 8, w: 12, x: (index % 2) * 12, y: Math.floor(index / 2) * 8 },
    fieldConfig: {
      defaults: {
        unit: ind.unit === 'seconds' ? 's' : 'percentunit',
        min: 0,
        custom: { thresholdsStyle: { mode: 'line' } },
        thresholds: {
          mode: 'absolute',
          // Grafana colours from each step's value up; the first step has no lower bound.
          steps: ind.firesWhen === 'above'
            ? [{ color: 'green', value: null }, { color: 'red', value: threshold }]
            : [{ color: 'red', value: null }, { color: 'green', value: threshold }],
        },
      },
      overrides: [],
    },
    targets: [{
      refId: 'A',
      expr: ind.expr(r.scope),
      legendFormat: ind.by(r.scope).map(l => `{{${l}}}`).join('/'),
      datasource: DATASOURCE,
    }],
  };
}
