import { App, Chart } from 'cdk8s';
import { SandboxRuntime } from './sandbox-runtime';
import type { SandboxRoute } from './sandbox-route';

/** How a session's VS Code is routed: an Ingress (ingress-nginx) or a Gateway API HTTPRoute. */
export type SandboxRouteKind = SandboxRoute['kind'];

// The probe's HTTPRoute names a Gateway outside its throwaway app: only the kinds it renders matter here.
const PROBE_ROUTES: Record<SandboxRouteKind, SandboxRoute> = {
  Ingress: { kind: 'Ingress' },
  HTTPRoute: { kind: 'HTTPRoute', gateway: { namespace: 'probe', name: 'probe' } },
};

/**
 * The objects of one sandbox session with the runtime's defaults (VS Code on, so every kind it can create
 * appears) and the route kind given, rendered in a throwaway app. The isolation constructs derive what they grant and select from
 * these, so they follow the runtime instead of repeating it.
 */
export function probeSession(namespace = 'default', routeKind: SandboxRouteKind = 'Ingress'): any[] {
  const key = `${namespace}|${routeKind}`;
  let json = PROBED.get(key);
  if (json === undefined) {
    const chart = new Chart(new App({ outdir: '/nonexistent' }), 'probe');
    new SandboxRuntime(chart, 'session', { sid: 'probe', config: { namespace }, route: PROBE_ROUTES[routeKind] });
    json = JSON.stringify(chart.toJson());
    PROBED.set(key, json);
  }
  // A fresh copy each time: callers may keep or change what they get.
  return JSON.parse(json);
}

/** Rendering a session costs about a millisecond, and a profile asks several times for the same one. */
const PROBED = new Map<string, string>();

/** The label that marks a Pod as a sandbox (every session's Pod has it), as SandboxRuntime sets it. */
export function sandboxPodSelector(): Record<string, string> {
  const pod = probeSession().find(o => o.kind === 'Pod');
  return { app: pod.metadata.labels.app };
}

/** The container ports of a sandbox Pod by name (`http` is the action server, `vscode` VS Code). */
export function sandboxPorts(): { readonly server: number; readonly vscode: number } {
  const ports: { name?: string; containerPort: number }[] = probeSession().find(o => o.kind === 'Pod').spec.containers[0].ports;
  const byName = (name: string) => ports.find(p => p.name === name)!.containerPort;
  return { server: byName('http'), vscode: byName('vscode') };
}
