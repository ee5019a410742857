import { App } from 'cdk8s';
import { describe, expect, test } from 'vitest';
import { addGatewayStack, addOpenHandsStack } from '../index';
import { find } from './util';

/** The app's objects by chart file name. */
function files(build: (app: App) => void): Record<string, any[]> {
  const app = new App({ outdir: '/nonexistent' });
  build(app);
  return Object.fromEntries(app.charts.map(c => [c.node.id, c.toJson()]));
}

describe('the default stack turns isolation and monitoring on with a prop each', () => {
  test('off by default: the three upstream charts only', () => {
    expect(Object.keys(files(app => { addOpenHandsStack(app); }))).toEqual(['ingress-nginx', 'mirrord-rbac', 'ubuntu-dev']);
  });

  test('isolation: true isolates openhands-sandboxes, open to the ingress-nginx namespace, with the Ingress Role', () => {
    const f = files(app => { addOpenHandsStack(app, { isolation: true }); });
    const docs = f.sandboxes;
    expect(docs[0]).toMatchObject({ kind: 'Namespace', metadata: { name: 'openhands-sandboxes', labels: { 'pod-security.kubernetes.io/enforce': 'baseline' } } });
    expect(find(docs, 'Role').rules.map((r: any) => r.resources).flat()).toContain('ingresses');
    expect(find(docs, 'ResourceQuota').metadata.namespace).toBe('openhands-sandboxes');
    const fromController = docs.filter(d => d.kind === 'NetworkPolicy').flatMap(d => d.spec.ingress ?? []).flatMap((i: any) => i.from ?? []);
    expect(fromController).toContainEqual({ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'ingress-nginx' } } });
  });

  test('monitoring: true turns on the controller metrics and adds its ServiceMonitor, the alerts and the dashboard', () => {
    const f = files(app => { addOpenHandsStack(app, { monitoring: true, isolation: { maxSessions: 5 } }); });
    expect(f['ingress-nginx'].map(d => d.metadata.name)).toContain('ingress-nginx-controller-metrics');
    expect(f.monitoring.map(d => d.kind)).toEqual(['ServiceMonitor', 'PrometheusRule', 'ConfigMap']);
    expect(JSON.stringify(find(f.monitoring, 'PrometheusRule').spec)).toContain('namespace=\\"openhands-sandboxes\\"');
    expect(find(f.sandboxes, 'ResourceQuota').spec.hard.pods).toBe('5');
  });

  test('the gateway profile monitors Traefik with a prop', () => {
    const f = files(app => { addGatewayStack(app, { monitoring: { namespace: 'observability' } }); });
    expect(f.monitoring.map(d => `${d.kind} ${d.metadata.namespace}`)).toEqual(['PodMonitor traefik', 'PrometheusRule observability', 'ConfigMap observability']);
  });

  test('an unknown stack prop is refused in one line', () => {
    expect(() => files(app => { addOpenHandsStack(app, { isolate: true } as any); }))
      .toThrow(/^addOpenHandsStack: isolate must be absent: addOpenHandsStack has no prop "isolate"/);
  });
});
