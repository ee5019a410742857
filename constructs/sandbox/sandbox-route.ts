import { ApiObject } from 'cdk8s';
import { Construct, IConstruct } from 'constructs';
import { Gateway, HttpRoute } from '../../imports/gateway-api';
import { isGatewayHostname } from '../../src/gateway-listeners';
import { Problems, isDnsLabel, isDnsSubdomain, isPlainObject, show } from '../../src/validation';
import { Traefik } from '../traefik-gateway/traefik';

/**
 * A Gateway named by hand, for a Gateway that is not in the app (another team's, or the gateway profile's when
 * the session is rendered on its own). When a Gateway of this namespace and name is in the app, the route is
 * checked against it as if it had been given as a handle.
 */
export interface GatewayReference {
  /** Namespace of the Gateway. */
  readonly namespace: string;
  /** Name of the Gateway. */
  readonly name: string;
  /** The listener to attach to (`parentRefs[].sectionName`). @default - every listener that admits the route */
  readonly listener?: string;
  /** The listener's hostname, to check the session host against when the Gateway is not in the app. @default - not checked */
  readonly hostname?: string;
  /** The namespaces the listener admits routes from, when the Gateway is not in the app. @default - not checked */
  readonly allowedRouteNamespaces?: readonly string[];
}

/** The Gateway a session's HTTPRoute attaches to: a `Traefik` construct of the app (its Gateway), or a reference. */
export type SandboxGateway = Traefik | GatewayReference;

/** How a session's VS Code is reached from outside the cluster. */
export type SandboxRoute =
  /** An Ingress of `ingressClassName` (upstream's way, served by ingress-nginx or Traefik's Ingress providers). */
  | { readonly kind: 'Ingress' }
  /**
   * A Gateway API HTTPRoute attached to a Gateway's listener. TLS is the listener's business: the config's
   * `ingress_tls_secret` is not used.
   */
  | {
    readonly kind: 'HTTPRoute';
    /** The Gateway to attach to. */
    readonly gateway: SandboxGateway;
    /**
     * The listener (`parentRefs[].sectionName`).
     * @default - the reference's `listener`; for a Traefik handle its first listener
     */
    readonly sectionName?: string;
  };

/** An HTTPRoute route with its parent resolved to names. */
export interface ResolvedHttpRoute {
  readonly kind: 'HTTPRoute';
  readonly gatewayNamespace: string;
  readonly gatewayName: string;
  readonly sectionName?: string;
  /** The handle it was given as, when it was one. */
  readonly handle?: Traefik;
  /** What a reference says about a Gateway outside the app. */
  readonly reference?: GatewayReference;
}

export type ResolvedRoute = { readonly kind: 'Ingress' } | ResolvedHttpRoute;

const REFERENCE_KEYS = ['namespace', 'name', 'listener', 'hostname', 'allowedRouteNamespaces'];

/** Checks the `route` prop and resolves the Gateway it names (the checks against the app run at synth). */
export function resolveRoute(p: Problems, route: unknown): ResolvedRoute {
  if (!isPlainObject(route) || (route.kind !== 'Ingress' && route.kind !== 'HTTPRoute')) {
    p.add('route', route, "{ kind: 'Ingress' } or { kind: 'HTTPRoute', gateway, sectionName }");
    return { kind: 'Ingress' };
  }
  const allowed = route.kind === 'Ingress' ? ['kind'] : ['kind', 'gateway', 'sectionName'];
  for (const k of Object.keys(route)) if (!allowed.includes(k)) p.add(`route.${k}`, route[k], `absent for kind ${route.kind} (only ${allowed.join(', ')})`);
  if (route.kind === 'Ingress') return { kind: 'Ingress' };
  const { sectionName, gateway } = route;
  if (sectionName !== undefined) checkSectionName(p, 'route.sectionName', sectionName);
  if (gateway instanceof Traefik) return resolveHandle(p, gateway, sectionName);
  if (!isPlainObject(gateway)) {
    p.add('route.gateway', gateway, 'a Traefik construct or a reference { namespace, name, listener, hostname, allowedRouteNamespaces }');
    return { kind: 'HTTPRoute', gatewayNamespace: '', gatewayName: '' };
  }
  const ref = gateway as GatewayReference;
  for (const k of Object.keys(ref)) if (!REFERENCE_KEYS.includes(k)) p.add(`route.gateway.${k}`, (ref as any)[k], `absent (a reference has only ${REFERENCE_KEYS.join(', ')})`);
  p.check(isDnsLabel(ref.namespace), 'route.gateway.namespace', ref.namespace, 'a namespace name (a DNS-1123 label)');
  p.check(isDnsSubdomain(ref.name), 'route.gateway.name', ref.name, 'a Gateway name (a DNS-1123 subdomain)');
  if (ref.listener !== undefined) checkSectionName(p, 'route.gateway.listener', ref.listener);
  if (ref.hostname !== undefined) p.check(isGatewayHostname(ref.hostname), 'route.gateway.hostname', ref.hostname, 'a listener hostname such as "localhost" or "*.example.com"');
  if (ref.allowedRouteNamespaces !== undefined) {
    p.check(Array.isArray(ref.allowedRouteNamespaces) && ref.allowedRouteNamespaces.every(isDnsLabel), 'route.gateway.allowedRouteNamespaces',
      ref.allowedRouteNamespaces, 'a list of namespace names');
  }
  if (sectionName !== undefined && ref.listener !== undefined && sectionName !== ref.listener) {
    p.add('route.sectionName', sectionName, `absent or equal to route.gateway.listener (${show(ref.listener)})`);
  }
  return { kind: 'HTTPRoute', gatewayNamespace: ref.namespace, gatewayName: ref.name, sectionName: sectionName ?? ref.listener, reference: ref };
}

function resolveHandle(p: Problems, traefik: Traefik, sectionName: string | undefined): ResolvedHttpRoute {
  if (!traefik.gateway) {
    p.add('route.gateway', traefik.node.path, 'a Traefik with providers.kubernetesGateway on (this one renders no Gateway)');
    return { kind: 'HTTPRoute', gatewayNamespace: '', gatewayName: '' };
  }
  return {
    kind: 'HTTPRoute',
    gatewayNamespace: traefik.namespace,
    gatewayName: traefik.gateway.name,
    sectionName: sectionName ?? traefik.listenerNames[0],
    handle: traefik,
  };
}

function checkSectionName(p: Problems, field: string, v: unknown): void {
  p.check(typeof v === 'string' && v.length <= 253 && /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/.test(v), field, v,
    'a listener name (a DNS-1123 subdomain)');
}

/** Whether a route hostname falls under a listener hostname: equal, or under a `*.` wildcard (any depth, as the Gateway API matches). */
export function hostnameMatches(listener: string | undefined, host: string): boolean {
  if (listener === undefined) return true;
  if (!listener.startsWith('*.')) return listener === host;
  return host.endsWith(listener.slice(1)) && host.length > listener.length - 1;
}

/** A listener as the Gateway object in the app renders it. */
interface ListenerView {
  readonly name: string;
  readonly hostname?: string;
  readonly allowedRoutes?: { readonly namespaces?: { readonly from?: string; readonly selector?: any } };
}

/** What the route needs to check itself at synth: where it is, which host and backend it names. */
export interface RouteCheckSubject {
  readonly scope: IConstruct;
  readonly namespace: string;
  readonly host: string;
  readonly backend: { readonly name: string; readonly port: number };
}

/**
 * The synth-time cross-checks of an HTTPRoute: its Gateway and listener exist (in the app, or as the reference
 * describes them), the listener admits routes from the route's namespace, the host falls under the listener's
 * hostname, and the backend Service and port exist in the app. One line per problem, `field must be ..., got ...`.
 */
export function httpRouteProblems(route: ResolvedHttpRoute, s: RouteCheckSubject): string[] {
  const all = s.scope.node.root.node.findAll();
  const out: string[] = [];
  const gatewayId = `${route.gatewayNamespace}/${route.gatewayName}`;
  const gateway = all.find((c): c is Gateway => c instanceof Gateway && c.metadata.namespace === route.gatewayNamespace && c.name === route.gatewayName);
  if (gateway) out.push(...listenerProblems(route, s, gatewayId, gateway.toJson().spec.listeners as ListenerView[], all));
  else if (route.handle) out.push(`route.gateway must be a Traefik whose Gateway is in this app, got ${route.handle.node.path}, whose Gateway ${gatewayId} is not`);
  else out.push(...referenceProblems(route.reference!, s));
  const service = all.find((c): c is ApiObject => c instanceof ApiObject && c.kind === 'Service' && c.name === s.backend.name && c.metadata.namespace === s.namespace);
  const ports: { port: number }[] = service?.toJson().spec?.ports ?? [];
  if (!service) out.push(`route backendRefs[0].name must be a Service in namespace ${s.namespace} of this app, got ${show(s.backend.name)}`);
  else if (!ports.some(p => p.port === s.backend.port)) {
    out.push(`route backendRefs[0].port must be a port of Service ${s.namespace}/${s.backend.name} (${ports.map(p => p.port).join(', ')}), got ${s.backend.port}`);
  }
  return out;
}

function referenceProblems(ref: GatewayReference, s: RouteCheckSubject): string[] {
  const out: string[] = [];
  if (ref.allowedRouteNamespaces && !ref.allowedRouteNamespaces.includes(s.namespace)) {
    out.push(`namespace must be one Gateway ${ref.namespace}/${ref.name} admits routes from (${ref.allowedRouteNamespaces.join(', ')}), got ${show(s.namespace)} (set the config's namespace, or attach to another Gateway)`);
  }
  if (!hostnameMatches(ref.hostname, s.host)) {
    out.push(`host must fall under listener hostname ${show(ref.hostname)} of Gateway ${ref.namespace}/${ref.name}, got ${show(s.host)} (set ingress_domain)`);
  }
  return out;
}

function listenerProblems(route: ResolvedHttpRoute, s: RouteCheckSubject, gatewayId: string, listeners: readonly ListenerView[], all: readonly IConstruct[]): string[] {
  const names = listeners.map(l => l.name);
  const chosen = route.sectionName === undefined ? listeners : listeners.filter(l => l.name === route.sectionName);
  if (chosen.length === 0) return [`route.sectionName must be a listener of Gateway ${gatewayId} (${names.map(show).join(', ')}), got ${show(route.sectionName)}`];
  const labels = namespaceLabels(all, s.namespace);
  const problems = chosen.map(l => {
    const why: string[] = [];
    if (!admits(l, route.gatewayNamespace, s.namespace, labels)) {
      why.push(`namespace must be one listener ${show(l.name)} of Gateway ${gatewayId} admits routes from (${describeAdmission(l, route.gatewayNamespace)}), got ${show(s.namespace)}`);
    }
    if (!hostnameMatches(l.hostname, s.host)) {
      why.push(`host must fall under hostname ${show(l.hostname)} of listener ${show(l.name)} of Gateway ${gatewayId}, got ${show(s.host)} (set ingress_domain)`);
    }
    return why;
  });
  // Without a sectionName the route attaches to every listener that takes it: one that does is enough.
  if (route.sectionName === undefined) return problems.some(w => w.length === 0) ? [] : problems.flat();
  return problems[0];
}

/** The labels a namespace carries: the one the API server sets on every namespace, and the app's Namespace object's. */
function namespaceLabels(all: readonly IConstruct[], namespace: string): Record<string, string> {
  const ns = all.find((c): c is ApiObject => c instanceof ApiObject && c.kind === 'Namespace' && c.name === namespace);
  return { ...(ns?.metadata.toJson().labels ?? {}), 'kubernetes.io/metadata.name': namespace };
}

function admits(l: ListenerView, gatewayNamespace: string, namespace: string, labels: Record<string, string>): boolean {
  const from = l.allowedRoutes?.namespaces?.from ?? 'Same';
  if (from === 'All') return true;
  if (from === 'Same') return namespace === gatewayNamespace;
  return selectorMatches(l.allowedRoutes?.namespaces?.selector ?? {}, labels);
}

function selectorMatches(selector: { matchLabels?: Record<string, string>; matchExpressions?: { key: string; operator: string; values?: string[] }[] }, labels: Record<string, string>): boolean {
  const byLabel = Object.entries(selector.matchLabels ?? {}).every(([k, v]) => labels[k] === v);
  return byLabel && (selector.matchExpressions ?? []).every(e => {
    const has = Object.prototype.hasOwnProperty.call(labels, e.key);
    if (e.operator === 'Exists') return has;
    if (e.operator === 'DoesNotExist') return !has;
    const inValues = has && (e.values ?? []).includes(labels[e.key]);
    return e.operator === 'In' ? inValues : !inValues;
  });
}

function describeAdmission(l: ListenerView, gatewayNamespace: string): string {
  const from = l.allowedRoutes?.namespaces?.from ?? 'Same';
  if (from === 'Same') return `Same: ${gatewayNamespace} only`;
  return `Selector ${show(l.allowedRoutes?.namespaces?.selector)}, matched against the namespace's labels in this app`;
}

/**
 * An HTTPRoute for one host and path `/` to a Service port, attached to the resolved Gateway (and listener), with the
 * synth-time cross-checks (`httpRouteProblems`) added to `scope`, each message prefixed by `where`. `hint` replaces
 * the checks' "(set ingress_domain)" for a host that comes from another prop.
 */
export function renderHttpRoute(scope: Construct, id: string, o: {
  readonly name: string; readonly route: ResolvedHttpRoute; readonly subject: Omit<RouteCheckSubject, 'scope'>; readonly where: string; readonly hint?: string;
}): HttpRoute {
  const { route, subject } = o;
  const httpRoute = new HttpRoute(scope, id, {
    metadata: { name: o.name, namespace: subject.namespace },
    spec: {
      parentRefs: [{
        group: 'gateway.networking.k8s.io', kind: 'Gateway', name: route.gatewayName, namespace: route.gatewayNamespace,
        ...(route.sectionName !== undefined ? { sectionName: route.sectionName } : {}),
      }],
      hostnames: [subject.host],
      rules: [{ matches: [{ path: { type: 'PathPrefix', value: '/' } }], backendRefs: [{ name: subject.backend.name, port: subject.backend.port }] }],
    },
  });
  // Checked at synth, once the whole app (the Gateway, the backend Service, the Namespace's labels) exists.
  scope.node.addValidation({
    validate: () => httpRouteProblems(route, { scope, ...subject })
      .map(m => `${o.where}: ${o.hint === undefined ? m : m.replace('(set ingress_domain)', o.hint)}`),
  });
  return httpRoute;
}
