import { describe, expect, test } from 'vitest';
import { GrafanaDashboard } from '../constructs/monitoring/grafana-dashboard';
import { IngressMetricsMonitor } from '../constructs/monitoring/ingress-metrics-monitor';
import { IngressNginx } from '../constructs/ingress-nginx/ingress-nginx';
import { DEFAULT_THRESHOLDS, INDICATORS, INDICATOR_IDS } from '../constructs/monitoring/monitoring-indicators';
import { OpenHandsAlerts } from '../constructs/monitoring/openhands-alerts';
import { isPrometheusDuration, prometheusDurationMs } from '../src/prometheus-duration';
import { errorOf, find, synthChart, synthChartYaml } from './util';

const EVERY_INDICATOR_PROP = {
  ingressController: 'traefik',
  controllerNamespace: 'edge',
  sandboxNamespace: 'sandboxes',
  thresholds: { cpu: 0.9, memory: 0.9, storage: 0.8, podReadiness: 1, responseTime: 2.5, successRate: 0.995 },
  for: { cpu: '10m', memory: '2m', storage: '1h', podReadiness: '30m', responseTime: '90s', successRate: '0' },
  rateWindow: '2m',
} as const;

function rules(docs: any[]): any[] {
  return find(docs, 'PrometheusRule').spec.groups.flatMap((g: any) => g.rules);
}

function dashboardOf(docs: any[]): any {
  return JSON.parse(find(docs, 'ConfigMap').data['openhands.json']);
}

describe('OpenHandsAlerts', () => {
  test('defaults snapshot: the guide\'s six alerts in two groups, ingress-nginx metrics', async () => {
    await expect(synthChartYaml(c => new OpenHandsAlerts(c, 'alerts'))).toMatchFileSnapshot('../__snapshots__/openhands-alerts-defaults.k8s.yaml');
    const docs = synthChart(c => new OpenHandsAlerts(c, 'alerts'));
    const rule = find(docs, 'PrometheusRule');
    expect(rule.apiVersion).toBe('monitoring.coreos.com/v1');
    expect(rule.metadata).toEqual({ name: 'openhands-alerts', namespace: 'monitoring', labels: { release: 'kube-prometheus-stack' } });
    expect(rule.spec.groups.map((g: any) => [g.name, g.rules.map((r: any) => r.alert)])).toEqual([
      ['openhands-sandbox', ['OpenHandsSandboxCpuHigh', 'OpenHandsSandboxMemoryHigh', 'OpenHandsSandboxStorageHigh', 'OpenHandsSandboxPodsNotReady']],
      ['openhands-ingress', ['OpenHandsIngressSlowResponses', 'OpenHandsIngressSuccessRateLow']],
    ]);
  });

  test('each alert compares its indicator with the guide\'s threshold', () => {
    const byId = Object.fromEntries(rules(synthChart(c => new OpenHandsAlerts(c, 'a'))).map((r: any) => [r.labels.indicator, r]));
    expect(Object.fromEntries(INDICATOR_IDS.map(id => [id, byId[id].expr.match(/ ([<>]) (\S+)$/).slice(1).join(' ')]))).toEqual({
      cpu: '> 0.8', memory: '> 0.85', storage: '> 0.9', podReadiness: '< 0.95', responseTime: '> 5', successRate: '< 0.99',
    });
    expect(byId.successRate.expr).toContain('nginx_ingress_controller_requests{status!~"5.."}[5m]');
    expect(byId.responseTime.expr).toContain('nginx_ingress_controller_request_duration_seconds_sum[5m]');
    expect(byId.cpu.expr).toContain('container_cpu_usage_seconds_total{namespace="default", pod=~"openhands-runtime-.+", container!="", container!="POD"}');
    expect(byId.storage.expr).toContain('kubelet_volume_stats_used_bytes{namespace="default", persistentvolumeclaim=~"openhands-runtime-.+-pvc"}');
    expect(byId.podReadiness.expr).toContain('kube_pod_status_ready{namespace="default", pod=~"openhands-runtime-.+", condition="true"}');
  });

  test('severity labels and annotations that name the kubectl commands to run next', () => {
    for (const r of rules(synthChart(c => new OpenHandsAlerts(c, 'a')))) {
      expect(r.labels.severity).toMatch(/^(warning|critical)$/);
      expect(r.annotations.summary).not.toContain('\n');
      expect(r.annotations.description).toMatch(/Next: kubectl /);
    }
    const byId = Object.fromEntries(rules(synthChart(c => new OpenHandsAlerts(c, 'a'))).map((r: any) => [r.labels.indicator, r]));
    expect(byId.podReadiness.labels.severity).toBe('critical');
    expect(byId.podReadiness.annotations.description).toContain('get events --field-selector type=Warning');
    expect(byId.memory.annotations.description).toContain('logs {{ $labels.pod }} --tail=200 --previous');
    expect(byId.successRate.annotations.description).toContain('kubectl -n ingress-nginx logs deployment/ingress-nginx-controller');
  });

  test('every prop: Traefik metric names, sandbox namespace, thresholds, durations, rate window', async () => {
    const build = (c: any) => new OpenHandsAlerts(c, 'alerts', {
      name: 'sandbox-rules', namespace: 'observability', labels: { release: 'prom', team: 'openhands' }, ...EVERY_INDICATOR_PROP,
    });
    await expect(synthChartYaml(build)).toMatchFileSnapshot('../__snapshots__/openhands-alerts-every-prop.k8s.yaml');
    const docs = synthChart(build);
    expect(find(docs, 'PrometheusRule').metadata).toEqual({ name: 'sandbox-rules', namespace: 'observability', labels: { release: 'prom', team: 'openhands' } });
    const byId = Object.fromEntries(rules(docs).map((r: any) => [r.labels.indicator, r]));
    expect(byId.successRate.expr).toBe('(sum by (service) (rate(traefik_service_requests_total{code!~"5.."}[2m])) or sum by (service) (rate(traefik_service_requests_total[2m])) * 0) / sum by (service) (rate(traefik_service_requests_total[2m])) < 0.995');
    expect(byId.responseTime.expr).toBe('sum by (service) (rate(traefik_service_request_duration_seconds_sum[2m])) / sum by (service) (rate(traefik_service_request_duration_seconds_count[2m])) > 2.5');
    expect(byId.responseTime.annotations.description).toContain('kubectl -n edge logs deployment/traefik');
    expect(byId.cpu.expr).toContain('namespace="sandboxes"');
    expect(Object.fromEntries(INDICATOR_IDS.map(id => [id, byId[id].for]))).toEqual(EVERY_INDICATOR_PROP.for);
  });

  test('the groups handle is what the PrometheusRule holds', () => {
    let alerts!: OpenHandsAlerts;
    const docs = synthChart(c => { alerts = new OpenHandsAlerts(c, 'a'); });
    expect(find(docs, 'PrometheusRule').spec.groups).toEqual(alerts.groups);
    expect(alerts.indicators.thresholds).toEqual(DEFAULT_THRESHOLDS);
  });
});

describe('GrafanaDashboard', () => {
  test('defaults snapshot: a ConfigMap with the sidecar label and a panel per indicator', async () => {
    await expect(synthChartYaml(c => new GrafanaDashboard(c, 'dash'))).toMatchFileSnapshot('../__snapshots__/grafana-dashboard-defaults.k8s.yaml');
    const docs = synthChart(c => new GrafanaDashboard(c, 'dash'));
    const cm = find(docs, 'ConfigMap');
    expect(cm.metadata).toEqual({ name: 'openhands-dashboard', namespace: 'monitoring', labels: { grafana_dashboard: '1' } });
    const dash = dashboardOf(docs);
    expect(dash.uid).toBe('openhands');
    expect(dash.panels.map((p: any) => p.title)).toEqual(INDICATOR_IDS.map(id => INDICATORS[id].title));
  });

  test('each panel queries exactly the expression its alert compares with the threshold (one source)', () => {
    for (const props of [{}, EVERY_INDICATOR_PROP]) {
      const docs = synthChart(c => { new OpenHandsAlerts(c, 'a', props); new GrafanaDashboard(c, 'd', props); });
      const alerts = rules(docs);
      const panels = dashboardOf(docs).panels;
      expect(panels).toHaveLength(alerts.length);
      alerts.forEach((rule: any) => {
        const id = rule.labels.indicator as keyof typeof DEFAULT_THRESHOLDS;
        const threshold = { ...DEFAULT_THRESHOLDS, ...(props as any).thresholds }[id];
        const panel = panels.find((p: any) => p.title === INDICATORS[id].title);
        expect(`${panel.targets[0].expr} ${INDICATORS[id].firesWhen === 'above' ? '>' : '<'} ${threshold}`).toBe(rule.expr);
        expect(panel.fieldConfig.defaults.thresholds.steps.map((s: any) => s.value)).toEqual([null, threshold]);
        expect(panel.description).toContain(rule.alert);
      });
    }
  });

  test('every prop: name, namespace, sidecar labels, uid, title', async () => {
    const build = (c: any) => new GrafanaDashboard(c, 'dash', {
      name: 'oh-dash', namespace: 'grafana', sidecarLabels: { grafana_dashboard: 'openhands' }, uid: 'oh-main', title: 'OpenHands sandboxes', ...EVERY_INDICATOR_PROP,
    });
    await expect(synthChartYaml(build)).toMatchFileSnapshot('../__snapshots__/grafana-dashboard-every-prop.k8s.yaml');
    const docs = synthChart(build);
    expect(find(docs, 'ConfigMap').metadata).toEqual({ name: 'oh-dash', namespace: 'grafana', labels: { grafana_dashboard: 'openhands' } });
    const dash = dashboardOf(docs);
    expect([dash.uid, dash.title]).toEqual(['oh-main', 'OpenHands sandboxes']);
    expect(dash.panels.find((p: any) => p.title === INDICATORS.responseTime.title).targets[0].legendFormat).toBe('{{service}}');
  });

  test('two synths give byte-identical JSON', () => {
    const a = synthChartYaml(c => new GrafanaDashboard(c, 'd'));
    expect(synthChartYaml(c => new GrafanaDashboard(c, 'd'))).toBe(a);
  });
});

describe('IngressMetricsMonitor', () => {
  test('ingress-nginx: a ServiceMonitor on the metrics Service port, as the chart\'s serviceMonitor', async () => {
    await expect(synthChartYaml(c => new IngressMetricsMonitor(c, 'm'))).toMatchFileSnapshot('../__snapshots__/ingress-metrics-monitor-ingress-nginx.k8s.yaml');
    const sm = find(synthChart(c => new IngressMetricsMonitor(c, 'm')), 'ServiceMonitor');
    expect(sm.metadata).toEqual({ name: 'ingress-nginx-controller', namespace: 'ingress-nginx', labels: { release: 'kube-prometheus-stack' } });
    expect(sm.spec.namespaceSelector).toEqual({ matchNames: ['ingress-nginx'] });
    expect(sm.spec.selector.matchLabels).toEqual({
      'app.kubernetes.io/component': 'controller', 'app.kubernetes.io/instance': 'ingress-nginx', 'app.kubernetes.io/name': 'ingress-nginx',
    });
    expect(sm.spec.endpoints).toEqual([{ port: 'metrics', path: '/metrics', interval: '30s' }]);
  });

  test('Traefik: a PodMonitor on the pod\'s metrics entrypoint port', async () => {
    const build = (c: any) => new IngressMetricsMonitor(c, 'm', { controller: 'traefik' });
    await expect(synthChartYaml(build)).toMatchFileSnapshot('../__snapshots__/ingress-metrics-monitor-traefik.k8s.yaml');
    const pm = find(synthChart(build), 'PodMonitor');
    expect(pm.metadata).toEqual({ name: 'traefik', namespace: 'traefik', labels: { release: 'kube-prometheus-stack' } });
    expect(pm.spec.selector.matchLabels).toEqual({ 'app.kubernetes.io/instance': 'traefik-traefik', 'app.kubernetes.io/name': 'traefik' });
    expect(pm.spec.podMetricsEndpoints).toEqual([{ port: 'metrics', path: '/metrics', interval: '30s' }]);
  });

  test('every prop', async () => {
    const build = (c: any) => new IngressMetricsMonitor(c, 'm', {
      controller: 'traefik', name: 'edge', namespace: 'edge', labels: { release: 'prom' },
      targetSelector: { app: 'edge-proxy' }, port: 'prom', interval: '15s',
    });
    await expect(synthChartYaml(build)).toMatchFileSnapshot('../__snapshots__/ingress-metrics-monitor-every-prop.k8s.yaml');
    const pm = find(synthChart(build), 'PodMonitor');
    expect(pm.spec).toEqual({
      namespaceSelector: { matchNames: ['edge'] },
      selector: { matchLabels: { app: 'edge-proxy' } },
      podMetricsEndpoints: [{ port: 'prom', path: '/metrics', interval: '15s' }],
    });
  });
});

describe('IngressMetricsMonitor over an IngressNginx with metrics on', () => {
  const selects = (selector: Record<string, string>, labels: Record<string, string>) => Object.entries(selector).every(([k, v]) => labels[k] === v);

  test('the default monitor selects the default IngressNginx\'s metrics Service, and only it has the port it scrapes', () => {
    const docs = synthChart(c => {
      new IngressNginx(c, 'ingress', { metrics: true });
      new IngressMetricsMonitor(c, 'm');
    });
    const sm = find(docs, 'ServiceMonitor');
    const services = docs.filter(d => d.kind === 'Service' && d.metadata.namespace === sm.metadata.namespace && selects(sm.spec.selector.matchLabels, d.metadata.labels));
    const scraped = services.filter(svc => svc.spec.ports.some((port: any) => port.name === sm.spec.endpoints[0].port));
    expect(scraped.map(svc => svc.metadata.name)).toEqual(['ingress-nginx-controller-metrics']);
  });

  test('given the construct, namespace, name and selector follow from its typed handles', () => {
    let ingress!: IngressNginx;
    const docs = synthChart(c => {
      ingress = new IngressNginx(c, 'ingress', { instance: 'team', namespace: 'edge', metrics: true });
      new IngressMetricsMonitor(c, 'm', { ingressNginx: ingress, labels: { release: 'prom' } });
    });
    const sm = find(docs, 'ServiceMonitor');
    expect(sm.metadata).toEqual({ name: 'team-ingress-nginx-controller', namespace: 'edge', labels: { release: 'prom' } });
    expect(sm.spec.namespaceSelector).toEqual({ matchNames: ['edge'] });
    expect(sm.spec.selector.matchLabels).toEqual(ingress.controllerSelector);
    expect(selects(sm.spec.selector.matchLabels, find(docs, 'Service', 'team-ingress-nginx-controller-metrics').metadata.labels)).toBe(true);
    expect(sm.spec.endpoints).toEqual([{ port: 'metrics', path: '/metrics', interval: '30s' }]);
  });

  test('an IngressNginx without metrics, or props that contradict it, are refused in one error', () => {
    const off = errorOf(c => new IngressMetricsMonitor(c, 'm', { ingressNginx: new IngressNginx(c, 'ingress') }));
    expect(off).toBe("IngressMetricsMonitor 'm' (test/m): ingressNginx must be an IngressNginx with `metrics: true` (without it the controller serves no metrics and has no metrics Service), got \"test/ingress\"");
    const clash = errorOf(c => new IngressMetricsMonitor(c, 'm', {
      ingressNginx: new IngressNginx(c, 'ingress', { metrics: true }), controller: 'traefik', namespace: 'x', targetSelector: { app: 'x' },
    }));
    expect(clash.split('\n')).toEqual([
      "IngressMetricsMonitor 'm' (test/m): 3 problems",
      '  - controller must be unset when ingressNginx is given (it follows from test/ingress), got "traefik"',
      '  - namespace must be unset when ingressNginx is given (it follows from test/ingress), got "x"',
      '  - targetSelector must be unset when ingressNginx is given (it follows from test/ingress), got {"app":"x"}',
    ]);
    expect(errorOf(c => new IngressMetricsMonitor(c, 'm', { ingressNginx: 'ingress-nginx' as any })))
      .toBe("IngressMetricsMonitor 'm' (test/m): ingressNginx must be an IngressNginx construct, got \"ingress-nginx\"");
  });
});

describe('bad input is refused at synth time, one line per problem', () => {
  test.each([
    [{ thresholds: { cpu: 0 } }, "OpenHandsAlerts 'a' (test/a): thresholds.cpu must be a ratio in (0, 1], got 0"],
    [{ thresholds: { memory: 1.5 } }, "OpenHandsAlerts 'a' (test/a): thresholds.memory must be a ratio in (0, 1], got 1.5"],
    [{ thresholds: { successRate: Number.NaN } }, "OpenHandsAlerts 'a' (test/a): thresholds.successRate must be a ratio in (0, 1], got NaN"],
    [{ thresholds: { podReadiness: '0.95' } }, "OpenHandsAlerts 'a' (test/a): thresholds.podReadiness must be a ratio in (0, 1], got \"0.95\""],
    [{ thresholds: { responseTime: 0 } }, "OpenHandsAlerts 'a' (test/a): thresholds.responseTime must be a number of seconds above 0, got 0"],
    [{ thresholds: { latency: 5 } }, "OpenHandsAlerts 'a' (test/a): thresholds.latency must be absent (indicators are cpu, memory, storage, podReadiness, responseTime, successRate), got 5"],
    [{ for: { cpu: '5 minutes' } }, "OpenHandsAlerts 'a' (test/a): for.cpu must be a Prometheus duration such as \"30s\", \"5m\" or \"1h30m\" (units y, w, d, h, m, s, ms in that order, or \"0\"; at most 292y, Prometheus\' int64 nanoseconds), got \"5 minutes\""],
    [{ for: { storage: '5m1h' } }, 'for.storage must be a Prometheus duration'],
    [{ for: { memory: '' } }, 'for.memory must be a Prometheus duration'],
    [{ rateWindow: '0' }, 'rateWindow must be a Prometheus duration such as "30s", "5m" or "1h30m" (units y, w, d, h, m, s, ms in that order, or "0"; at most 292y, Prometheus\' int64 nanoseconds), above 0, got "0"'],
    [{ labels: { 'release!': 'x' } }, 'labels key "release!" must be a qualified name'],
    [{ labels: { release: 'kube prometheus' } }, 'labels["release"] must be a label value'],
    [{ ingressController: 'haproxy' }, 'ingressController must be one of "ingress-nginx", "traefik", got "haproxy"'],
    [{ sandboxNamespace: 'Sandboxes' }, 'sandboxNamespace must be a DNS-1123 label'],
    [{ threshold: { cpu: 0.5 } }, 'threshold must be absent: OpenHandsAlerts has no prop "threshold"'],
  ])('OpenHandsAlerts %j', (props, message) => {
    const err = errorOf(c => new OpenHandsAlerts(c, 'a', props as any));
    expect(err).toContain(message);
    expect(err.split('\n')).toHaveLength(1);
  });

  test('all problems at once, one line each', () => {
    const err = errorOf(c => new OpenHandsAlerts(c, 'a', { thresholds: { cpu: 2, responseTime: -1 }, for: { cpu: '1d1y' } }));
    expect(err.split('\n')).toEqual([
      "OpenHandsAlerts 'a' (test/a): 3 problems",
      '  - thresholds.cpu must be a ratio in (0, 1], got 2',
      '  - thresholds.responseTime must be a number of seconds above 0, got -1',
      '  - for.cpu must be a Prometheus duration such as "30s", "5m" or "1h30m" (units y, w, d, h, m, s, ms in that order, or "0"; at most 292y, Prometheus\' int64 nanoseconds), got "1d1y"',
    ]);
  });

  test('a title long enough to push the ConfigMap toward its 1 MiB limit is refused; 1000 characters are fine', () => {
    expect(errorOf(c => new GrafanaDashboard(c, 'd', { title: 'x'.repeat(1001) })))
      .toBe(`GrafanaDashboard 'd' (test/d): title must be a non-empty string of at most 1000 characters, got "${'x'.repeat(20)}... (1001 characters)"`);
    expect(find(synthChart(c => new GrafanaDashboard(c, 'd', { title: 'x'.repeat(1000) })), 'ConfigMap').data['openhands.json']).toContain('x'.repeat(1000));
  });

  test.each([
    [{ sidecarLabels: { 'grafana dashboard': '1' } }, 'sidecarLabels key "grafana dashboard" must be a qualified name'],
    [{ sidecarLabels: {} }, 'sidecarLabels must be at least one label (the sidecar finds dashboards by label), got {}'],
    [{ uid: 'a/b' }, 'uid must be at most 40 of a-z, A-Z, 0-9, "-", "_", got "a/b"'],
    [{ thresholds: { storage: 1.01 } }, 'thresholds.storage must be a ratio in (0, 1], got 1.01'],
    [{ for: { podReadiness: '15' } }, 'for.podReadiness must be a Prometheus duration'],
  ])('GrafanaDashboard %j', (props, message) => {
    const err = errorOf(c => new GrafanaDashboard(c, 'd', props as any));
    expect(err).toMatch(/^GrafanaDashboard 'd' \(test\/d\): /);
    expect(err).toContain(message);
    expect(err.split('\n')).toHaveLength(1);
  });

  test.each([
    [{ labels: { '-release': 'x' } }, 'labels key "-release" must be a qualified name'],
    [{ targetSelector: {} }, 'targetSelector must be at least one label'],
    [{ targetSelector: { app: 'a b' } }, 'targetSelector["app"] must be a label value'],
    [{ interval: '30 s' }, 'interval must be a Prometheus duration'],
    [{ interval: '0' }, 'interval must be a Prometheus duration'],
    [{ port: 'Metrics_Port' }, 'port must be a port name'],
    [{ controller: 'nginx' }, 'controller must be one of "ingress-nginx", "traefik", got "nginx"'],
  ])('IngressMetricsMonitor %j', (props, message) => {
    const err = errorOf(c => new IngressMetricsMonitor(c, 'm', props as any));
    expect(err).toMatch(/^IngressMetricsMonitor 'm' \(test\/m\): /);
    expect(err).toContain(message);
    expect(err.split('\n')).toHaveLength(1);
  });
});

describe('Prometheus durations', () => {
  test.each([['0', 0], ['5m', 300_000], ['1h30m', 5_400_000], ['90s', 90_000], ['1y2w3d4h5m6s7ms', 31_536_000_000 + 1_209_600_000 + 259_200_000 + 14_400_000 + 300_000 + 6_000 + 7]])(
    '%s is %d ms', (text, ms) => expect(prometheusDurationMs(text)).toBe(ms));

  // Prometheus holds durations as int64 nanoseconds: 106751d (292y) is the longest it accepts (test/promtool proves it).
  test.each([['292y', 292 * 31_536_000_000], ['106751d', 106_751 * 86_400_000]])('%s, near the end of the range, is %d ms', (text, ms) => {
    expect(prometheusDurationMs(text)).toBe(ms);
  });

  test.each(['', '5', '5M', '1.5h', '30m1h', '5m ', '-5m', '1s1s', '293y', '106752d', '9999999999999999999y'])('%j is no Prometheus duration', text => {
    expect(isPrometheusDuration(text)).toBe(false);
  });
});
