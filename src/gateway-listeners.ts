import type { LabelSelector, Listener } from '../imports/gateway-api';
import { Problems, isDnsLabel, isPlainObject, isQualifiedName, show } from './validation';

/** A protocol a Gateway listener speaks (the Gateway API's core and extended protocols). */
export type GatewayListenerProtocol = 'HTTP' | 'HTTPS' | 'TLS' | 'TCP' | 'UDP';

export const GATEWAY_LISTENER_PROTOCOLS: readonly GatewayListenerProtocol[] = ['HTTP', 'HTTPS', 'TLS', 'TCP', 'UDP'];

/** A TLS certificate for a listener: a `kubernetes.io/tls` Secret. */
export interface GatewayCertificateRef {
  /** Name of the Secret. */
  readonly name: string;
  /** Namespace of the Secret; another namespace than the Gateway's needs a ReferenceGrant there. @default - the Gateway's namespace */
  readonly namespace?: string;
}

/** Which namespaces a listener admits routes from. */
export interface GatewayRouteNamespaces {
  /** `All` namespaces, the Gateway's own (`Same`), or those matching `selector`. @default 'Same' */
  readonly from: 'All' | 'Same' | 'Selector';
  /** The namespaces' labels; required with `from: 'Selector'`, refused otherwise. @default - none */
  readonly selector?: LabelSelector;
}

/** One listener of a Gateway: a port, a protocol and (for HTTP-like protocols) a hostname. */
export interface GatewayListenerProps {
  /** Listener name, unique in the Gateway; routes attach to it as `sectionName`. */
  readonly name: string;
  /** Port the listener accepts traffic on. */
  readonly port: number;
  /** Protocol spoken on the port. */
  readonly protocol: GatewayListenerProtocol;
  /** Host name (or `*.` wildcard) the listener serves; not for TCP and UDP. @default - every host name */
  readonly hostname?: string;
  /** Namespaces whose routes may attach. @default - `{ from: 'Same' }` (the Gateway's own namespace, as the API defaults it) */
  readonly allowedRoutes?: { readonly namespaces: GatewayRouteNamespaces };
  /** TLS: required for HTTPS and TLS, refused for HTTP, TCP and UDP. @default - none */
  readonly tls?: {
    /** `Terminate` (the only mode for HTTPS) or `Passthrough` (TLS only). @default 'Terminate' for HTTPS; required for TLS */
    readonly mode?: 'Terminate' | 'Passthrough';
    /** Certificates; at least one when terminating TLS. @default - none */
    readonly certificateRefs?: readonly GatewayCertificateRef[];
  };
}

const MAX_LISTENERS = 64;
const MAX_CERTIFICATE_REFS = 64;
// The Gateway API's own patterns (SectionName and Hostname in the v1.6.1 CRDs).
const SECTION_NAME = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const HOSTNAME = /^(\*\.)?[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const LISTENER_KEYS = ['name', 'port', 'protocol', 'hostname', 'allowedRoutes', 'tls'];

export function isGatewayHostname(v: unknown): v is string {
  return typeof v === 'string' && v.length >= 1 && v.length <= 253 && HOSTNAME.test(v);
}

/**
 * Checks listeners against the Gateway CRD's OpenAPI and CEL rules, and a little more: a Secret name must be a
 * DNS subdomain, a selector is required with `from: Selector`, one port speaks one protocol.
 * Returns whether they passed (render them with `renderListeners` once the construct's problems are thrown).
 */
export function checkListeners(p: Problems, field: string, listeners: unknown): listeners is readonly GatewayListenerProps[] {
  if (!Array.isArray(listeners) || listeners.length < 1 || listeners.length > MAX_LISTENERS) {
    return p.add(field, listeners, `a list of 1-${MAX_LISTENERS} listeners { name, port, protocol, hostname, allowedRoutes, tls }`);
  }
  listeners.forEach((l, i) => {
    const f = `${field}[${i}]`;
    if (!isPlainObject(l)) p.add(f, l, 'a listener { name, port, protocol, hostname, allowedRoutes, tls }');
    else checkListener(p, f, l);
  });
  checkUnique(p, field, listeners.filter(isPlainObject));
  return true;
}

/** The listeners as the Gateway's `spec.listeners`: only the fields given, copied. */
export function renderListeners(listeners: readonly GatewayListenerProps[]): Listener[] {
  return listeners.map(renderListener);
}

function checkListener(p: Problems, f: string, l: Record<string, any>): void {
  for (const k of Object.keys(l)) if (!LISTENER_KEYS.includes(k)) p.add(`${f}.${k}`, l[k], `absent (a listener has only ${LISTENER_KEYS.join(', ')})`);
  p.check(typeof l.name === 'string' && l.name.length <= 253 && SECTION_NAME.test(l.name), `${f}.name`, l.name,
    'a listener name (at most 253 of a-z, 0-9, "-" and ".", each part starting and ending with a letter or digit)');
  p.port(`${f}.port`, l.port);
  const protocolOk = p.oneOf(`${f}.protocol`, l.protocol, GATEWAY_LISTENER_PROTOCOLS);
  const streamed = l.protocol === 'TCP' || l.protocol === 'UDP';
  if (l.hostname !== undefined) {
    if (streamed) p.add(`${f}.hostname`, l.hostname, `absent for protocol ${l.protocol}`);
    else p.check(isGatewayHostname(l.hostname), `${f}.hostname`, l.hostname, 'a DNS name such as "example.com", or a wildcard such as "*.example.com" (lowercase, at most 253)');
  }
  if (l.allowedRoutes !== undefined) checkAllowedRoutes(p, `${f}.allowedRoutes`, l.allowedRoutes);
  if (protocolOk) checkTls(p, `${f}.tls`, l.protocol, l.tls);
}

function checkAllowedRoutes(p: Problems, f: string, a: unknown): void {
  if (!isPlainObject(a) || !isPlainObject(a.namespaces) || Object.keys(a).length !== 1) {
    p.add(f, a, "an object { namespaces: { from: 'All' | 'Same' | 'Selector', selector } }");
    return;
  }
  const ns = a.namespaces;
  for (const k of Object.keys(ns)) if (k !== 'from' && k !== 'selector') p.add(`${f}.namespaces.${k}`, ns[k], 'absent (only from and selector)');
  if (!p.oneOf(`${f}.namespaces.from`, ns.from, ['All', 'Same', 'Selector'])) return;
  if (ns.from !== 'Selector') {
    if (ns.selector !== undefined) p.add(`${f}.namespaces.selector`, ns.selector, "absent unless from is 'Selector'");
    return;
  }
  checkSelector(p, `${f}.namespaces.selector`, ns.selector);
}

function checkSelector(p: Problems, f: string, s: unknown): void {
  if (!isPlainObject(s) || (s.matchLabels === undefined && s.matchExpressions === undefined)) {
    p.add(f, s, "a label selector { matchLabels, matchExpressions } with at least one of them (required with from: 'Selector')");
    return;
  }
  for (const k of Object.keys(s)) if (k !== 'matchLabels' && k !== 'matchExpressions') p.add(`${f}.${k}`, s[k], 'absent (only matchLabels and matchExpressions)');
  if (s.matchLabels !== undefined) p.labels(`${f}.matchLabels`, s.matchLabels);
  if (s.matchExpressions === undefined) return;
  if (!Array.isArray(s.matchExpressions)) {
    p.add(`${f}.matchExpressions`, s.matchExpressions, 'a list of { key, operator, values }');
    return;
  }
  s.matchExpressions.forEach((e: unknown, i: number) => {
    const g = `${f}.matchExpressions[${i}]`;
    if (!isPlainObject(e)) { p.add(g, e, 'an object { key, operator, values }'); return; }
    p.check(isQualifiedName(e.key), `${g}.key`, e.key, 'a label key (a qualified name)');
    if (!p.oneOf(`${g}.operator`, e.operator, ['In', 'NotIn', 'Exists', 'DoesNotExist'])) return;
    const needsValues = e.operator === 'In' || e.operator === 'NotIn';
    if (needsValues) {
      p.check(Array.isArray(e.values) && e.values.length > 0 && e.values.every((v: unknown) => typeof v === 'string'),
        `${g}.values`, e.values, `a non-empty list of strings for operator ${e.operator}`);
    } else if (e.values !== undefined && !(Array.isArray(e.values) && e.values.length === 0)) {
      p.add(`${g}.values`, e.values, `absent for operator ${e.operator}`);
    }
  });
}

function checkTls(p: Problems, f: string, protocol: GatewayListenerProtocol, tls: unknown): void {
  if (protocol === 'HTTP' || protocol === 'TCP' || protocol === 'UDP') {
    if (tls !== undefined) p.add(f, tls, `absent for protocol ${protocol}`);
    return;
  }
  if (!isPlainObject(tls)) {
    p.add(f, tls, protocol === 'HTTPS'
      ? 'an object { certificateRefs: [{ name }] } for protocol HTTPS'
      : "an object { mode: 'Terminate' | 'Passthrough', certificateRefs } for protocol TLS");
    return;
  }
  for (const k of Object.keys(tls)) if (k !== 'mode' && k !== 'certificateRefs') p.add(`${f}.${k}`, tls[k], 'absent (only mode and certificateRefs)');
  const mode = tls.mode ?? (protocol === 'HTTPS' ? 'Terminate' : undefined);
  if (protocol === 'HTTPS') p.check(mode === 'Terminate', `${f}.mode`, tls.mode, "'Terminate' (or absent) for protocol HTTPS");
  else if (!p.oneOf(`${f}.mode`, mode, ['Terminate', 'Passthrough'])) return;
  if (mode === 'Terminate' || tls.certificateRefs !== undefined) checkCertificateRefs(p, `${f}.certificateRefs`, tls.certificateRefs, mode === 'Terminate');
}

function checkCertificateRefs(p: Problems, f: string, refs: unknown, required: boolean): void {
  if (!Array.isArray(refs) || refs.length > MAX_CERTIFICATE_REFS || (required && refs.length === 0)) {
    p.add(f, refs, `a list of ${required ? '1' : '0'}-${MAX_CERTIFICATE_REFS} Secret references { name, namespace }${required ? ' (a terminating listener needs a certificate)' : ''}`);
    return;
  }
  refs.forEach((r: unknown, i: number) => {
    const g = `${f}[${i}]`;
    if (!isPlainObject(r)) { p.add(g, r, 'a Secret reference { name, namespace }'); return; }
    for (const k of Object.keys(r)) if (k !== 'name' && k !== 'namespace') p.add(`${g}.${k}`, r[k], 'absent (only name and namespace: the certificate is a Secret)');
    p.dnsSubdomain(`${g}.name`, r.name);
    if (r.namespace !== undefined) p.check(isDnsLabel(r.namespace), `${g}.namespace`, r.namespace, 'a namespace name (a DNS-1123 label)');
  });
}

/** Names are unique; so is each (port, protocol, hostname); and one port speaks one protocol. */
function checkUnique(p: Problems, field: string, listeners: readonly Record<string, any>[]): void {
  const names = new Map<unknown, number>();
  const combos = new Map<string, number>();
  const protocols = new Map<unknown, { protocol: unknown; index: number }>();
  listeners.forEach((l, i) => {
    const f = `${field}[${i}]`;
    if (names.has(l.name)) p.add(`${f}.name`, l.name, `unique among listener names (${field}[${names.get(l.name)}] has it too)`);
    else names.set(l.name, i);
    const combo = `${l.port}/${l.protocol}/${l.hostname ?? ''}`;
    if (combos.has(combo)) {
      p.add(`${f}.port`, l.port, `unique with its protocol and hostname (${field}[${combos.get(combo)}] also listens on ${l.port} ${l.protocol}${l.hostname ? ` for ${show(l.hostname)}` : ' for every hostname'})`);
    } else combos.set(combo, i);
    const other = protocols.get(l.port);
    if (other && other.protocol !== l.protocol) {
      p.add(`${f}.protocol`, l.protocol, `${show(other.protocol)} like ${field}[${other.index}] on the same port ${l.port} (one port speaks one protocol)`);
    } else if (!other) protocols.set(l.port, { protocol: l.protocol, index: i });
  });
}

function renderListener(l: GatewayListenerProps): Listener {
  const ns = l.allowedRoutes?.namespaces;
  return {
    name: l.name,
    port: l.port,
    protocol: l.protocol,
    ...(l.hostname !== undefined ? { hostname: l.hostname } : {}),
    ...(ns ? { allowedRoutes: { namespaces: { from: ns.from, ...(ns.selector ? { selector: copySelector(ns.selector) } : {}) } } } : {}),
    ...(l.tls ? {
      tls: {
        ...(l.tls.mode !== undefined ? { mode: l.tls.mode } : {}),
        ...(l.tls.certificateRefs ? { certificateRefs: l.tls.certificateRefs.map(r => ({ name: r.name, ...(r.namespace ? { namespace: r.namespace } : {}) })) } : {}),
      },
    } : {}),
  };
}

function copySelector(s: LabelSelector): LabelSelector {
  return {
    ...(s.matchLabels ? { matchLabels: { ...s.matchLabels } } : {}),
    ...(s.matchExpressions ? { matchExpressions: s.matchExpressions.map(e => ({ key: e.key, operator: e.operator, ...(e.values?.length ? { values: [...e.values] } : {}) })) } : {}),
  };
}
