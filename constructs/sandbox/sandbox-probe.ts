import { ApiObject, App, Chart } from 'cdk8s';
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
    json = JSON.stringify(renderProbe(namespace, routeKind));
    PROBED.set(key, json);
  }
  // A fresh copy each time: callers may keep or change what they get.
  return JSON.parse(json);
}

/** Rendering a session costs about a millisecond, and a profile asks several times for the same one. */
const PROBED = new Map<string, string>();

/**
 * What `chart.toJson()` gives for the probe's chart (its objects in construct order: the runtime adds no
 * dependencies), without the app-wide dependency graph cdk8s builds for it.
 */
function renderProbe(namespace: string, routeKind: SandboxRouteKind): unknown[] {
  const app = new App({ outdir: '/nonexistent' });
  const chart = new Chart(app, 'probe');
  new SandboxRuntime(chart, 'session', { sid: 'probe', config: { namespace }, route: PROBE_ROUTES[routeKind] });
  return chart.node.findAll().filter((c): c is ApiObject => c instanceof ApiObject).map(o => o.toJson());
}

/**
 * A session's Pod: the same for every namespace and route kind, so any session probed already will do.
 * (Which one was probed first never shows in what callers derive from the Pod.)
 */
function probedPod(): any {
  const json = PROBED.values().next().value;
  const session: any[] = json === undefined ? probeSession() : JSON.parse(json);
  return session.find(o => o.kind === 'Pod');
}

/** The label that marks a Pod as a sandbox (every session's Pod has it), as SandboxRuntime sets it. */
export function sandboxPodSelector(): Record<string, string> {
  return { app: probedPod().metadata.labels.app };
}

/** The container ports of a sandbox Pod by name (`http` is the action server, `vscode` VS Code). */
export function sandboxPorts(): { readonly server: number; readonly vscode: number } {
  const ports: { name?: string; containerPort: number }[] = probedPod().spec.containers[0].ports;
  const byName = (name: string) => ports.find(p => p.name === name)!.containerPort;
  return { server: byName('http'), vscode: byName('vscode') };
}
