/**
 * The monitoring objects (PrometheusRule, ServiceMonitor, PodMonitor, the dashboard ConfigMap) applied to a
 * real control plane with the Prometheus Operator v0.93.0 CRDs installed: server-side, strict field validation.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { App, Chart } from 'cdk8s';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GrafanaDashboard } from '../../constructs/monitoring/grafana-dashboard';
import { IngressMetricsMonitor } from '../../constructs/monitoring/ingress-metrics-monitor';
import { IngressNginx } from '../../constructs/ingress-nginx/ingress-nginx';
import { OpenHandsAlerts } from '../../constructs/monitoring/openhands-alerts';
import { startControlPlane, type ControlPlane } from '../../tools/controlplane/controlplane';
import { secondApplyChanges } from '../../tools/controlplane/second-apply';
import { REFERENCE } from '../util';
import { APPLY, START_TIMEOUT, eventually, parseObjects, tempDir } from './helpers';

const CRDS = path.join(REFERENCE, 'prometheus-operator-v0.93.0');

function synth(build: (chart: Chart) => void): string {
  const app = new App();
  build(new Chart(app, 'monitoring'));
  return app.synthYaml();
}

const NAMESPACES = ['monitoring', 'observability', 'ingress-nginx', 'traefik', 'edge'];

const STACK = synth(c => {
  new OpenHandsAlerts(c, 'alerts');
  new OpenHandsAlerts(c, 'alerts-traefik', {
    name: 'openhands-alerts-traefik', namespace: 'observability', labels: { release: 'prom', team: 'openhands' },
    ingressController: 'traefik', sandboxNamespace: 'sandboxes',
    thresholds: { cpu: 0.9, responseTime: 2.5, successRate: 0.995 }, for: { storage: '1h', successRate: '0' }, rateWindow: '2m',
  });
  new GrafanaDashboard(c, 'dashboard');
  new GrafanaDashboard(c, 'dashboard-traefik', { name: 'oh-dash', namespace: 'observability', ingressController: 'traefik', sidecarLabels: { grafana_dashboard: 'openhands' } });
  new IngressMetricsMonitor(c, 'nginx');
  new IngressMetricsMonitor(c, 'traefik', { controller: 'traefik' });
  new IngressMetricsMonitor(c, 'edge', { controller: 'traefik', name: 'edge', namespace: 'edge', targetSelector: { app: 'edge' }, interval: '15s', port: 'prom' });
});

describe('monitoring objects on a real control plane with the Prometheus Operator CRDs', () => {
  let cp: ControlPlane;
  const dir = tempDir('local-hands-monitoring-');
  const file = path.join(dir, 'monitoring.k8s.yaml');

  beforeAll(async () => {
    cp = await startControlPlane({ nodes: 0 });
    await cp.kubectl([...APPLY, '-f', CRDS]);
    await cp.kubectl(['wait', '--for=condition=Established', '--timeout=60s', '-f', CRDS]);
    for (const ns of NAMESPACES) await cp.kubectl(['create', 'namespace', ns]);
    fs.writeFileSync(file, STACK);
  }, START_TIMEOUT);

  afterAll(async () => {
    await cp?.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('applies every object server-side with strict field validation', async () => {
    const objects = parseObjects(STACK);
    expect(objects.map(o => o.kind).sort()).toEqual(['ConfigMap', 'ConfigMap', 'PodMonitor', 'PodMonitor', 'PrometheusRule', 'PrometheusRule', 'ServiceMonitor']);
    const applied = await cp.kubectl([...APPLY, '-f', file]);
    const lines = applied.stdout.trim().split('\n');
    expect(lines).toHaveLength(objects.length);
    for (const l of lines) expect(l).toMatch(/serverside-applied$/);
    expect(applied.stderr).toBe('');
  });

  it('the server keeps every field (nothing pruned by the CRD schemas)', async () => {
    for (const o of parseObjects(STACK)) {
      const got = JSON.parse((await cp.kubectl(['-n', o.metadata.namespace!, 'get', o.kind, o.metadata.name, '-o', 'json'])).stdout);
      expect(got.spec ?? got.data, `${o.kind} ${o.metadata.name}`).toEqual(o.spec ?? o.data);
      expect(got.metadata.labels).toEqual(o.metadata.labels);
    }
  });

  it('a second apply changes nothing', async () => {
    expect(await secondApplyChanges(cp, [file], 'local-hands')).toEqual([]);
  });

  it('the CRDs refuse what the constructs refuse: a misspelt field and a `for:` that is no duration', async () => {
    const rule = parseObjects(STACK).find(o => o.kind === 'PrometheusRule')!;
    const groups = (rule as any).spec.groups;
    const misspelt = { ...rule, metadata: { ...rule.metadata, name: 'misspelt' }, spec: { groups: [{ ...groups[0], rules: [{ ...groups[0].rules[0], fore: '5m' }] }] } };
    const badFor = { ...rule, metadata: { ...rule.metadata, name: 'bad-for' }, spec: { groups: [{ ...groups[0], rules: [{ ...groups[0].rules[0], for: '5 minutes' }] }] } };
    for (const [name, obj, message] of [['misspelt', misspelt, '.rules[0].fore: field not declared in schema'], ['bad-for', badFor, 'spec.groups[0].rules[0].for']] as const) {
      const f = path.join(dir, `${name}.json`);
      fs.writeFileSync(f, JSON.stringify(obj));
      const r = await cp.kubectl([...APPLY, '-f', f], { allowFail: true });
      expect(r.code, name).not.toBe(0);
      expect(r.stderr, name).toContain(message);
    }
  });

  it('deletes cleanly', async () => {
    await cp.kubectl(['delete', '-f', file, '--wait=true', '--timeout=60s'], { timeoutMs: 80_000 });
    const left = await cp.kubectl(['get', '-f', file, '--ignore-not-found', '-o', 'name'], { allowFail: true });
    expect(left.stdout.trim()).toBe('');
  });
});

/**
 * IngressNginx with `metrics: true` and the monitor built from it, on a control plane with a kwok node: the real
 * scheduler places the controller pod, the real EndpointSlice controller fills the metrics Service's slice.
 */
describe('IngressNginx metrics on a real control plane: the metrics Service gets the controller pod, the ServiceMonitor applies', () => {
  let cp: ControlPlane;
  const dir = tempDir('local-hands-ingress-metrics-');
  const file = path.join(dir, 'ingress-metrics.k8s.yaml');
  const yaml = synth(c => {
    const ingress = new IngressNginx(c, 'ingress', { metrics: true });
    new IngressMetricsMonitor(c, 'monitor', { ingressNginx: ingress });
  });

  beforeAll(async () => {
    cp = await startControlPlane({ nodes: 1 });
    await cp.kubectl([...APPLY, '-f', CRDS]);
    await cp.kubectl(['wait', '--for=condition=Established', '--timeout=60s', '-f', CRDS]);
    fs.writeFileSync(file, yaml);
  }, START_TIMEOUT);

  afterAll(async () => {
    await cp?.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('the bundle and its ServiceMonitor apply server-side with strict field validation', async () => {
    const objects = parseObjects(yaml);
    expect(objects.filter(o => o.kind === 'Service').map(o => o.metadata.name))
      .toEqual(['ingress-nginx-controller', 'ingress-nginx-controller-admission', 'ingress-nginx-controller-metrics']);
    expect(objects.filter(o => o.kind === 'ServiceMonitor')).toHaveLength(1);
    const applied = await cp.kubectl([...APPLY, '-f', file]);
    const lines = applied.stdout.trim().split('\n');
    expect(lines).toHaveLength(objects.length);
    for (const l of lines) expect(l).toMatch(/serverside-applied$/);
    expect(lines).toContain('servicemonitor.monitoring.coreos.com/ingress-nginx-controller serverside-applied');
    expect(applied.stderr).toBe('');
  });

  it('the EndpointSlice controller gives the metrics Service a ready endpoint: the controller pod, port metrics 10254', async () => {
    const slice = await eventually(async () => {
      const r = await cp.kubectl(['-n', 'ingress-nginx', 'get', 'endpointslices', '-l', 'kubernetes.io/service-name=ingress-nginx-controller-metrics', '-o', 'json']);
      const items = JSON.parse(r.stdout).items;
      if (!(items[0]?.endpoints ?? []).some((e: any) => e.conditions?.ready)) throw new Error(`no ready endpoint yet: ${r.stdout}`);
      return items[0];
    }, 120_000);
    expect(slice.ports).toEqual([{ name: 'metrics', port: 10254, protocol: 'TCP' }]);
    const pods = JSON.parse((await cp.kubectl(['-n', 'ingress-nginx', 'get', 'pods', '-l', 'app.kubernetes.io/component=controller', '-o', 'json'])).stdout).items;
    expect(pods).toHaveLength(1);
    expect(slice.endpoints.map((e: any) => [e.targetRef?.kind, e.targetRef?.name, e.addresses[0]]))
      .toEqual([['Pod', pods[0].metadata.name, pods[0].status.podIP]]);
  }, 150_000);

  it('the ServiceMonitor\'s selector and port pick out the metrics Service alone', async () => {
    const sm = JSON.parse((await cp.kubectl(['-n', 'ingress-nginx', 'get', 'servicemonitor', 'ingress-nginx-controller', '-o', 'json'])).stdout);
    const selector = Object.entries(sm.spec.selector.matchLabels as Record<string, string>).map(([k, v]) => `${k}=${v}`).join(',');
    const services = JSON.parse((await cp.kubectl(['-n', sm.spec.namespaceSelector.matchNames[0], 'get', 'services', '-l', selector, '-o', 'json'])).stdout).items;
    const port = sm.spec.endpoints[0].port;
    expect(services.filter((svc: any) => svc.spec.ports.some((p: any) => p.name === port)).map((svc: any) => svc.metadata.name))
      .toEqual(['ingress-nginx-controller-metrics']);
  });
});
