import { Construct } from 'constructs';
import {
  IntOrString, KubeClusterRole, KubeClusterRoleBinding, KubeConfigMap, KubeDeployment, KubeIngressClass, KubeJob,
  KubeNamespace, KubePodDisruptionBudget, KubeRole, KubeRoleBinding, KubeService, KubeServiceAccount,
  KubeValidatingWebhookConfiguration,
} from '../../imports/k8s';
import { HostTraffic } from '../../src/host-traffic';
import { clusterScoped } from '../../src/cluster-scoped';
import { OrderedObjects } from '../../src/ordered-objects';
import { ResolvedProps, isBoolean, propSpec, resolveProps } from '../../src/props';
import { RbacRule, toPolicyRules } from '../../src/rbac';
import { checkResources, toKubeResources } from '../../src/resources';
import { Resources, Toleration } from '../../src/types';
import { DIGEST, Problems, isDns1035Label, isDnsSubdomain, isPlainObject, show } from '../../src/validation';
import {
  ADMISSION_CLUSTER_ROLE_RULES, ADMISSION_ROLE_RULES, CONTROLLER_CLUSTER_ROLE_RULES, controllerRoleRules,
} from './ingress-nginx-rbac-rules';
import {
  INGRESS_NGINX_LATEST, INGRESS_NGINX_RELEASES, INGRESS_NGINX_RELEASE_ROWS, IngressNginxRelease, IngressNginxServiceType,
  IngressNginxVersion,
} from './ingress-nginx-releases';

/** Host ports the controller binds on its node (how KIND's `extraPortMappings` reach it). */
export interface IngressNginxHostPorts {
  /** Host port for HTTP. @default 80 */
  readonly http?: number;
  /** Host port for HTTPS. @default 443 */
  readonly https?: number;
}

/** The IngressClass the controller serves. */
export interface IngressNginxClassProps {
  /** Name of the IngressClass, and the controller's `--ingress-class`. @default 'nginx' */
  readonly name?: string;
  /** `spec.controller` of the IngressClass, and the controller's `--controller-class`. @default 'k8s.io/ingress-nginx' */
  readonly controllerValue?: string;
  /** Mark the class as the cluster default (`ingressclass.kubernetes.io/is-default-class: "true"`). @default false */
  readonly default?: boolean;
}

/** The validating admission webhook that checks Ingress objects before they are stored. */
export interface IngressNginxAdmissionWebhookProps {
  /** Render the webhook, its certificate Jobs, their RBAC and the admission Service. @default true */
  readonly enabled?: boolean;
  /** What the API server does when the webhook cannot be reached. @default 'Fail' */
  readonly failurePolicy?: 'Fail' | 'Ignore';
}

/** Overrides for the images. */
export interface IngressNginxImageProps {
  /** Registry host (and path) for both the controller and certgen images. @default 'registry.k8s.io' */
  readonly registry?: string;
  /** Controller image tag. @default - the release's tag */
  readonly tag?: string;
  /** Controller image digest, `sha256:<64 hex>`. @default - the release's digest when the tag is the release's, else none */
  readonly digest?: string;
}

export interface IngressNginxProps {
  /**
   * The instance (the Helm release name): it prefixes every object name (`<instance>-ingress-nginx`, as the chart's
   * fullname does, unless it already contains "ingress-nginx"), the election id, the controller class
   * (`k8s.io/<fullname>`), the IngressClass (`<instance>-nginx`) and the default namespace, so several
   * controllers can run side by side. Two instances with one name in an app are refused.
   * @default 'ingress-nginx' (upstream's names)
   */
  readonly instance?: string;
  /** Controller release, from `INGRESS_NGINX_RELEASES`. @default - the newest release in the table (`INGRESS_NGINX_LATEST`) */
  readonly version?: IngressNginxVersion;
  /** Namespace the bundle creates and lives in. @default - the instance's full name: 'ingress-nginx' for the default instance */
  readonly namespace?: string;
  /** Data of the controller ConfigMap (`ingress-nginx-controller`), e.g. `{ 'worker-processes': '2' }`. @default - no data */
  readonly config?: Readonly<Record<string, string>>;
  /**
   * Controller resources. `requests` and `limits` each replace their default as a whole.
   * @default - requests cpu 100m, memory 90Mi; no limits
   */
  readonly resources?: Resources;
  /** Controller replicas; above 1 also renders a PodDisruptionBudget with minAvailable 1. @default - unset (1) */
  readonly replicas?: number;
  /** Type of the controller Service. @default - the release's kind default: NodePort before 1.13.0, LoadBalancer after */
  readonly serviceType?: IngressNginxServiceType;
  /** Host ports for HTTP and HTTPS, or `false` to bind none. @default { http: 80, https: 443 } */
  readonly hostPorts?: IngressNginxHostPorts | false;
  /**
   * Controller node selector; replaces the default as a whole.
   * @default - `kubernetes.io/os: linux`, plus `ingress-ready: "true"` before 1.13.0
   */
  readonly nodeSelector?: Readonly<Record<string, string>>;
  /**
   * Controller tolerations; replace the default as a whole.
   * @default - NoSchedule on `node-role.kubernetes.io/master` and `node-role.kubernetes.io/control-plane`
   */
  readonly tolerations?: readonly Toleration[];
  /**
   * Extra controller flags, rendered `--key=value` (or `--key` for an empty value) in key order after the built-in ones.
   * A key that names a built-in flag replaces its value; flags owned by a typed prop (ingress class, configmap,
   * webhook, watch-ingress-without-class, enable-metrics) are refused.
   * @default - none
   */
  readonly extraArgs?: Readonly<Record<string, string>>;
  /** The IngressClass. @default - `nginx`, controller `k8s.io/ingress-nginx`, not the default class */
  readonly ingressClass?: IngressNginxClassProps;
  /** Serve Ingress objects that name no class (`--watch-ingress-without-class=true`). @default true */
  readonly watchIngressWithoutClass?: boolean;
  /** The admission webhook. @default - enabled, failurePolicy Fail */
  readonly admissionWebhook?: IngressNginxAdmissionWebhookProps;
  /**
   * Serve Prometheus metrics, as the chart's `controller.metrics.enabled=true` renders it: `--enable-metrics=true`,
   * the container port `metrics` (10254) and a ClusterIP Service `<controller>-metrics` for a ServiceMonitor
   * (`IngressMetricsMonitor`) to scrape.
   * @default false (upstream's kind manifest: no metrics)
   */
  readonly metrics?: boolean;
  /** Controller pod grace period on shutdown. @default 0 */
  readonly terminationGracePeriodSeconds?: number;
  /** Image overrides. @default - the release's images from registry.k8s.io */
  readonly image?: IngressNginxImageProps;
  /** Extra labels on every object and pod template (not on selectors). @default - none */
  readonly labels?: Readonly<Record<string, string>>;
}

/** The kind manifest's values; defaults that depend on the release (Service type, node selector) are in the release table. */
const PROPS = propSpec<IngressNginxProps>()('IngressNginx', {
  // The longest name derived from the instance, the admission Service's `<fullname>-controller-admission`, must stay
  // a DNS-1035 label (Service names start with a letter).
  instance: {
    default: 'ingress-nginx',
    check: (p, f, v) => p.check(isDns1035Label(v) && instanceNames(v).controller.length + '-admission'.length <= 63, f, v,
      'a DNS-1035 label (a-z, 0-9 and "-", starting with a letter) short enough that "<instance>-ingress-nginx-controller-admission" fits in 63 characters'),
  },
  version: { default: INGRESS_NGINX_LATEST, check: (p, _f, v) => resolveRelease(p, v) !== undefined },
  namespace: {},
  config: { default: {}, check: checkConfig },
  resources: {},
  replicas: { check: (p, f, v) => p.positiveInt(f, v, 1000) },
  serviceType: {},
  hostPorts: { default: { http: 80, https: 443 }, check: checkHostPorts },
  nodeSelector: {},
  tolerations: {
    default: [
      { effect: 'NoSchedule', key: 'node-role.kubernetes.io/master', operator: 'Equal' },
      { effect: 'NoSchedule', key: 'node-role.kubernetes.io/control-plane', operator: 'Equal' },
    ],
    check: (p, f, v) => (Array.isArray(v) ? v.forEach((t, i) => p.toleration(`${f}[${i}]`, t)) : p.add(f, v, 'a list of tolerations')),
  },
  extraArgs: { default: {}, check: checkExtraArgs },
  ingressClass: {},
  watchIngressWithoutClass: { default: true, check: isBoolean },
  admissionWebhook: { check: checkAdmissionWebhook },
  metrics: { default: false, check: isBoolean },
  terminationGracePeriodSeconds: { default: 0, check: (p, f, v) => p.nonNegativeInt(f, v) },
  image: {},
  labels: { default: {}, check: checkLabels },
});
const DEFAULT_REQUESTS = { cpu: '100m', memory: '90Mi' };
const ADMISSION_WEBHOOK_DEFAULTS: Required<IngressNginxAdmissionWebhookProps> = { enabled: true, failurePolicy: 'Fail' };
const DEFAULT_REGISTRY = 'registry.k8s.io';

/** Flags whose value a typed prop owns: extraArgs may not set them. */
const FLAGS_OWNED_BY_PROPS: Readonly<Record<string, string>> = {
  'controller-class': 'ingressClass.controllerValue',
  'ingress-class': 'ingressClass.name',
  'configmap': 'config',
  'validating-webhook': 'admissionWebhook',
  'validating-webhook-certificate': 'admissionWebhook',
  'validating-webhook-key': 'admissionWebhook',
  'watch-ingress-without-class': 'watchIngressWithoutClass',
  'enable-metrics': 'metrics',
};
/** The chart's name: `app.kubernetes.io/name`, and the suffix of the full name. */
const NAME = 'ingress-nginx';
/** The chart's `controller.metrics.port` and `portName`; the controller also answers `/healthz` on this port. */
const METRICS_PORT = { name: 'metrics', port: 10254 } as const;
/** The order upstream's manifest lists the bundle's objects in. */
const KIND_ORDER = ['Namespace', 'ServiceAccount', 'Role', 'ClusterRole', 'RoleBinding', 'ClusterRoleBinding', 'ConfigMap',
  'Service', 'Deployment', 'PodDisruptionBudget', 'Job', 'IngressClass', 'ValidatingWebhookConfiguration'];

/** The names one instance's objects take, as the Helm chart derives them from its release name. */
interface InstanceNames {
  readonly instance: string;
  /** The chart's fullname: ServiceAccount, Roles, bindings. */
  readonly full: string;
  readonly controller: string;
  readonly admission: string;
  readonly electionId: string;
}

function instanceNames(instance: string): InstanceNames {
  const full = instance.includes(NAME) ? instance : `${instance}-${NAME}`;
  return { instance, full, controller: `${full}-controller`, admission: `${full}-admission`, electionId: `${full}-leader` };
}

/** Every prop with its default applied. */
interface Resolved {
  readonly names: InstanceNames;
  readonly release: IngressNginxRelease;
  readonly namespace: string;
  readonly config: Readonly<Record<string, string>>;
  readonly resources: Resources;
  readonly replicas?: number;
  readonly serviceType: IngressNginxServiceType;
  readonly hostPorts: IngressNginxHostPorts;
  readonly nodeSelector: Readonly<Record<string, string>>;
  readonly tolerations: readonly Toleration[];
  readonly extraArgs: Readonly<Record<string, string>>;
  readonly ingressClass: Required<IngressNginxClassProps>;
  readonly watchIngressWithoutClass: boolean;
  readonly webhook: Required<IngressNginxAdmissionWebhookProps>;
  readonly metrics: boolean;
  readonly terminationGracePeriodSeconds: number;
  readonly controllerImage: string;
  readonly certgenImage: string;
  readonly labels: Readonly<Record<string, string>>;
}

/** The props that follow from the release and the instance, checked once they are known. */
function resolve(p: Problems, v: ResolvedProps<typeof PROPS>): Resolved {
  const release = typeof v.version === 'string' && Object.hasOwn(INGRESS_NGINX_RELEASES, v.version) ? INGRESS_NGINX_RELEASES[v.version] : undefined;
  const names = instanceNames(typeof v.instance === 'string' ? v.instance : PROPS.rows.instance.default);
  const namespace = v.namespace ?? names.full;
  p.dnsLabel('namespace', namespace);
  const resources = { requests: v.resources?.requests ?? DEFAULT_REQUESTS, limits: v.resources?.limits };
  checkResources(p, 'resources', resources);
  const serviceType = v.serviceType ?? release?.serviceType ?? 'LoadBalancer';
  p.oneOf('serviceType', serviceType, ['ClusterIP', 'NodePort', 'LoadBalancer'] as const);
  const nodeSelector = v.nodeSelector
    ?? { 'kubernetes.io/os': 'linux', ...(release?.ingressReadyNodeSelector ? { 'ingress-ready': 'true' } : {}) };
  p.labels('nodeSelector', nodeSelector);
  const ingressClass = resolveIngressClass(p, v.ingressClass ?? {}, names);
  const images = resolveImages(p, v.image ?? {}, release);
  p.throwIfAny();
  const hostPorts = v.hostPorts === false ? {} : { ...PROPS.rows.hostPorts.default, ...v.hostPorts };
  const webhook = { ...ADMISSION_WEBHOOK_DEFAULTS, ...v.admissionWebhook };
  return {
    ...v, ...images, names, namespace, release: release as IngressNginxRelease, resources, serviceType, hostPorts, nodeSelector, ingressClass, webhook,
  };
}

function resolveRelease(p: Problems, version: unknown): IngressNginxRelease | undefined {
  // Own keys only: a version such as "constructor" must not find Object's prototype.
  if (typeof version === 'string' && Object.prototype.hasOwnProperty.call(INGRESS_NGINX_RELEASES, version)) {
    return INGRESS_NGINX_RELEASES[version as IngressNginxVersion];
  }
  p.add('version', version, `a release in the table: ${INGRESS_NGINX_RELEASE_ROWS.map(x => show(x.version)).join(', ')}`);
  return undefined;
}

/** The API server refuses a ConfigMap whose keys and values together exceed 1 MiB. */
const MAX_CONFIG_MAP_BYTES = 1024 * 1024;

function checkConfig(p: Problems, _field: string, config: unknown): void {
  if (!isPlainObject(config)) {
    p.add('config', config, 'an object of ConfigMap keys to string values');
    return;
  }
  const bytes = Object.entries(config).reduce((n, [k, v]) => n + Buffer.byteLength(k) + (typeof v === 'string' ? Buffer.byteLength(v) : 0), 0);
  if (bytes > MAX_CONFIG_MAP_BYTES) p.addRaw(`config must hold at most ${MAX_CONFIG_MAP_BYTES} bytes of keys and values (a ConfigMap's limit), got ${bytes}`);
  for (const [k, v] of Object.entries(config)) {
    // As the API server checks ConfigMap keys: they become file names when the ConfigMap is mounted.
    p.check(/^[-._a-zA-Z0-9]+$/.test(k) && k.length <= 253 && k !== '.' && !k.startsWith('..'), `config key ${show(k)}`, k,
      'a ConfigMap key (at most 253 letters, digits, "-", "_", "."; not "." and not starting with "..")');
    p.check(typeof v === 'string', `config[${show(k)}]`, v, 'a string (ConfigMap values are strings: quote numbers, e.g. "2")');
  }
}

function checkHostPorts(p: Problems, field: string, given: IngressNginxHostPorts | false): void {
  if (given === false) return;
  if (!isPlainObject(given)) {
    p.add(field, given, 'an object { http, https } or false');
    return;
  }
  const hostPorts = { ...PROPS.rows.hostPorts.default, ...given };
  for (const [k, v] of Object.entries(hostPorts)) if (k !== 'http' && k !== 'https') p.add(`hostPorts.${k}`, v, 'absent (only http and https)');
  const okHttp = p.port('hostPorts.http', hostPorts.http);
  const okHttps = p.port('hostPorts.https', hostPorts.https);
  if (okHttp && okHttps && hostPorts.http === hostPorts.https) p.add('hostPorts.https', hostPorts.https, `different from hostPorts.http (${hostPorts.http})`);
}

function checkAdmissionWebhook(p: Problems, _field: string, given: IngressNginxAdmissionWebhookProps): void {
  const webhook = { ...ADMISSION_WEBHOOK_DEFAULTS, ...given };
  p.check(typeof webhook.enabled === 'boolean', 'admissionWebhook.enabled', webhook.enabled, 'true or false');
  p.oneOf('admissionWebhook.failurePolicy', webhook.failurePolicy, ['Fail', 'Ignore']);
}

function checkExtraArgs(p: Problems, _field: string, extraArgs: unknown): void {
  if (!isPlainObject(extraArgs)) {
    p.add('extraArgs', extraArgs, 'an object of flag names (without "--") to string values');
    return;
  }
  for (const [k, v] of Object.entries(extraArgs)) {
    if (Object.hasOwn(FLAGS_OWNED_BY_PROPS, k)) p.add(`extraArgs[${show(k)}]`, v, `absent: --${k} is set by the ${FLAGS_OWNED_BY_PROPS[k]} prop`);
    else p.check(/^[a-z0-9][a-z0-9-]*$/.test(k), `extraArgs key ${show(k)}`, k, 'a flag name without leading dashes (a-z, 0-9, "-")');
    p.check(typeof v === 'string', `extraArgs[${show(k)}]`, v, 'a string ("" renders a bare --flag)');
  }
}

/** Upstream's instance serves class `nginx` as `k8s.io/ingress-nginx`; another instance prefixes both. */
function resolveIngressClass(p: Problems, given: IngressNginxClassProps, names: InstanceNames): Required<IngressNginxClassProps> {
  const upstream = names.instance === PROPS.rows.instance.default;
  const c = {
    name: upstream ? 'nginx' : `${names.instance}-nginx`,
    controllerValue: `k8s.io/${names.full}`,
    default: false,
    ...given,
  };
  p.dnsSubdomain('ingressClass.name', c.name);
  p.check(isControllerValue(c.controllerValue), 'ingressClass.controllerValue', c.controllerValue,
    'a domain-prefixed path of at most 250 characters such as "k8s.io/ingress-nginx" (a DNS subdomain, "/", then a-z, A-Z, 0-9, "-", "_", ".", "/")');
  p.check(typeof c.default === 'boolean', 'ingressClass.default', c.default, 'true or false');
  return c;
}

/** An IngressClass `spec.controller`, as the API server checks it: a domain-prefixed path of at most 250 characters. */
function isControllerValue(v: unknown): v is string {
  if (typeof v !== 'string' || v.length > 250) return false;
  const slash = v.indexOf('/');
  return slash > 0 && isDnsSubdomain(v.slice(0, slash)) && /^[-A-Za-z0-9_./]+$/.test(v.slice(slash + 1));
}

/** The controller image (the release's digest kept only with the release's tag) and the certgen image. */
function resolveImages(p: Problems, img: IngressNginxImageProps, release?: IngressNginxRelease): { controllerImage: string; certgenImage: string } {
  const registry = img.registry ?? DEFAULT_REGISTRY;
  p.check(typeof registry === 'string' && /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?(:\d{1,5})?(\/[a-z0-9]+([._-][a-z0-9]+)*)*$/.test(registry),
    'image.registry', registry, 'a registry host with optional port and path, e.g. "registry.k8s.io" or "localhost:5000/mirror"');
  if (img.tag !== undefined) p.check(typeof img.tag === 'string' && /^[\w][\w.-]{0,127}$/.test(img.tag), 'image.tag', img.tag, 'an image tag (letters, digits, "_", ".", "-"; at most 128)');
  if (img.digest !== undefined) p.check(typeof img.digest === 'string' && DIGEST.test(img.digest), 'image.digest', img.digest, 'a digest "sha256:" followed by 64 lowercase hex digits');
  const tag = img.tag ?? release?.controller.tag;
  const digest = img.digest ?? (img.tag === undefined || img.tag === release?.controller.tag ? release?.controller.digest : undefined);
  return {
    controllerImage: `${registry}/ingress-nginx/controller:${tag}${digest ? `@${digest}` : ''}`,
    certgenImage: `${registry}/ingress-nginx/kube-webhook-certgen:${release?.certgen.tag}@${release?.certgen.digest}`,
  };
}

function checkLabels(p: Problems, _field: string, labels: unknown): void {
  if (!p.labels('labels', labels)) return;
  for (const k of Object.keys(labels as object)) {
    if (k.startsWith('app.kubernetes.io/')) p.add(`labels key ${show(k)}`, k, 'a key outside app.kubernetes.io/ (those labels are managed and used by selectors)');
  }
}

/**
 * The ingress-nginx controller bundle for KIND: the 19 objects of upstream's kind provider manifest
 * (`deploy/static/provider/kind/deploy.yaml`) for a release in the table, with the Helm chart's knobs as typed props.
 */
export class IngressNginx extends Construct {
  /** The release rendered. */
  public readonly release: IngressNginxRelease;
  /** The namespace the bundle lives in. */
  public readonly namespace: string;
  /** The controller Deployment (`ingress-nginx-controller`). */
  public readonly deployment: KubeDeployment;
  /** The controller Service (`ingress-nginx-controller`). */
  public readonly service: KubeService;
  /** The IngressClass object. */
  public readonly ingressClass: KubeIngressClass;
  /** Name of the IngressClass, for `spec.ingressClassName` of Ingresses this controller should serve. */
  public readonly ingressClassName: string;
  /** Whether it also serves Ingresses without a class (`--watch-ingress-without-class`), as OpenHands' sessions are. */
  public readonly watchesIngressWithoutClass: boolean;
  /** The controller class it claims (`--controller-class`, the IngressClass's `spec.controller`). */
  public readonly controllerClass: string;
  /** The instance (release) name its object names derive from. */
  public readonly instance: string;
  /** Host ports the controller binds (empty when `hostPorts: false`). */
  public readonly hostPorts: IngressNginxHostPorts;
  /** Controller replicas (1 when not set). */
  public readonly replicas: number;
  /** The controller pods' node selector. */
  public readonly nodeSelector: Readonly<Record<string, string>>;
  /** The controller pods' tolerations. */
  public readonly tolerations: readonly Toleration[];
  /** How host traffic reaches the controller: its host ports (the Service's node ports are the API server's pick). */
  public readonly hostTraffic: HostTraffic;
  /** The admission webhook Service, when the webhook is enabled. */
  public readonly admissionService?: KubeService;
  /** The PodDisruptionBudget, when replicas > 1. */
  public readonly podDisruptionBudget?: KubePodDisruptionBudget;
  /** The metrics Service (`<controller>-metrics`, port `metrics`), when `metrics` is on. */
  public readonly metricsService?: KubeService;
  /**
   * The labels the controller pods are selected by; its controller, admission and metrics Services carry them too
   * (the chart's ServiceMonitor selects the metrics Service by them).
   */
  public readonly controllerSelector: Readonly<Record<string, string>>;

  private readonly objects = new OrderedObjects(KIND_ORDER);

  constructor(scope: Construct, id: string, props: IngressNginxProps = {}) {
    super(scope, id);
    const r = resolveProps(this, props, PROPS, resolve);
    this.release = r.release;
    this.namespace = r.namespace;
    this.hostPorts = r.hostPorts;
    this.replicas = r.replicas ?? 1;
    this.nodeSelector = r.nodeSelector;
    this.tolerations = r.tolerations;
    this.hostTraffic = { nodePorts: {}, hostPorts: { ...r.hostPorts }, pods: { replicas: this.replicas, nodeSelector: r.nodeSelector, tolerations: r.tolerations } };
    this.ingressClassName = r.ingressClass.name;
    this.watchesIngressWithoutClass = r.watchIngressWithoutClass;
    this.controllerClass = r.ingressClass.controllerValue;
    this.instance = r.names.instance;
    // Two controllers claiming one class would both serve (and fight over the status of) the same Ingresses.
    this.node.addValidation({ validate: () => this.node.root.node.findAll()
      .filter((c): c is IngressNginx => c instanceof IngressNginx && c !== this && c.controllerClass === this.controllerClass)
      .filter(other => other.node.path < this.node.path)
      .map(other => `IngressNginx '${this.node.id}' (${this.node.path}): ingressClass.controllerValue must differ from that of ${other.node.path}, got ${show(this.controllerClass)} (set a different instance)`) });

    this.renderNamespace(r);
    const controller = this.renderController(r);
    const admissionService = r.webhook.enabled ? this.renderAdmissionWebhook(r) : undefined;
    const metricsService = r.metrics ? this.renderMetricsService(r) : undefined;
    const ingressClass = this.renderIngressClass(r);
    this.objects.emit();
    this.deployment = controller.deployment();
    this.service = controller.service();
    this.podDisruptionBudget = controller.podDisruptionBudget?.();
    this.admissionService = admissionService?.();
    this.metricsService = metricsService?.();
    this.ingressClass = ingressClass();
    this.controllerSelector = controllerSelector(r);
  }

  /** The recommended labels of one component, plus the user's. */
  private labels(r: Resolved, component?: 'controller' | 'admission-webhook'): Record<string, string> {
    return {
      ...(component ? { 'app.kubernetes.io/component': component } : {}),
      'app.kubernetes.io/instance': r.names.instance,
      'app.kubernetes.io/name': NAME,
      'app.kubernetes.io/part-of': NAME,
      'app.kubernetes.io/version': r.release.version,
      ...r.labels,
    };
  }

  private renderNamespace(r: Resolved): void {
    this.objects.add('Namespace', () => clusterScoped(new KubeNamespace(this, 'namespace', {
      metadata: { name: r.namespace, labels: { 'app.kubernetes.io/instance': r.names.instance, 'app.kubernetes.io/name': NAME, ...r.labels } },
    })));
  }

  /**
   * A ServiceAccount with a Role and a ClusterRole of the same name, each bound to it. The ClusterRole's objects
   * carry `clusterLabels`: upstream labels the controller's without a component.
   */
  private renderIdentity(r: Resolved, idPrefix: string, name: string, labels: Record<string, string>, clusterLabels: Record<string, string>,
    rules: readonly RbacRule[], clusterRules: readonly RbacRule[]): void {
    const ns = r.namespace;
    const bound = (kind: 'Role' | 'ClusterRole') => ({
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind, name },
      subjects: [{ kind: 'ServiceAccount', name, namespace: ns }],
    });
    this.objects.add('ServiceAccount', () => new KubeServiceAccount(this, `${idPrefix}-service-account`, {
      automountServiceAccountToken: true,
      metadata: { name, namespace: ns, labels },
    }));
    this.objects.add('Role', () => new KubeRole(this, `${idPrefix}-role`, { metadata: { name, namespace: ns, labels }, rules: toPolicyRules(rules) }));
    this.objects.add('ClusterRole', () => clusterScoped(new KubeClusterRole(this, `${idPrefix}-cluster-role`, {
      metadata: { name, labels: clusterLabels }, rules: toPolicyRules(clusterRules),
    })));
    this.objects.add('RoleBinding', () => new KubeRoleBinding(this, `${idPrefix}-role-binding`, {
      metadata: { name, namespace: ns, labels }, ...bound('Role'),
    }));
    this.objects.add('ClusterRoleBinding', () => clusterScoped(new KubeClusterRoleBinding(this, `${idPrefix}-cluster-role-binding`, {
      metadata: { name, labels: clusterLabels }, ...bound('ClusterRole'),
    })));
  }

  /** The controller: its identity, ConfigMap, Service, Deployment and, above one replica, its PodDisruptionBudget. */
  private renderController(r: Resolved) {
    const ns = r.namespace;
    const labels = this.labels(r, 'controller');
    this.renderIdentity(r, 'controller', r.names.full, labels, this.labels(r), controllerRoleRules(r.names.electionId), CONTROLLER_CLUSTER_ROLE_RULES);
    this.objects.add('ConfigMap', () => new KubeConfigMap(this, 'controller-config', {
      metadata: { name: r.names.controller, namespace: ns, labels },
      data: Object.keys(r.config).length > 0 ? { ...r.config } : undefined,
    }));
    const service = this.objects.add('Service', () => new KubeService(this, 'controller-service', {
      metadata: { name: r.names.controller, namespace: ns, labels },
      spec: {
        ipFamilies: ['IPv4'],
        ipFamilyPolicy: 'SingleStack',
        ports: [
          { appProtocol: 'http', name: 'http', port: 80, protocol: 'TCP', targetPort: IntOrString.fromString('http') },
          { appProtocol: 'https', name: 'https', port: 443, protocol: 'TCP', targetPort: IntOrString.fromString('https') },
        ],
        selector: controllerSelector(r),
        type: r.serviceType,
      },
    }));
    const deployment = this.objects.add('Deployment', () => new KubeDeployment(this, 'controller', {
      metadata: { name: r.names.controller, namespace: ns, labels },
      spec: {
        minReadySeconds: 0,
        replicas: r.replicas,
        revisionHistoryLimit: 10,
        selector: { matchLabels: controllerSelector(r) },
        strategy: { rollingUpdate: { maxUnavailable: IntOrString.fromNumber(1) }, type: 'RollingUpdate' },
        template: { metadata: { labels }, spec: controllerPodSpec(r) },
      },
    }));
    // The chart renders a PDB only when more than one replica can keep serving during a drain.
    const podDisruptionBudget = r.replicas !== undefined && r.replicas > 1
      ? this.objects.add('PodDisruptionBudget', () => new KubePodDisruptionBudget(this, 'controller-pdb', {
        metadata: { name: r.names.controller, namespace: ns, labels },
        spec: { minAvailable: IntOrString.fromNumber(1), selector: { matchLabels: controllerSelector(r) } },
      }))
      : undefined;
    return { service, deployment, podDisruptionBudget };
  }

  /** The validating webhook: its identity, Service, the two certificate Jobs and the webhook configuration. */
  private renderAdmissionWebhook(r: Resolved): () => KubeService {
    const ns = r.namespace;
    const labels = this.labels(r, 'admission-webhook');
    const { controller, admission } = r.names;
    this.renderIdentity(r, 'admission', admission, labels, labels, ADMISSION_ROLE_RULES, ADMISSION_CLUSTER_ROLE_RULES);
    const service = this.objects.add('Service', () => new KubeService(this, 'admission-service', {
      // Upstream labels the admission Service as part of the controller component.
      metadata: { name: `${controller}-admission`, namespace: ns, labels: this.labels(r, 'controller') },
      spec: {
        ports: [{ appProtocol: 'https', name: 'https-webhook', port: 443, targetPort: IntOrString.fromString('webhook') }],
        selector: controllerSelector(r),
        type: 'ClusterIP',
      },
    }));
    this.renderCertificateJob(r, labels, 'create', [
      'create',
      `--host=${controller}-admission,${controller}-admission.$(POD_NAMESPACE).svc`,
      '--namespace=$(POD_NAMESPACE)',
      `--secret-name=${admission}`,
    ]);
    this.renderCertificateJob(r, labels, 'patch', [
      'patch',
      `--webhook-name=${admission}`,
      '--namespace=$(POD_NAMESPACE)',
      '--patch-mutating=false',
      `--secret-name=${admission}`,
      `--patch-failure-policy=${r.webhook.failurePolicy}`,
    ]);
    this.objects.add('ValidatingWebhookConfiguration', () => clusterScoped(new KubeValidatingWebhookConfiguration(this, 'admission-webhook', {
      metadata: { name: admission, labels },
      webhooks: [{
        admissionReviewVersions: ['v1'],
        clientConfig: { service: { name: `${controller}-admission`, namespace: ns, path: '/networking/v1/ingresses', port: 443 } },
        failurePolicy: r.webhook.failurePolicy,
        matchPolicy: 'Equivalent',
        name: 'validate.nginx.ingress.kubernetes.io',
        rules: [{ apiGroups: ['networking.k8s.io'], apiVersions: ['v1'], operations: ['CREATE', 'UPDATE'], resources: ['ingresses'] }],
        sideEffects: 'None',
      }],
    })));
    return service;
  }

  /**
   * The chart's `controller-service-metrics.yaml` with its defaults (ClusterIP, service port = container port).
   * Queued after the admission Service: upstream's manifests are `helm template` piped through kustomize, which
   * writes one kind's objects in name order, and `<controller>-metrics` sorts after `<controller>-admission`.
   */
  private renderMetricsService(r: Resolved): () => KubeService {
    return this.objects.add('Service', () => new KubeService(this, 'metrics-service', {
      metadata: { name: `${r.names.controller}-metrics`, namespace: r.namespace, labels: this.labels(r, 'controller') },
      spec: {
        ports: [{ name: METRICS_PORT.name, port: METRICS_PORT.port, protocol: 'TCP', targetPort: IntOrString.fromString(METRICS_PORT.name) }],
        selector: controllerSelector(r),
        type: 'ClusterIP',
      },
    }));
  }

  /** kube-webhook-certgen: `create` makes the TLS Secret, `patch` writes its CA into the webhook configuration. */
  private renderCertificateJob(r: Resolved, labels: Record<string, string>, name: 'create' | 'patch', args: string[]): void {
    this.objects.add('Job', () => new KubeJob(this, `admission-${name}`, {
      metadata: { name: `${r.names.admission}-${name}`, namespace: r.namespace, labels },
      spec: {
        template: {
          metadata: { labels, name: `${r.names.admission}-${name}` },
          spec: {
            automountServiceAccountToken: r.release.explicitTokenAndJobTtl ? true : undefined,
            containers: [{
              args,
              env: [{ name: 'POD_NAMESPACE', valueFrom: { fieldRef: { fieldPath: 'metadata.namespace' } } }],
              image: r.certgenImage,
              imagePullPolicy: 'IfNotPresent',
              name,
              securityContext: {
                allowPrivilegeEscalation: false,
                capabilities: { drop: ['ALL'] },
                readOnlyRootFilesystem: true,
                runAsGroup: 65532,
                runAsNonRoot: true,
                runAsUser: 65532,
                seccompProfile: { type: 'RuntimeDefault' },
              },
            }],
            nodeSelector: { 'kubernetes.io/os': 'linux' },
            restartPolicy: 'OnFailure',
            serviceAccountName: r.names.admission,
          },
        },
        ttlSecondsAfterFinished: r.release.explicitTokenAndJobTtl ? 0 : undefined,
      },
    }));
  }

  private renderIngressClass(r: Resolved): () => KubeIngressClass {
    return this.objects.add('IngressClass', () => clusterScoped(new KubeIngressClass(this, 'ingress-class', {
      metadata: {
        name: r.ingressClass.name,
        labels: this.labels(r, 'controller'),
        annotations: r.ingressClass.default ? { 'ingressclass.kubernetes.io/is-default-class': 'true' } : undefined,
      },
      spec: { controller: r.ingressClass.controllerValue },
    })));
  }
}

function controllerSelector(r: Resolved): Record<string, string> {
  return { 'app.kubernetes.io/component': 'controller', 'app.kubernetes.io/instance': r.names.instance, 'app.kubernetes.io/name': NAME };
}

function controllerPodSpec(r: Resolved) {
  const webhook = r.webhook.enabled;
  return {
    automountServiceAccountToken: r.release.explicitTokenAndJobTtl ? true : undefined,
    containers: [{
      args: controllerArgs(r),
      env: [
        { name: 'POD_NAME', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
        { name: 'POD_NAMESPACE', valueFrom: { fieldRef: { fieldPath: 'metadata.namespace' } } },
        { name: 'LD_PRELOAD', value: '/usr/local/lib/libmimalloc.so' },
      ],
      image: r.controllerImage,
      imagePullPolicy: 'IfNotPresent',
      lifecycle: { preStop: { exec: { command: ['/wait-shutdown'] } } },
      livenessProbe: healthz(5),
      name: 'controller',
      ports: [
        { containerPort: 80, hostPort: r.hostPorts.http, name: 'http', protocol: 'TCP' },
        { containerPort: 443, hostPort: r.hostPorts.https, name: 'https', protocol: 'TCP' },
        ...(r.metrics ? [{ containerPort: METRICS_PORT.port, name: METRICS_PORT.name, protocol: 'TCP' }] : []),
        ...(webhook ? [{ containerPort: 8443, name: 'webhook', protocol: 'TCP' }] : []),
      ],
      readinessProbe: healthz(3),
      resources: toKubeResources(r.resources),
      securityContext: {
        allowPrivilegeEscalation: false,
        capabilities: { add: ['NET_BIND_SERVICE'], drop: ['ALL'] },
        readOnlyRootFilesystem: false,
        runAsGroup: 82,
        runAsNonRoot: true,
        runAsUser: 101,
        seccompProfile: { type: 'RuntimeDefault' },
      },
      volumeMounts: webhook ? [{ mountPath: '/usr/local/certificates/', name: 'webhook-cert', readOnly: true }] : undefined,
    }],
    dnsPolicy: 'ClusterFirst',
    nodeSelector: { ...r.nodeSelector },
    serviceAccountName: r.names.full,
    terminationGracePeriodSeconds: r.terminationGracePeriodSeconds,
    tolerations: r.tolerations.map(t => ({ ...t })),
    volumes: webhook ? [{ name: 'webhook-cert', secret: { secretName: r.names.admission } }] : undefined,
  };
}

function healthz(failureThreshold: number) {
  return {
    failureThreshold,
    httpGet: { path: '/healthz', port: IntOrString.fromNumber(METRICS_PORT.port), scheme: 'HTTP' },
    initialDelaySeconds: 10,
    periodSeconds: 10,
    successThreshold: 1,
    timeoutSeconds: 1,
  };
}

function controllerArgs(r: Resolved): string[] {
  const flags: [string, string][] = [
    ['election-id', r.names.electionId],
    ['controller-class', r.ingressClass.controllerValue],
    ['ingress-class', r.ingressClass.name],
    ['configmap', `$(POD_NAMESPACE)/${r.names.controller}`],
  ];
  if (r.webhook.enabled) {
    flags.push(
      ['validating-webhook', ':8443'],
      ['validating-webhook-certificate', '/usr/local/certificates/cert'],
      ['validating-webhook-key', '/usr/local/certificates/key'],
    );
  }
  if (r.watchIngressWithoutClass) flags.push(['watch-ingress-without-class', 'true']);
  if (r.metrics) flags.push(['enable-metrics', 'true']);
  flags.push(['publish-status-address', 'localhost']);
  for (const key of Object.keys(r.extraArgs).sort()) {
    const existing = flags.find(f => f[0] === key);
    if (existing) existing[1] = r.extraArgs[key];
    else flags.push([key, r.extraArgs[key]]);
  }
  return ['/nginx-ingress-controller', ...flags.map(([k, v]) => (v === '' ? `--${k}` : `--${k}=${v}`))];
}
