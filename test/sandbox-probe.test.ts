import { App, Chart } from 'cdk8s';
import { describe, expect, test } from 'vitest';
import { SandboxRuntime } from '../constructs/sandbox/sandbox-runtime';
import { SandboxRouteKind, probeSession, sandboxPodSelector, sandboxPorts } from '../constructs/sandbox/sandbox-probe';

const KINDS: SandboxRouteKind[] = ['Ingress', 'HTTPRoute'];
const NAMESPACES = ['default', 'openhands-sandboxes'];

/** The probe's chart rendered by cdk8s itself. */
function cdk8sRendering(namespace: string, routeKind: SandboxRouteKind): unknown[] {
  const chart = new Chart(new App({ outdir: '/nonexistent' }), 'probe');
  const route = routeKind === 'Ingress' ? { kind: 'Ingress' as const } : { kind: 'HTTPRoute' as const, gateway: { namespace: 'probe', name: 'probe' } };
  new SandboxRuntime(chart, 'session', { sid: 'probe', config: { namespace }, route });
  return chart.toJson();
}

describe('probeSession: one sandbox session, rendered to derive the isolation objects from', () => {
  test.each(KINDS.flatMap(k => NAMESPACES.map(n => [k, n] as const)))('routed by %s in %s, it is what cdk8s renders for the chart', (kind, namespace) => {
    const probed = probeSession(namespace, kind);
    expect(probed).toEqual(cdk8sRendering(namespace, kind));
    expect(probed.map(o => o.kind)).toContain(kind);
  });

  test('each call returns a fresh copy', () => {
    const a = probeSession();
    a[0].kind = 'Changed';
    expect(probeSession()[0].kind).not.toBe('Changed');
  });

  test('the session Pod is the same for every namespace and route kind, so the ports and selector come from any of them', () => {
    const pods = KINDS.flatMap(k => NAMESPACES.map(n => probeSession(n, k).find(o => o.kind === 'Pod')));
    const withoutNamespace = pods.map(p => ({ ...p, metadata: { ...p.metadata, namespace: undefined } }));
    for (const p of withoutNamespace) expect(p).toEqual(withoutNamespace[0]);
    const ports = Object.fromEntries(pods[0].spec.containers[0].ports.map((p: { name: string; containerPort: number }) => [p.name, p.containerPort]));
    expect(sandboxPorts()).toEqual({ server: ports.http, vscode: ports.vscode });
    expect(sandboxPodSelector()).toEqual({ app: pods[0].metadata.labels.app });
  });
});
