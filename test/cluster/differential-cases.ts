/**
 * Random prop sets for every construct that renders Kubernetes objects, for the differential test
 * (differential.test.ts): mostly valid values, boundary values (names of exactly 63 or 253 characters, port
 * 65535) and near misses (one character too long, uppercase, empty, port 0 or 65536, "1.5.5", requests above
 * limits, enum typos, duplicates). A value may be a function of the case's token (`c12`), so the names of one
 * case differ from every other's and a batch of cases can be applied together.
 */
import { Chart } from 'cdk8s';
import fc from 'fast-check';
import { stringify as stringifyToml } from 'smol-toml';
import { stringify as stringifyYaml } from 'yaml';
import {
  GatewayApiCrds, GrafanaDashboard, HttpsRedirect, INGRESS_NGINX_RELEASE_ROWS, IngressMetricsMonitor, IngressNginx, MirrordRbac,
  OpenHandsAlerts, OpenHandsServer, OpenHandsServiceAccount, SandboxFleet, SandboxNamespace, SandboxNetworkPolicies, SandboxQuota,
  SandboxRuntime, Traefik, TraefikCrds, UbuntuDevWorkload, parseKubernetesConfig,
} from '../../index';
import { compareQuantities } from '../../src/quantity';
import { isQuantity } from '../../src/validation';

/** A value, or a value made from the case's token. */
type Tok<T> = T | ((token: string) => T);
type Arb<T = unknown> = fc.Arbitrary<Tok<T>>;

/** Replaces every function in a generated value by its result for `token`. */
export function realize(value: unknown, token: string): any {
  if (typeof value === 'function') return realize(value(token), token);
  if (Array.isArray(value)) return value.map(v => realize(v, token));
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, realize(v, token)]));
  }
  return value;
}

/** Mostly `valid`, sometimes `nearMiss` (one value in twelve). */
function mix<T>(valid: Arb<T>, nearMiss: Arb<unknown>): Arb<any> {
  return fc.oneof({ weight: 11, arbitrary: valid }, { weight: 1, arbitrary: nearMiss });
}

/** `token` padded with "-a..." (or ".a..." parts for a subdomain) to exactly `length` characters. */
function padTo(token: string, length: number, dots = false): string {
  let s = token;
  while (s.length < length) {
    const room = length - s.length;
    const sep = dots && s.length % 60 > 50 ? '.' : '-';
    s += room === 1 ? 'a' : `${sep}${'a'.repeat(Math.min(room - 1, dots ? 40 : room - 1))}`;
  }
  return s;
}

/** A DNS-1123 label (namespaces, Service names), unique to the case, or a near miss. */
function label(max = 63): Arb<string> {
  return mix<string>(
    fc.oneof(
      { weight: 4, arbitrary: fc.integer({ min: 0, max: 12 }).map(n => (t: string) => `${t}${'x'.repeat(n)}`) },
      { weight: 1, arbitrary: fc.integer({ min: max - 2, max }).map(n => (t: string) => padTo(t, n)) },
    ),
    fc.constantFrom<Tok<string>>(
      t => padTo(t, max + 1), t => t.toUpperCase(), t => `${t}-`, t => `-${t}`, t => `${t}_x`, t => `${t}.x`, '', ' ', t => `${t}é`,
      t => `${t} `, t => `1${t}`,
    ),
  );
}

/** A DNS-1123 subdomain (most object names), unique to the case, or a near miss. */
function subdomain(max = 253): Arb<string> {
  return mix<string>(
    fc.oneof(
      { weight: 4, arbitrary: fc.integer({ min: 0, max: 12 }).map(n => (t: string) => `${t}${n % 3 === 0 ? '.x' : ''}${'y'.repeat(n)}`) },
      { weight: 1, arbitrary: fc.constantFrom(63, 64, max - 1, max).map(n => (t: string) => padTo(t, n, true)) },
    ),
    fc.constantFrom<Tok<string>>(
      t => padTo(t, max + 1, true), t => t.toUpperCase(), t => `${t}..x`, t => `.${t}`, t => `${t}.`, t => `${t}_x`, '', t => `${t}/x`, t => `${t} `,
    ),
  );
}

const PORT = mix<number>(
  fc.oneof(fc.integer({ min: 1, max: 65535 }), fc.constantFrom(1, 80, 443, 8000, 8443, 65535)),
  fc.constantFrom<unknown>(0, 65536, -1, 1.5, '80', null),
);

/** Quantities the grammar takes, odd ones included, and ones it must not. */
const QUANTITY = mix<string>(
  fc.constantFrom('0', '1', '2', '100m', '500m', '1500m', '0.5', '.5', '1.', '1.5', '64Mi', '90Mi', '256Mi', '1Gi', '2Gi', '3Gi',
    '1G', '2G', '1e3', '1E3', '1e-3', '1n', '1u', '1m', '1k', '1Ki', '1Ti', '8Ei', '9Ei', '1e18', '1e19', '1e1000', '0.0000000001',
    '123456789012345678901234567890', '00001', '1.0000000001Gi'),
  fc.constantFrom<unknown>('1.5.5', '-1', '+1', '', ' 1', '1 ', '1KB', '1ki', 'abc', '1e', 'e3', '1.5e', 'Gi', 1, null),
);

/** A request and a limit, mostly in order (a request above its limit is a near miss the server refuses). */
const REQUEST_AND_LIMIT = fc.oneof(
  { weight: 3, arbitrary: fc.tuple(QUANTITY, QUANTITY).map(([a, b]) => (isQuantity(a) && isQuantity(b) && compareQuantities(a, b) > 0 ? [b, a] : [a, b])) },
  { weight: 1, arbitrary: fc.tuple(QUANTITY, QUANTITY) },
);

/** Container resources: each of cpu and memory with a request, a limit, both or neither. */
const RESOURCES = fc.record({ cpu: fc.tuple(REQUEST_AND_LIMIT, fc.constantFrom('request', 'limit', 'both')), memory: fc.tuple(REQUEST_AND_LIMIT, fc.constantFrom('request', 'limit', 'both')) }, { requiredKeys: [] })
  .map(r => {
    const out: { requests?: Record<string, unknown>; limits?: Record<string, unknown> } = {};
    for (const [k, [[request, limit], which]] of Object.entries(r) as [string, [unknown[], string]][]) {
      if (which !== 'limit') (out.requests ??= {})[k] = request;
      if (which !== 'request') (out.limits ??= {})[k] = limit;
    }
    return out;
  });

const LABEL_KEY = mix<string>(
  fc.oneof(
    fc.constantFrom('app', 'team', 'tier', 'example.com/x', 'a.b.c/d_e', 'A-b.c', 'x'),
    fc.constantFrom(63).map(n => (t: string) => padTo(t, n)),
    fc.constant((t: string) => `${padTo(t, 253, true)}/x`),
  ),
  fc.constantFrom<Tok<string>>(t => padTo(t, 64), '', '-x', 'x-', 'Example.com/x', 'a/b/c', '/x', 'x/', 'a b', t => `${padTo(t, 254, true)}/x`),
);

const LABEL_VALUE = mix<string>(
  fc.oneof(fc.constantFrom('', 'x', 'A', 'a.b_c-d', '1', 'true'), fc.constant((t: string) => padTo(t, 63))),
  fc.constantFrom<unknown>((t: string) => padTo(t, 64), '-x', 'x_', '.x', 'a b', 'a/b', 1, null),
);

/** An object of up to `maxKeys` entries whose keys may be token functions too. */
function dict(key: Arb<unknown>, value: Arb<unknown>, maxKeys: number, minKeys = 0): Arb<Record<string, unknown>> {
  return fc.array(fc.tuple(key, value), { minLength: minKeys, maxLength: maxKeys })
    .map(pairs => (t: string) => Object.fromEntries(pairs.map(([k, v]) => [realize(k, t), realize(v, t)])));
}

const LABELS = dict(LABEL_KEY, LABEL_VALUE, 3);
/** At least one label (selectors that must select something). */
const SOME_LABELS = dict(LABEL_KEY, LABEL_VALUE, 3, 1);

const IMAGE = mix<string>(
  fc.constantFrom('ubuntu:22.04', 'ubuntu', 'localhost:5000/a/b:c', 'registry.k8s.io/pause:3.9', `busybox@sha256:${'a'.repeat(64)}`,
    `ghcr.io/x/y:${'t'.repeat(128)}`),
  fc.constantFrom<unknown>('Ubuntu:22.04', '', 'ubuntu:', ' ubuntu', 'ubuntu ', `ghcr.io/x/y:${'t'.repeat(129)}`, 'a//b', 3),
);

const STRINGS = mix<string[]>(
  fc.array(fc.constantFrom('sleep', 'infinity', '', 'a b', '--x=1', 'é'), { minLength: 1, maxLength: 3 }),
  fc.constantFrom<unknown>([], ['ok', 3], 'sleep infinity', null),
);

const ENV_NAME = mix<string>(
  fc.constantFrom('A', 'TZ', 'a.b', 'x-y', '_X', 'PATH'),
  fc.constantFrom<unknown>('', '1A', 'A=B', 'a b', 'é', 3),
);
const ENV = fc.array(fc.record({ name: ENV_NAME, value: mix<string>(fc.constantFrom('', 'x', 'a b', '1'), fc.constantFrom<unknown>(1, null)) }), { maxLength: 3 });

const ANY_TOLERATION = fc.record({
  key: mix<string>(fc.constantFrom('', 'gpu', 'node-role.kubernetes.io/control-plane', 'example.com/x'), fc.constantFrom<unknown>('Bad Key', '-x', 3)),
  operator: mix<string>(fc.constantFrom('Exists', 'Equal'), fc.constantFrom<unknown>('exists', 'In', '')),
  value: LABEL_VALUE,
  effect: mix<string>(fc.constantFrom('NoSchedule', 'PreferNoSchedule', 'NoExecute'), fc.constantFrom<unknown>('noschedule', '', 'NoExec')),
  tolerationSeconds: mix<number>(fc.constantFrom(0, 60, -5), fc.constantFrom<unknown>(1.5, '60')),
}, { requiredKeys: [] });
const TOLERATION = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.constantFrom<unknown>(
      { key: 'gpu', operator: 'Exists', effect: 'NoSchedule' },
      { operator: 'Exists' },
      { key: 'example.com/x', operator: 'Equal', value: 'a', effect: 'NoExecute', tolerationSeconds: 60 },
      { key: 'node-role.kubernetes.io/control-plane', effect: 'NoSchedule' },
      { key: 'x', value: (t: string) => padTo(t, 63), effect: 'PreferNoSchedule' },
      { key: 'x', operator: 'Equal', value: '', effect: 'NoExecute', tolerationSeconds: -5 },
    ),
  },
  { weight: 1, arbitrary: ANY_TOLERATION },
);
const TOLERATIONS = fc.array(TOLERATION, { maxLength: 2 });

/** A `[kubernetes]` config with some fields given, as SandboxRuntime and friends take it. */
const CONFIG = fc.record({
  namespace: label(),
  ingressDomain: mix<string>(
    fc.oneof(fc.constantFrom('localhost', 'example.com', 'a.b.c', '1.2.3.4'), fc.constantFrom(200, 219, 220).map(n => (t: string) => padTo(`d${t}`, n, true))),
    fc.constantFrom<Tok<string>>('', 'Example.com', '*.example.com', 'a..b', t => padTo(`d${t}`, 221, true), t => padTo(t, 254, true), 'localhost.', 'a_b'),
  ),
  pvcStorageSize: QUANTITY,
  pvcStorageClass: subdomain(),
  resourceCpuRequest: QUANTITY,
  memory: REQUEST_AND_LIMIT,
  imagePullSecret: subdomain(),
  ingressTlsSecret: subdomain(),
  nodeSelector: fc.record({ key: LABEL_KEY, value: LABEL_VALUE }),
  tolerations: TOLERATIONS,
  privileged: mix<boolean>(fc.boolean(), fc.constantFrom<unknown>('true', 1)),
}, { requiredKeys: [] }).map(({ memory, ...c }) => ({
  ...c,
  ...(memory ? { resourceMemoryRequest: memory[0], resourceMemoryLimit: memory[1] } : {}),
}));

/** A construct and the props to build it with. */
export interface Case {
  readonly construct: string;
  /** Props, possibly with token functions in them (see `realize`). */
  readonly props: unknown;
  readonly build: (chart: Chart, props: any) => void;
}

type Builder = (chart: Chart, props: any) => void;
interface ConstructCases { readonly construct: string; readonly props: fc.Arbitrary<unknown>; readonly build: Builder }

function ubuntuDevWorkload(): ConstructCases {
  const port = fc.record({
    port: PORT, targetPort: PORT,
    protocol: mix<string>(fc.constantFrom('TCP', 'UDP', 'SCTP'), fc.constantFrom<unknown>('tcp', 'HTTP', '')),
    name: mix<string>(fc.constantFrom('http', 'a', 'dns', 'a-1', 'abcdefghijklmno'), fc.constantFrom<unknown>('abcdefghijklmnop', 'HTTP', '1', 'a--b', '', '-a')),
  }, { requiredKeys: ['port'] });
  return {
    construct: 'UbuntuDevWorkload',
    props: fc.record({
      name: label(), namespace: label(), image: IMAGE, command: STRINGS,
      replicas: mix<number>(fc.constantFrom(0, 1, 3, 1000), fc.constantFrom<unknown>(-1, 1001, 1.5, '1')),
      ports: fc.oneof(fc.array(port, { minLength: 1, maxLength: 1 }), fc.uniqueArray(port, { minLength: 1, maxLength: 3, selector: p => (p as { name?: unknown }).name })),
      env: ENV, resources: RESOURCES,
    }, { requiredKeys: [] }),
    build: (c, p) => new UbuntuDevWorkload(c, 'w', p),
  };
}

function mirrordRbac(): ConstructCases {
  const rule = fc.record({
    apiGroups: fc.array(mix<string>(fc.constantFrom('', '*', 'apps', 'networking.k8s.io'), fc.constantFrom<unknown>('Apps', 'a/b', 3)), { minLength: 1, maxLength: 2 }),
    resources: fc.array(mix<string>(fc.constantFrom('*', 'pods', 'pods/log', 'deployments'), fc.constantFrom<unknown>('Pods', 'pods/', '')), { minLength: 1, maxLength: 2 }),
    verbs: fc.array(mix<string>(fc.constantFrom('get', 'list', '*', 'deletecollection'), fc.constantFrom<unknown>('GET', 'escalate', '')), { minLength: 1, maxLength: 3 }),
    resourceNames: fc.array(fc.constantFrom('x', '', 'a b', 'A'), { minLength: 1, maxLength: 2 }),
  }, { requiredKeys: ['apiGroups', 'resources', 'verbs'] });
  return {
    construct: 'MirrordRbac',
    props: fc.record({
      namespace: label(), roleName: subdomain(), bindingName: subdomain(),
      subject: fc.record({
        kind: mix<string>(fc.constantFrom('ServiceAccount', 'User', 'Group'), fc.constantFrom<unknown>('serviceaccount', 'Pod')),
        name: mix<string>(subdomain(), fc.constantFrom<unknown>('system:admin', 'a b', '')),
        namespace: label(),
      }, { requiredKeys: ['name'] }),
      preset: mix<string>(fc.constantFrom('openhands', 'leastPrivilege', 'mirrordCli'), fc.constantFrom<unknown>('OpenHands', 'admin')),
      extraRules: fc.array(rule, { maxLength: 2 }),
    }, { requiredKeys: [] }),
    build: (c, p) => new MirrordRbac(c, 'm', p),
  };
}

const SID = mix<string>(
  fc.oneof(fc.integer({ min: 0, max: 6 }).map(n => (t: string) => `s${t}${'x'.repeat(n)}`), fc.constantFrom(31, 32).map(n => (t: string) => padTo(`s${t}`, n))),
  fc.constantFrom<Tok<string>>(t => padTo(`s${t}`, 33), t => `S${t}`, t => `s${t}-`, '', t => `s${t}.x`),
);

const APP_PORTS = fc.array(mix<number>(fc.constantFrom(30082, 30083, 1, 65535, 3000), fc.constantFrom<unknown>(8080, 8081, 0, 65536)), { maxLength: 3 });

/** SandboxRuntime's props other than sid. */
function runtimeProps() {
  return {
    config: CONFIG, image: IMAGE, command: STRINGS, env: ENV,
    vscode: mix<boolean>(fc.boolean(), fc.constantFrom<unknown>('yes')),
    appPorts: APP_PORTS, exposeAppPorts: fc.boolean(), vscodeObjectsWhenDisabled: fc.boolean(),
    rootUserId: mix<boolean>(fc.boolean(), fc.constantFrom<unknown>('true', 0)),
    ingressClassName: mix<string | false>(fc.oneof(fc.constant(false as const), subdomain()), fc.constantFrom<unknown>(true, '')),
  };
}

function sandboxRuntime(): ConstructCases {
  return {
    construct: 'SandboxRuntime',
    props: fc.record({ sid: SID, ...runtimeProps() }, { requiredKeys: ['sid'] }),
    build: (c, p) => new SandboxRuntime(c, 'r', p),
  };
}

/** The config's fields as `[kubernetes]` TOML keys (tolerations as `tolerations_yaml`, as upstream reads them). */
function toToml(config: Record<string, any>): string {
  const keys: Record<string, string> = {
    namespace: 'namespace', ingressDomain: 'ingress_domain', pvcStorageSize: 'pvc_storage_size', pvcStorageClass: 'pvc_storage_class',
    resourceCpuRequest: 'resource_cpu_request', resourceMemoryRequest: 'resource_memory_request', resourceMemoryLimit: 'resource_memory_limit',
    imagePullSecret: 'image_pull_secret', ingressTlsSecret: 'ingress_tls_secret', privileged: 'privileged',
  };
  const section: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(config)) if (keys[k] && v !== null && v !== undefined) section[keys[k]] = v;
  if (config.nodeSelector) Object.assign(section, { node_selector_key: config.nodeSelector.key ?? '', node_selector_val: config.nodeSelector.value ?? '' });
  if (config.tolerations) {
    section.tolerations_yaml = stringifyYaml(config.tolerations.map((t: Record<string, unknown>) =>
      Object.fromEntries(Object.entries(t).map(([k, v]) => [k === 'tolerationSeconds' ? 'toleration_seconds' : k, v]))));
  }
  return stringifyToml({ kubernetes: section });
}

/** SandboxRuntime with its config read from `config.toml` text by the loader, as the sandbox CLI does. */
function sandboxRuntimeFromToml(): ConstructCases {
  return {
    construct: 'SandboxRuntime+config.toml',
    props: fc.record({ sid: SID, config: CONFIG }).map(({ sid, config }) => (t: string) => ({ sid: realize(sid, t), toml: toToml(realize(config, t)) })),
    build: (c, p) => new SandboxRuntime(c, 'r', { sid: p.sid, config: parseKubernetesConfig(p.toml, 'config.toml') }),
  };
}

function sandboxFleet(): ConstructCases {
  const sids = fc.record({ sids: fc.array(SID, { maxLength: 3 }) });
  const count = fc.record({
    count: mix<number>(fc.integer({ min: 0, max: 3 }), fc.constantFrom<unknown>(-1, 1.5)),
    sidPrefix: mix<string>(fc.oneof(fc.constant((t: string) => `p${t}`), fc.constant((t: string) => padTo(`p${t}`, 30))), fc.constantFrom<Tok<string>>(t => padTo(`p${t}`, 31), 'P', '')),
  }, { requiredKeys: ['count'] });
  return {
    construct: 'SandboxFleet',
    props: fc.tuple(fc.oneof(sids, count), fc.record(runtimeProps(), { requiredKeys: [] })).map(([a, b]) => ({ ...b, ...a })),
    build: (c, p) => new SandboxFleet(c, 'f', p),
  };
}

/** Stands for the case's own Traefik in a route's `gateway`: the build swaps in the handle (props stay printable). */
const TRAEFIK_HANDLE = "<the case's Traefik>";

/** A listener name (`sectionName`): boundary lengths, and near misses the Gateway API's SectionName pattern refuses. */
const SECTION_NAME = mix<string>(
  fc.oneof(fc.constantFrom('web', 'websecure', 'a.b', 'x-1', '0'), fc.constant((t: string) => padTo(`l${t}`, 253, true))),
  fc.constantFrom<Tok<string>>('Web', '', 'a..b', 'a_b', '-a', 'a.', 'a b', t => padTo(`l${t}`, 254, true)),
);

/**
 * `ingress_domain` for routes: the session host `<sid>.<ingress_domain>` becomes `spec.hostnames[0]`, so its limits
 * (220 + 1 + 32 = 253), IPs, wildcards, uppercase, trailing dots and stray characters.
 */
const ROUTE_DOMAIN = mix<string>(
  fc.oneof(
    fc.constantFrom('localhost', 'example.com', 'sandbox.example.com', '1.2.3.4', 'xn--bcher-kva.example', '0.a', 'a-b.c9'),
    fc.constantFrom(63, 64, 200, 220).map(n => (t: string) => padTo(`d${t}`, n, true)),
  ),
  fc.constantFrom<Tok<string>>('', 'Example.com', 'LOCALHOST', '*.example.com', '*', 'localhost.', '.localhost', 'a..b', '-a.b', 'a-.b', 'a_b',
    '::1', '[::1]', 'a b', 'localhost:8080', t => padTo(`d${t}`, 221, true), t => padTo(t, 254, true)),
);

/** A listener hostname, chosen relative to the session host: most fit it, some do not, some are no hostname at all. */
const LISTENER_HOST = fc.oneof(
  { weight: 9, arbitrary: fc.constantFrom('absent', 'wildcard', 'exact', 'parent') },
  { weight: 1, arbitrary: fc.constantFrom('bare', 'other', 'ip') },
  { weight: 1, arbitrary: fc.constantFrom('*', 'upper', 'trailing-dot', 'double-wildcard', 'too-long', 'empty') },
);

function listenerHostname(choice: string, sid: string, domain: string): string | undefined {
  const parent = domain.includes('.') ? domain.slice(domain.indexOf('.') + 1) : domain;
  const hosts: Record<string, string | undefined> = {
    absent: undefined, wildcard: `*.${domain}`, exact: `${sid}.${domain}`, parent: `*.${parent}`, bare: domain, other: 'other.example.com', ip: '1.2.3.4',
    '*': '*', upper: `*.${domain.toUpperCase()}`, 'trailing-dot': `*.${domain}.`, 'double-wildcard': `*.*.${domain}`,
    'too-long': padTo(`*.${domain}`, 254, true), empty: '',
  };
  return hosts[choice];
}

/** Which namespaces a Traefik listener admits, relative to the session's namespace. */
const ADMISSION = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom('absent', 'All', 'Same', 'name', 'expression') },
  { weight: 1, arbitrary: fc.constantFrom('other-name', 'All-with-selector') },
);

function allowedRoutes(choice: string, namespace: string): unknown {
  const byName = (ns: string) => ({ matchLabels: { 'kubernetes.io/metadata.name': ns } });
  const routes: Record<string, unknown> = {
    absent: undefined, All: { namespaces: { from: 'All' } }, Same: { namespaces: { from: 'Same' } },
    name: { namespaces: { from: 'Selector', selector: byName(namespace) } },
    expression: { namespaces: { from: 'Selector', selector: { matchExpressions: [{ key: 'kubernetes.io/metadata.name', operator: 'In', values: [namespace] }] } } },
    'other-name': { namespaces: { from: 'Selector', selector: byName('other') } },
    'All-with-selector': { namespaces: { from: 'All', selector: byName(namespace) } },
  };
  return routes[choice];
}

/** A reference's `allowedRouteNamespaces`, relative to the session's namespace. */
const REFERENCE_NAMESPACES = mix<string>(
  fc.constantFrom('absent', 'absent', 'session', 'session-and-other', 'other', 'none'),
  fc.constantFrom('upper', 'string', 'number'),
);

function referenceNamespaces(choice: string, namespace: string): unknown {
  const lists: Record<string, unknown> = {
    absent: undefined, session: [namespace], 'session-and-other': ['other', namespace], other: ['other'], none: [],
    upper: [namespace.toUpperCase()], string: namespace, number: [1],
  };
  return lists[choice];
}

/** The parts of a route case the Gateway side is built from, before the session's names are known. */
const GATEWAY_SIDE = fc.oneof(
  {
    weight: 5,
    arbitrary: fc.record({
      from: fc.constant('reference'), namespace: label(), name: subdomain(), listener: SECTION_NAME, hostname: LISTENER_HOST,
      allowedRouteNamespaces: REFERENCE_NAMESPACES, sectionName: fc.constantFrom('absent', 'absent', 'same', 'other'),
      extra: mix<undefined>(fc.constant(undefined), fc.constantFrom<unknown>({ port: 8081 }, { sectionName: 'web' }, { kind: 'Gateway' })),
    }, { requiredKeys: ['from', 'namespace', 'name', 'sectionName'] }),
  },
  {
    weight: 4,
    arbitrary: fc.record({
      // A handle, or a reference naming the app's Gateway (checked against the app's listeners all the same).
      from: fc.constantFrom('handle', 'handle', 'named'),
      traefikNamespace: label(55), sameNamespace: fc.constantFrom(true, true, false), createNamespace: fc.boolean(),
      gatewayOn: mix<boolean>(fc.constant(true), fc.constant(false)), gatewayName: subdomain(),
      web: fc.record({ hostname: LISTENER_HOST, admission: ADMISSION }), websecure: fc.option(fc.record({ hostname: LISTENER_HOST, admission: ADMISSION })),
      sectionName: mix<string>(fc.constantFrom('absent', 'absent', 'absent', 'web', 'web', 'websecure', 'missing'), SECTION_NAME),
    }),
  },
  { weight: 1, arbitrary: fc.record({ from: fc.constant('broken'), route: fc.constantFrom<unknown>(
    { kind: 'httproute' }, { kind: 'HTTPRoute' }, { kind: 'HTTPRoute', gateway: null }, { kind: 'HTTPRoute', gateway: 'traefik' },
    { kind: 'HTTPRoute', gateway: {} }, { kind: 'HTTPRoute', gateway: TRAEFIK_HANDLE, port: 8081 }, { kind: 'Ingress', gateway: TRAEFIK_HANDLE },
  ) }) },
);

/** A Traefik with only its Gateway provider, named after the case so its cluster-scoped objects never collide. */
function handleTraefik(g: any, t: string, sid: string, domain: string, namespace: string): Record<string, unknown> {
  const listener = (l: { hostname: string; admission: string }, base: Record<string, unknown>) => {
    const hostname = listenerHostname(l.hostname, sid, domain);
    const routes = allowedRoutes(l.admission, namespace);
    return { ...base, ...(hostname !== undefined ? { hostname } : {}), ...(routes !== undefined ? { allowedRoutes: routes } : {}) };
  };
  return {
    namespace: realize(g.traefikNamespace, t), createNamespace: g.createNamespace, ingressClass: false, service: { type: 'ClusterIP' },
    providers: { kubernetesGateway: g.gatewayOn, kubernetesIngress: false, kubernetesCRD: false },
    ...(g.gatewayOn ? {
      gateway: {
        name: realize(g.gatewayName, t), className: `gc${t}`,
        listeners: [
          listener(g.web, { name: 'web', port: 8000, protocol: 'HTTP' }),
          ...(g.websecure ? [listener(g.websecure, { name: 'websecure', port: 8443, protocol: 'HTTPS', tls: { certificateRefs: [{ name: 'cert' }] } })] : []),
        ],
      },
    } : {}),
  };
}

/**
 * A route case: `session` (the runtime's props, its route's gateway possibly `TRAEFIK_HANDLE`) and, for handles and
 * references to the app's Gateway, `traefik` (a Traefik's props, built first in the same chart).
 */
function routeCase(g: any, t: string, sid: string, domain: string, sessionNamespace: string): { traefik?: Record<string, unknown>; route: unknown; namespace: string } {
  if (g.from === 'broken') return { route: g.route, namespace: sessionNamespace, ...(JSON.stringify(g.route).includes(TRAEFIK_HANDLE) ? { traefik: {} } : {}) };
  if (g.from === 'reference') {
    const listener = realize(g.listener, t);
    const ref = {
      namespace: realize(g.namespace, t), name: realize(g.name, t),
      ...(listener !== undefined ? { listener } : {}),
      ...(g.hostname !== undefined && listenerHostname(g.hostname, sid, domain) !== undefined ? { hostname: listenerHostname(g.hostname, sid, domain) } : {}),
      ...(g.allowedRouteNamespaces !== undefined && referenceNamespaces(g.allowedRouteNamespaces, sessionNamespace) !== undefined
        ? { allowedRouteNamespaces: referenceNamespaces(g.allowedRouteNamespaces, sessionNamespace) } : {}),
      ...(g.extra ?? {}),
    };
    const sectionName = { absent: undefined, same: listener, other: 'other' }[g.sectionName as string];
    return { route: { kind: 'HTTPRoute', gateway: ref, ...(sectionName !== undefined ? { sectionName } : {}) }, namespace: sessionNamespace };
  }
  const traefikNamespace = realize(g.traefikNamespace, t);
  const namespace = g.sameNamespace ? traefikNamespace : sessionNamespace;
  const traefik = handleTraefik(g, t, sid, domain, namespace);
  const gateway = g.from === 'handle' ? TRAEFIK_HANDLE : { namespace: traefikNamespace, name: realize(g.gatewayName, t) };
  const sectionName = g.sectionName === 'absent' ? undefined : realize(g.sectionName, t);
  return { traefik, route: { kind: 'HTTPRoute', gateway, ...(sectionName !== undefined ? { sectionName } : {}) }, namespace };
}

/** Builds the case's Traefik (if any) first, swaps its handle into the route, then the sessions. */
function buildWithRoute(chart: Chart, p: { traefik?: Record<string, unknown>; session: Record<string, any> }, make: (chart: Chart, props: any) => void): void {
  const handle = p.traefik ? new Traefik(chart, 't', p.traefik) : undefined;
  const route = p.session.route;
  make(chart, { ...p.session, route: route?.gateway === TRAEFIK_HANDLE ? { ...route, gateway: handle } : route });
}

/** What every route case varies besides the session ids: the namespace, the domain, the Gateway side, VS Code on or off. */
const ROUTE_SIDE = fc.record({
  namespace: label(), ingressDomain: ROUTE_DOMAIN, gateway: GATEWAY_SIDE,
  vscode: fc.oneof({ weight: 9, arbitrary: fc.constant(true) }, { weight: 1, arbitrary: fc.constant(false) }), vscodeObjectsWhenDisabled: fc.boolean(),
});

/** The route props of one case, once the token and the session id the listener hostnames are chosen for are known. */
function routeProps(r: any, t: string, sid: string) {
  const domain = realize(r.ingressDomain, t);
  const { traefik, route, namespace } = routeCase(r.gateway, t, sid, typeof domain === 'string' ? domain : '', realize(r.namespace, t));
  const session = { config: { namespace, ingressDomain: domain }, route, vscode: r.vscode, vscodeObjectsWhenDisabled: r.vscodeObjectsWhenDisabled };
  return { ...(traefik ? { traefik } : {}), session };
}

function sandboxRuntimeWithRoute(): ConstructCases {
  return {
    construct: 'SandboxRuntime+HTTPRoute',
    props: fc.tuple(SID, ROUTE_SIDE).map(([sid, r]) => (t: string) => {
      const s = realize(sid, t);
      const p = routeProps(r, t, typeof s === 'string' ? s : '');
      return { ...p, session: { sid: s, ...p.session } };
    }),
    build: (c, p) => buildWithRoute(c, p, (chart, props) => new SandboxRuntime(chart, 'r', props)),
  };
}

function sandboxFleetWithRoute(): ConstructCases {
  const ids = fc.oneof(
    fc.record({ sids: fc.array(SID, { minLength: 1, maxLength: 3 }) }),
    fc.record({ count: fc.integer({ min: 1, max: 3 }), sidPrefix: fc.constant((t: string) => `p${t}`) }),
  );
  return {
    construct: 'SandboxFleet+HTTPRoute',
    props: fc.tuple(ids, ROUTE_SIDE).map(([given, r]) => (t: string) => {
      const i = realize(given, t);
      // Listener hostnames are chosen for the first session: an exact one leaves the others out, as it should.
      const first = i.sids ? i.sids[0] : `${i.sidPrefix}-1`;
      const p = routeProps(r, t, typeof first === 'string' ? first : '');
      return { ...p, session: { ...i, ...p.session } };
    }),
    build: (c, p) => buildWithRoute(c, p, (chart, props) => new SandboxFleet(chart, 'f', props)),
  };
}

function entryPorts(min: number, max: number) {
  const port = mix<number>(fc.oneof(fc.integer({ min, max }), fc.constantFrom(min, max)), fc.constantFrom<unknown>(min - 1, max + 1, 0, '80'));
  return fc.record({ web: port, websecure: port }, { requiredKeys: [] });
}

const ANY_LISTENER = fc.record({
  name: mix<string>(fc.constantFrom('web', 'websecure', 'a.b', 'x-1', 'tls'), fc.constantFrom<unknown>('Web', '', 'a..b', 'a_b')),
  port: mix<number>(fc.constantFrom(8000, 8443), fc.constantFrom<unknown>(80, 0, 65536)),
  protocol: mix<string>(fc.constantFrom('HTTP', 'HTTPS', 'TLS', 'TCP', 'UDP'), fc.constantFrom<unknown>('http', 'GRPC')),
  hostname: mix<string>(fc.oneof(fc.constantFrom('example.com', '*.example.com', 'localhost', '1.2.3.4'), fc.constant((t: string) => padTo(t, 253, true))),
    fc.constantFrom<Tok<string>>('Example.com', 'a.*.b', '*', '', t => padTo(t, 254, true), 'a_b.com')),
  allowedRoutes: fc.record({
    namespaces: fc.record({
      from: mix<string>(fc.constantFrom('All', 'Same', 'Selector'), fc.constantFrom<unknown>('all', 'None')),
      selector: fc.record({ matchLabels: LABELS }, { requiredKeys: [] }),
    }, { requiredKeys: ['from'] }),
  }),
  tls: fc.record({
    mode: mix<string>(fc.constantFrom('Terminate', 'Passthrough'), fc.constantFrom<unknown>('terminate', '')),
    certificateRefs: fc.array(fc.record({ name: subdomain(), namespace: label() }, { requiredKeys: ['name'] }), { maxLength: 2 }),
  }, { requiredKeys: [] }),
}, { requiredKeys: ['name', 'port', 'protocol'] });

const CERTIFICATE_REFS = fc.array(fc.record({ name: subdomain(), namespace: label() }, { requiredKeys: ['name'] }), { minLength: 1, maxLength: 2 });
const HOSTNAME = fc.oneof(fc.constantFrom('example.com', '*.example.com', 'a.localhost', '1.2.3.4'), fc.constant((t: string) => padTo(t, 253, true)));
/** Listeners that fit together: names unique, one protocol per port. */
const LISTENER = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom<unknown>({ name: 'web', port: 8000, protocol: 'HTTP' }) },
  { weight: 4, arbitrary: fc.record({ name: fc.constant('web-host'), port: fc.constant(8000), protocol: fc.constant('HTTP'), hostname: HOSTNAME }) },
  { weight: 4, arbitrary: fc.record({ name: fc.constant('websecure'), port: fc.constant(8443), protocol: fc.constant('HTTPS'), hostname: HOSTNAME, tls: fc.record({ certificateRefs: CERTIFICATE_REFS }) }, { requiredKeys: ['name', 'port', 'protocol', 'tls'] }) },
  { weight: 2, arbitrary: fc.record({
    name: fc.constant('routes'), port: fc.constant(8000), protocol: fc.constant('HTTP'), hostname: fc.constant('r.example.com'),
    allowedRoutes: fc.oneof(fc.constant({ namespaces: { from: 'All' } }), SOME_LABELS.map(l => ({ namespaces: { from: 'Selector', selector: { matchLabels: l } } }))),
  }) },
  { weight: 1, arbitrary: ANY_LISTENER },
);

function traefik(): ConstructCases {
  return {
    construct: 'Traefik',
    props: fc.record({
      // The chart's `traefik-<namespace>` label value caps the namespace at 55.
      namespace: label(55), createNamespace: fc.boolean(),
      service: fc.record({
        type: mix<string>(fc.constantFrom('ClusterIP', 'NodePort', 'LoadBalancer'), fc.constantFrom<unknown>('nodeport', 'ExternalName')),
        nodePorts: entryPorts(30000, 32767),
      }, { requiredKeys: [] }),
      hostPorts: entryPorts(1, 65535),
      replicas: mix<number>(fc.constantFrom(1, 2, 1000), fc.constantFrom<unknown>(0, 1001, 1.5)),
      autoscaling: fc.oneof(fc.constant(false), fc.record({
        minReplicas: mix<number>(fc.constantFrom(1, 2, 3), fc.constantFrom<unknown>(0, 1.5, -1)),
        maxReplicas: mix<number>(fc.constantFrom(2, 5, 1000), fc.constantFrom<unknown>(1001, 0, 4.5)),
        targetCpuUtilization: mix<number>(fc.constantFrom(1, 70, 100, 150), fc.constantFrom<unknown>(0, 70.5, -5, '70')),
      }, { requiredKeys: [] })),
      podDisruptionBudget: fc.oneof(fc.constant(false), fc.record({ minAvailable: mix<number>(fc.constantFrom(0, 1, 2), fc.constantFrom<unknown>(-1, 1.5, '1')) }, { requiredKeys: [] })),
      topologySpread: fc.record({
        nodes: mix<boolean>(fc.boolean(), fc.constantFrom<unknown>('true')),
        zoneKey: fc.oneof(fc.constant(false), mix<string>(
          fc.constantFrom('topology.kubernetes.io/zone', 'zone', 'example.com/rack', padTo('k', 63), `${padTo('p', 253, true)}/zone`),
          fc.constantFrom<unknown>('', 'Zone Key', 'a/b/c', '/zone', 'example.com/', padTo('k', 64), `${padTo('p', 254, true)}/zone`, true),
        )),
      }, { requiredKeys: [] }),
      resources: RESOURCES,
      providers: fc.record({ kubernetesIngress: fc.boolean(), kubernetesGateway: fc.boolean(), kubernetesIngressNGINX: fc.boolean(), kubernetesCRD: fc.boolean() }, { requiredKeys: [] }),
      ingressClass: fc.oneof(fc.constant(false), fc.record({ name: subdomain(), default: fc.boolean() }, { requiredKeys: [] })),
      redirectToHttps: mix<boolean>(fc.boolean(), fc.constantFrom<unknown>('true', 1)),
      logLevel: mix<string>(fc.constantFrom('TRACE', 'DEBUG', 'INFO', 'WARN', 'ERROR', 'FATAL', 'PANIC'), fc.constantFrom<unknown>('info', 'WARNING')),
      image: fc.record({
        registry: mix<string>(fc.constantFrom('docker.io', 'localhost:5000', 'ghcr.io'), fc.constantFrom<unknown>('Docker.io', 'a/b', '')),
        repository: mix<string>(fc.constantFrom('traefik', 'mirror/traefik'), fc.constantFrom<unknown>('Traefik', '/x')),
        tag: mix<string>(fc.constantFrom('v3.7.11', 'latest', 't'.repeat(128)), fc.constantFrom<unknown>('t'.repeat(129), '', 'a b')),
      }, { requiredKeys: [] }),
      gateway: fc.record({
        name: subdomain(), className: subdomain(),
        listeners: fc.uniqueArray(LISTENER, { minLength: 1, maxLength: 3, selector: l => (l as { name?: unknown }).name }),
      }, { requiredKeys: [] }),
    }, { requiredKeys: [] }).map(p => ((p as any).gateway !== undefined ? { ...p, providers: { ...(p as any).providers, kubernetesGateway: true } } : p)),
    build: (c, p) => new Traefik(c, 't', p),
  };
}

function ingressNginx(): ConstructCases {
  const versions = INGRESS_NGINX_RELEASE_ROWS.map(r => r.version);
  const configKey = mix<string>(fc.constantFrom('worker-processes', 'a.b', '_x', 'A'), fc.constantFrom<unknown>('.', '..', '..x', 'a b', 'a/b', ''));
  return {
    construct: 'IngressNginx',
    props: fc.record({
      // `<instance>-ingress-nginx-controller-admission` caps the instance at 28.
      instance: mix<string>(fc.oneof(fc.constant((t: string) => `i${t}`), fc.constant((t: string) => padTo(`i${t}`, 28)), fc.constant((t: string) => `${t}-ingress-nginx`)),
        fc.constantFrom<Tok<string>>(t => padTo(`i${t}`, 29), t => `I${t}`, '', t => `i${t}-`, t => `1${t}`)),
      version: mix<string>(fc.constantFrom(...versions), fc.constantFrom<unknown>('v1.13.0', '1.13', 'latest')),
      namespace: label(),
      config: dict(configKey, mix<string>(fc.constantFrom('2', '', 'true'), fc.constantFrom<unknown>(2, true, 'x'.repeat(1024 * 1024))), 2),
      resources: RESOURCES,
      replicas: mix<number>(fc.constantFrom(1, 2, 1000), fc.constantFrom<unknown>(0, 1001)),
      serviceType: mix<string>(fc.constantFrom('ClusterIP', 'NodePort', 'LoadBalancer'), fc.constantFrom<unknown>('Nodeport', '')),
      hostPorts: fc.oneof(fc.constant(false), fc.record({ http: PORT, https: PORT }, { requiredKeys: [] })),
      nodeSelector: LABELS,
      tolerations: TOLERATIONS,
      extraArgs: dict(mix<string>(fc.constantFrom('v', 'enable-metrics', 'election-id', 'publish-status-address'), fc.constantFrom<unknown>('--v', 'V', 'ingress-class')),
        mix<string>(fc.constantFrom('', '2', 'a b', 'x=y'), fc.constantFrom<unknown>(2)), 2),
      ingressClass: fc.record({
        name: subdomain(),
        controllerValue: mix<string>(fc.oneof(fc.constantFrom('k8s.io/ingress-nginx', 'example.com/a/b', 'a.b/C_d.e'), fc.constant((t: string) => `example.com/${padTo(t, 238)}`)),
          fc.constantFrom<Tok<string>>('ingress-nginx', 'k8s..io/x', 'K8s.io/x', 'k8s.io/', t => `example.com/${padTo(t, 239)}`, '/x')),
        default: fc.boolean(),
      }, { requiredKeys: [] }),
      watchIngressWithoutClass: fc.boolean(),
      metrics: mix<boolean>(fc.boolean(), fc.constantFrom<unknown>('yes', 1)),
      admissionWebhook: fc.record({ enabled: fc.boolean(), failurePolicy: mix<string>(fc.constantFrom('Fail', 'Ignore'), fc.constantFrom<unknown>('fail')) }, { requiredKeys: [] }),
      terminationGracePeriodSeconds: mix<number>(fc.constantFrom(0, 30, 2 ** 31 - 1), fc.constantFrom<unknown>(-1, 1.5, 2 ** 31)),
      image: fc.record({
        registry: mix<string>(fc.constantFrom('registry.k8s.io', 'localhost:5000/mirror'), fc.constantFrom<unknown>('Registry.k8s.io', '')),
        tag: mix<string>(fc.constantFrom('v1.13.0', 'x'), fc.constantFrom<unknown>('', 'a b')),
        digest: mix<string>(fc.constant(`sha256:${'b'.repeat(64)}`), fc.constantFrom<unknown>(`sha256:${'B'.repeat(64)}`, 'sha256:abc')),
      }, { requiredKeys: [] }),
      labels: LABELS,
    }, { requiredKeys: [] }),
    build: (c, p) => new IngressNginx(c, 'n', p),
  };
}

const CONFIG_PROP = fc.oneof({ weight: 3, arbitrary: CONFIG }, { weight: 1, arbitrary: fc.constantFrom<unknown>(null, 'default', []) });

function sandboxNamespace(): ConstructCases {
  const level = (ok: string[]) => mix<string>(fc.constantFrom(...ok), fc.constantFrom<unknown>('Baseline', 'restricted', ''));
  return {
    construct: 'SandboxNamespace',
    props: fc.record({ config: CONFIG_PROP, enforce: level(['privileged', 'baseline']), warn: level(['privileged', 'baseline', 'restricted']) }, { requiredKeys: [] }),
    build: (c, p) => new SandboxNamespace(c, 's', p),
  };
}

function openHandsServiceAccount(): ConstructCases {
  return {
    construct: 'OpenHandsServiceAccount',
    props: fc.record({
      config: CONFIG_PROP, name: subdomain(), namespace: label(), roleName: subdomain(),
      routeKind: mix<string>(fc.constantFrom('Ingress', 'HTTPRoute'), fc.constantFrom<unknown>('ingress', 'Gateway')),
    }, { requiredKeys: [] }),
    build: (c, p) => new OpenHandsServiceAccount(c, 'o', p),
  };
}

function sandboxQuota(): ConstructCases {
  const hardKey = mix<string>(fc.constantFrom('pods', 'requests.cpu', 'requests.memory', 'limits.memory', 'persistentvolumeclaims', 'requests.storage'),
    fc.constantFrom<unknown>('cpu', 'limits.cpu', 'Pods'));
  return {
    construct: 'SandboxQuota',
    props: fc.record({
      config: CONFIG_PROP,
      maxSessions: mix<number>(fc.constantFrom(1, 3, 100, 100_000), fc.constantFrom<unknown>(0, -1, 1.5, 100_001)),
      hard: dict(hardKey, QUANTITY, 2),
      name: subdomain(),
    }, { requiredKeys: [] }),
    build: (c, p) => new SandboxQuota(c, 'q', p),
  };
}

function sandboxNetworkPolicies(): ConstructCases {
  const peer = fc.record({ namespace: label(), podSelector: LABELS }, { requiredKeys: ['namespace'] });
  const cidr = mix<string>(fc.constantFrom('10.0.0.0/8', '10.96.0.0/12', '192.168.1.0/24', '1.2.3.4/32', 'fc00::/7', '2001:db8::/32', '::1/128'),
    fc.constantFrom<unknown>('0.0.0.0/0', '10.0.0.1/8', '010.0.0.0/8', '10.0.0.0', '::ffff:10.0.0.0/104', 'FC00::/7', '10.0.0.0/33', ''));
  return {
    construct: 'SandboxNetworkPolicies',
    props: fc.record({
      config: CONFIG_PROP, controllerNamespace: label(), appPorts: APP_PORTS, server: peer, dns: peer,
      privateCidrs: fc.array(cidr, { maxLength: 3 }), clusterCidrs: fc.array(cidr, { maxLength: 2 }),
      namePrefix: mix<string>(fc.oneof(fc.constant((t: string) => `n${t}`), fc.constantFrom(199, 200).map(n => (t: string) => padTo(`n${t}`, n, true))),
        fc.constantFrom<Tok<string>>('', 'N', t => `n${t}-`, t => `n${t}.`, t => padTo(`n${t}`, 201, true))),
    }, { requiredKeys: [] }),
    build: (c, p) => new SandboxNetworkPolicies(c, 'p', p),
  };
}

const DURATION = mix<string>(fc.constantFrom('0', '30s', '5m', '1h30m', '1y', '100ms', '1d2h'), fc.constantFrom<unknown>('', '5', '5M', '1m1h', '-1m', '1.5m', 5));
const RATIO = mix<number>(fc.constantFrom(1, 0.5, 1e-9, 0.999999), fc.constantFrom<unknown>(0, 1.01, -1, Number.NaN, '0.5'));
const IDS = ['cpu', 'memory', 'storage', 'podReadiness', 'responseTime', 'successRate'] as const;

function indicatorProps() {
  return {
    ingressController: mix<string>(fc.constantFrom('ingress-nginx', 'traefik'), fc.constantFrom<unknown>('nginx', 'Traefik')),
    controllerNamespace: label(),
    sandboxNamespace: label(),
    thresholds: fc.record(Object.fromEntries(IDS.map(id => [id, id === 'responseTime' ? mix<number>(fc.constantFrom(5, 0.001, 1e6), fc.constantFrom<unknown>(0, -1)) : RATIO])), { requiredKeys: [] }),
    for: fc.record(Object.fromEntries(IDS.map(id => [id, DURATION])), { requiredKeys: [] }),
    rateWindow: DURATION,
  };
}

function monitoring(): ConstructCases[] {
  return [
    {
      construct: 'OpenHandsAlerts',
      props: fc.record({ name: subdomain(), namespace: label(), labels: LABELS, ...indicatorProps() }, { requiredKeys: [] }),
      build: (c, p) => new OpenHandsAlerts(c, 'a', p),
    },
    {
      construct: 'GrafanaDashboard',
      props: fc.record({
        name: subdomain(), namespace: label(), sidecarLabels: SOME_LABELS,
        uid: mix<string>(fc.constantFrom('openhands', 'A_b-1', 'x'.repeat(40)), fc.constantFrom<unknown>('x'.repeat(41), '', 'a b')),
        title: mix<string>(fc.constantFrom('OpenHands', 'é "x"', 'x'.repeat(1000)), fc.constantFrom<unknown>('', ' ', 3, 'x'.repeat(1001), '\u0000'.repeat(200_000))),
        ...indicatorProps(),
      }, { requiredKeys: [] }),
      build: (c, p) => new GrafanaDashboard(c, 'd', p),
    },
    {
      construct: 'IngressMetricsMonitor',
      props: fc.record({
        controller: mix<string>(fc.constantFrom('ingress-nginx', 'traefik'), fc.constantFrom<unknown>('nginx')),
        name: subdomain(), namespace: label(), labels: LABELS, targetSelector: SOME_LABELS,
        port: mix<string>(fc.constantFrom('metrics', 'prom', 'abcdefghijklmno'), fc.constantFrom<unknown>('abcdefghijklmnop', 'Metrics', '9100', '')),
        interval: DURATION,
      }, { requiredKeys: [] }),
      build: (c, p) => new IngressMetricsMonitor(c, 'i', p),
    },
  ];
}

/** The two CRD bundles have one boolean prop each: every value once, and a few that are no boolean. */
function crdBundles(): ConstructCases[] {
  const flag = fc.constantFrom<unknown>(undefined, true, false, 'false', 0, null);
  return [
    { construct: 'GatewayApiCrds', props: flag.map(v => (v === undefined ? {} : { safeUpgrades: v })), build: (c, p) => new GatewayApiCrds(c, 'g', p) },
    { construct: 'TraefikCrds', props: flag.map(v => (v === undefined ? {} : { hub: v })), build: (c, p) => new TraefikCrds(c, 'c', p) },
  ];
}

/** A key of a Secret: its name (a DNS subdomain) and key (a config-map key), or a near miss. */
const SECRET_KEY_REF = fc.record({
  name: subdomain(),
  key: mix<string>(fc.constantFrom('api-key', 'key', 'a.b', 'A_b-1'), fc.constantFrom<unknown>('', 'a/b', 'a b', '..')),
});

function openHandsServer(): ConstructCases {
  return {
    construct: 'OpenHandsServer',
    props: fc.record({
      config: CONFIG, namespace: label(), createNamespace: fc.boolean(), name: label(), image: IMAGE, runtimeImage: IMAGE,
      serviceAccount: subdomain(),
      replicas: mix<number>(fc.constantFrom(0, 1), fc.constantFrom<unknown>(2, -1, 1.5)),
      strategy: mix<string>(fc.constantFrom('RollingUpdate', 'Recreate'), fc.constantFrom<unknown>('rolling', '')),
      resources: RESOURCES,
      storage: fc.record({ size: QUANTITY, storageClass: subdomain() }, { requiredKeys: [] }),
      llmApiKey: SECRET_KEY_REF,
      secretEnv: fc.dictionary(mix<string>(fc.constantFrom('GITHUB_TOKEN', 'LLM_BASE_URL', 'A_1'), fc.constantFrom<unknown>('1A', 'a b', '')), SECRET_KEY_REF, { maxKeys: 2 }),
      env: ENV,
    }, { requiredKeys: [] }).chain(base => fc.oneof(
      fc.constant(base),
      fc.constant({ ...base, route: false }),
      // host and ingressClassName only with a route to use them (without one they are refused by design).
      fc.record({ host: ROUTE_DOMAIN, ingressClassName: subdomain() }, { requiredKeys: [] }).map(r => ({ ...base, route: { kind: 'Ingress' }, ...r })),
    )),
    build: (c, p) => new OpenHandsServer(c, 's', p),
  };
}

/** A redirect host, relative to the listener's domain: under it, the domain itself, outside it, or no hostname at all. */
const REDIRECT_HOST = mix<string>(
  fc.constantFrom<Tok<string>>((t: string) => `*.d${t}.example.com`, (t: string) => `a.d${t}.example.com`, (t: string) => `b-1.d${t}.example.com`,
    (t: string) => `d${t}.example.com`, 'other.example.org', '1.2.3.4'),
  fc.constantFrom<Tok<unknown>>((t: string) => `A.d${t}.example.com`, '', '*', (t: string) => `a..d${t}.example.com`, (t: string) => padTo(`*.d${t}.example.com`, 254, true), 42),
);

/**
 * HttpsRedirect on its own Traefik (only the Gateway provider; `web` plain HTTP with a hostname chosen relative to
 * the case's domain and an admission, maybe `websecure`), the redirect's gateway being that handle.
 */
function httpsRedirect(): ConstructCases {
  return {
    construct: 'HttpsRedirect+Traefik',
    props: fc.record({
      namespace: label(55),
      webHost: fc.constantFrom('absent', 'absent', 'wildcard', 'wildcard', 'exact'),
      admission: fc.constantFrom('absent', 'Same', 'Same', 'All', 'All', 'other'), https: fc.boolean(),
      redirect: fc.record({
        gateway: mix<string>(fc.constant(TRAEFIK_HANDLE), fc.constantFrom<unknown>('traefik', {}, null)),
        listener: mix<string>(fc.constant('web'), fc.oneof(fc.constantFrom('websecure', 'missing'), SECTION_NAME)),
        hostnames: fc.oneof(
          { weight: 6, arbitrary: fc.array(REDIRECT_HOST, { minLength: 1, maxLength: 3 }) },
          { weight: 1, arbitrary: fc.constantFrom<unknown>([], (t: string) => Array.from({ length: 17 }, (_, i) => `h${i}.d${t}.example.com`)) },
        ),
        statusCode: mix<number>(fc.constantFrom(301, 302, 303, 307, 308), fc.constantFrom<unknown>(300, 200, '301', 301.5)),
        name: subdomain(),
      }, { requiredKeys: ['gateway', 'listener'] }),
    }).map(g => (t: string) => {
      const namespace = realize(g.namespace, t);
      const hostname = { absent: undefined, wildcard: `*.d${t}.example.com`, exact: `d${t}.example.com` }[g.webHost];
      const admits = allowedRoutes(g.admission === 'other' ? 'other-name' : g.admission, namespace);
      const traefik = {
        namespace, createNamespace: true, ingressClass: false, service: { type: 'ClusterIP' },
        providers: { kubernetesGateway: true, kubernetesIngress: false, kubernetesCRD: false },
        gateway: {
          name: `g${t}`, className: `gc${t}`,
          listeners: [
            { name: 'web', port: 8000, protocol: 'HTTP', ...(hostname ? { hostname } : {}), ...(admits ? { allowedRoutes: admits } : {}) },
            ...(g.https ? [{ name: 'websecure', port: 8443, protocol: 'HTTPS', tls: { certificateRefs: [{ name: 'cert' }] } }] : []),
          ],
        },
      };
      return { traefik, redirect: realize(g.redirect, t) };
    }),
    build: (c, p) => {
      const handle = new Traefik(c, 't', p.traefik);
      new HttpsRedirect(c, 'r', { ...p.redirect, gateway: p.redirect.gateway === TRAEFIK_HANDLE ? handle : p.redirect.gateway });
    },
  };
}

/** Every construct exported from index.ts that renders Kubernetes objects, with its prop generator. */
export function constructCases(): ConstructCases[] {
  return [
    ubuntuDevWorkload(), mirrordRbac(), sandboxRuntime(), sandboxRuntimeFromToml(), sandboxFleet(), traefik(), ingressNginx(), sandboxNamespace(),
    openHandsServiceAccount(), sandboxQuota(), sandboxNetworkPolicies(), ...monitoring(), ...crdBundles(),
    // Last, so the seeds (seed + position) of the constructs before them stay what they were.
    sandboxRuntimeWithRoute(), sandboxFleetWithRoute(), openHandsServer(), httpsRedirect(),
  ];
}

/**
 * `runs` prop sets per construct, the same for the same seed (the CRD bundles' few distinct ones only), each
 * case with its own token.
 */
export function generateCases(seed: number, runs: number): (Case & { token: string })[] {
  const out: (Case & { token: string })[] = [];
  constructCases().forEach((c, i) => {
    const seen = new Set<string>();
    for (const props of fc.sample(c.props, { seed: seed + i, numRuns: runs })) {
      const token = `c${out.length.toString(36)}`;
      const realized = realize(props, token);
      // Without a token in them, the CRD bundles' props repeat: keep each distinct set once.
      const key = JSON.stringify(realized) ?? 'undefined';
      if (c.construct.endsWith('Crds') && seen.has(key)) continue;
      seen.add(key);
      out.push({ construct: c.construct, props: realized, build: c.build, token });
    }
  });
  return out;
}
