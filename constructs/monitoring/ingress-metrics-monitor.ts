import { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';
import { PROMETHEUS_DURATION_ALLOWED, prometheusDurationMs } from '../../src/prometheus-duration';
import { ResolvedProps, propSpec, resolveProps } from '../../src/props';
import { Problems, isPortName } from '../../src/validation';
import { IngressNginx } from '../ingress-nginx/ingress-nginx';
import { INGRESS_CONTROLLER_KINDS, INGRESS_CONTROLLER_METRICS, IngressControllerKind } from './monitoring-indicators';

export interface IngressMetricsMonitorProps {
  /**
   * The IngressNginx to scrape; it must have `metrics: true`. The monitor then takes its namespace, its name
   * (the controller's) and its metrics Service's selector from it, so another instance or namespace needs no
   * repeated strings; `controller`, `namespace` and `targetSelector` must then be left unset.
   * @default - none: the chart's default instance `ingress-nginx`, or the `controller`, `namespace` and `targetSelector` given
   */
  readonly ingressNginx?: IngressNginx;
  /**
   * The controller to scrape. ingress-nginx is scraped through its metrics Service (what the chart's
   * `controller.metrics.enabled` renders) with a ServiceMonitor; Traefik's chart opens its `metrics`
   * entrypoint (port 9100) on the pod only, so it is scraped with a PodMonitor.
   * @default 'ingress-nginx'
   */
  readonly controller?: IngressControllerKind;
  /** Name of the ServiceMonitor or PodMonitor. @default - the controller's: 'ingress-nginx-controller' or 'traefik' */
  readonly name?: string;
  /** Namespace of the monitor and of the controller it scrapes. @default - the release's: 'ingress-nginx' or 'traefik' */
  readonly namespace?: string;
  /**
   * Labels your Prometheus selects monitors by (its `serviceMonitorSelector` / `podMonitorSelector`).
   * @default { release: 'kube-prometheus-stack' }
   */
  readonly labels?: Readonly<Record<string, string>>;
  /**
   * Labels of the metrics Service (ingress-nginx) or the pods (Traefik) to scrape.
   * @default - the chart's controller selector labels
   */
  readonly targetSelector?: Readonly<Record<string, string>>;
  /** Name of the port serving `/metrics`. @default 'metrics' */
  readonly port?: string;
  /** Scrape interval. @default '30s' (the ingress-nginx chart's `serviceMonitor.scrapeInterval`) */
  readonly interval?: string;
}

const PROPS = propSpec<IngressMetricsMonitorProps>()('IngressMetricsMonitor', {
  ingressNginx: {},
  controller: { default: 'ingress-nginx' },
  name: {},
  namespace: {},
  labels: { default: { release: 'kube-prometheus-stack' }, check: (p, f, v) => p.labels(f, v) },
  targetSelector: {},
  port: { default: 'metrics', check: (p, f, v) => p.check(isPortName(v), f, v, 'a port name (at most 15 of a-z, 0-9, "-", with a letter)') },
  interval: {
    default: '30s',
    check: (p, f, v) => {
      const ms = prometheusDurationMs(v);
      return p.check(ms !== undefined && ms > 0, f, v, `${PROMETHEUS_DURATION_ALLOWED}, above 0`);
    },
  },
});

/** The chart defaults each controller's monitor starts from. */
const CONTROLLER_DEFAULTS: Readonly<Record<IngressControllerKind, { name: string; kind: 'ServiceMonitor' | 'PodMonitor'; targetSelector: Readonly<Record<string, string>> }>> = {
  'ingress-nginx': {
    name: 'ingress-nginx-controller',
    kind: 'ServiceMonitor',
    // The controller, admission and metrics Services all carry these labels; only the metrics Service has a
    // port named `metrics`, so only it is scraped (as the chart's own ServiceMonitor does).
    targetSelector: {
      'app.kubernetes.io/component': 'controller',
      'app.kubernetes.io/instance': 'ingress-nginx',
      'app.kubernetes.io/name': 'ingress-nginx',
    },
  },
  traefik: {
    name: 'traefik',
    kind: 'PodMonitor',
    targetSelector: { 'app.kubernetes.io/instance': 'traefik-traefik', 'app.kubernetes.io/name': 'traefik' },
  },
};

/** A Prometheus Operator ServiceMonitor (ingress-nginx) or PodMonitor (Traefik) for the ingress controller's metrics. */
export class IngressMetricsMonitor extends Construct {
  /** The ServiceMonitor or PodMonitor. */
  public readonly monitor: ApiObject;
  /** Which of the two `monitor` is. */
  public readonly kind: 'ServiceMonitor' | 'PodMonitor';
  /** The controller scraped. */
  public readonly controller: IngressControllerKind;

  constructor(scope: Construct, id: string, props: IngressMetricsMonitorProps = {}) {
    super(scope, id);
    const r = resolveProps(this, props, PROPS, resolve);
    this.controller = r.controller;
    this.kind = CONTROLLER_DEFAULTS[r.controller].kind;
    const endpoint = { port: r.port, path: '/metrics', interval: r.interval };
    this.monitor = new ApiObject(this, 'monitor', {
      apiVersion: 'monitoring.coreos.com/v1',
      kind: this.kind,
      metadata: { name: r.name, namespace: r.namespace, labels: { ...r.labels } },
      spec: {
        namespaceSelector: { matchNames: [r.namespace] },
        selector: { matchLabels: { ...r.targetSelector } },
        ...(this.kind === 'ServiceMonitor' ? { endpoints: [endpoint] } : { podMetricsEndpoints: [endpoint] }),
      },
    });
  }
}

/** What a given IngressNginx decides: the props it owns, taken from its typed handles. */
function fromIngressNginx(p: Problems, v: ResolvedProps<typeof PROPS>, props: IngressMetricsMonitorProps): ResolvedProps<typeof PROPS> {
  const target = v.ingressNginx;
  if (target === undefined) return v;
  if (!(target instanceof IngressNginx)) {
    p.add('ingressNginx', String(target), 'an IngressNginx construct');
    p.throwIfAny();
  }
  p.check(target.metricsService !== undefined, 'ingressNginx', target.node.path,
    'an IngressNginx with `metrics: true` (without it the controller serves no metrics and has no metrics Service)');
  for (const owned of ['controller', 'namespace', 'targetSelector'] as const) {
    p.check(props[owned] === undefined, owned, props[owned], `unset when ingressNginx is given (it follows from ${target.node.path})`);
  }
  return {
    ...v,
    controller: 'ingress-nginx',
    name: v.name ?? target.deployment.name,
    namespace: target.namespace,
    targetSelector: target.controllerSelector,
  };
}

/** The controller's chart defaults for the props not given, or those an IngressNginx decides; checked. */
function resolve(p: Problems, given: ResolvedProps<typeof PROPS>, props: IngressMetricsMonitorProps) {
  const v = fromIngressNginx(p, given, props);
  const controller = v.controller;
  if (!p.oneOf('controller', controller, INGRESS_CONTROLLER_KINDS)) p.throwIfAny();
  const d = CONTROLLER_DEFAULTS[controller];
  const r = {
    ...v,
    name: v.name ?? d.name,
    namespace: v.namespace ?? INGRESS_CONTROLLER_METRICS[controller].namespace,
    targetSelector: v.targetSelector ?? d.targetSelector,
  };
  p.dnsSubdomain('name', r.name);
  p.dnsLabel('namespace', r.namespace);
  if (p.labels('targetSelector', r.targetSelector)) {
    p.check(Object.keys(r.targetSelector).length > 0, 'targetSelector', r.targetSelector, 'at least one label (an empty selector scrapes every Service or pod of the namespace)');
  }
  return r;
}
