import { Construct } from 'constructs';
import { GrafanaDashboard } from '../constructs/monitoring/grafana-dashboard';
import { IngressMetricsMonitor } from '../constructs/monitoring/ingress-metrics-monitor';
import { IngressNginx } from '../constructs/ingress-nginx/ingress-nginx';
import { IndicatorProps } from '../constructs/monitoring/monitoring-indicators';
import { OpenHandsAlerts } from '../constructs/monitoring/openhands-alerts';
import { Traefik } from '../constructs/traefik-gateway/traefik';

/** Monitoring a stack turns on with its `monitoring` prop (`true` for all defaults). */
export interface MonitoringOptions {
  /** Labels on the ServiceMonitor/PodMonitor and the PrometheusRule: what your Prometheus selects. @default - `release: kube-prometheus-stack` */
  readonly labels?: Readonly<Record<string, string>>;
  /** Namespace of the PrometheusRule and the dashboard ConfigMap (where Grafana's sidecar looks). @default 'monitoring' */
  readonly namespace?: string;
  /** Per-indicator thresholds. @default - the guide's */
  readonly thresholds?: IndicatorProps['thresholds'];
  /** Per-indicator `for:` durations. @default - '5m' each, '15m' for pod readiness */
  readonly for?: IndicatorProps['for'];
}

/** The monitoring objects of a stack. */
export interface Monitoring {
  readonly monitor: IngressMetricsMonitor;
  readonly alerts: OpenHandsAlerts;
  readonly dashboard: GrafanaDashboard;
}

/**
 * The controller's scrape target, the six alerts and the dashboard, in one chart, for the controller a stack runs
 * (an IngressNginx must have `metrics: true`) and its sandbox namespace.
 */
export function addMonitoring(chart: Construct, controller: IngressNginx | Traefik, sandboxNamespace: string, o: MonitoringOptions = {}): Monitoring {
  const isNginx = controller instanceof IngressNginx;
  const indicators: IndicatorProps = {
    ingressController: isNginx ? 'ingress-nginx' : 'traefik',
    controllerNamespace: controller.namespace,
    sandboxNamespace,
    ...(o.thresholds ? { thresholds: o.thresholds } : {}),
    ...(o.for ? { for: o.for } : {}),
  };
  const placed = { ...(o.namespace ? { namespace: o.namespace } : {}) };
  const labels = { ...(o.labels ? { labels: o.labels } : {}) };
  return {
    monitor: new IngressMetricsMonitor(chart, 'monitor', isNginx
      ? { ingressNginx: controller, ...labels }
      : { controller: 'traefik', namespace: controller.namespace, ...labels }),
    alerts: new OpenHandsAlerts(chart, 'alerts', { ...indicators, ...placed, ...labels }),
    dashboard: new GrafanaDashboard(chart, 'dashboard', { ...indicators, ...placed }),
  };
}
