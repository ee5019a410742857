import { Construct } from 'constructs';
import { Gateway, GatewayClass } from '../../imports/gateway-api';
import {
  IntOrString, KubeClusterRole, KubeClusterRoleBinding, KubeDeployment, KubeHorizontalPodAutoscalerV2, KubeIngressClass, KubeNamespace,
  KubePodDisruptionBudget, KubeService, KubeServiceAccount, PolicyRule,
} from '../../imports/k8s';
import { clusterScoped } from '../../src/cluster-scoped';
import { GatewayListenerProps, checkListeners, renderListeners } from '../../src/gateway-listeners';
import { HostTraffic } from '../../src/host-traffic';
import { ResolvedProps, isBoolean, propSpec, resolveProps } from '../../src/props';
import { checkResources, toKubeResources } from '../../src/resources';
import { Resources } from '../../src/types';
import { Problems, isPlainObject, isPort } from '../../src/validation';
import {
  TRAEFIK_BASE_RULES, TRAEFIK_CRD_ARGS, TRAEFIK_CRD_INGRESS_CLASS_RULES, TRAEFIK_CRD_RULES, TRAEFIK_DEFAULT_GATEWAY,
  TRAEFIK_ENTRY_POINTS, TRAEFIK_GATEWAY_CONTROLLER, TRAEFIK_GATEWAY_RULES, TRAEFIK_IMAGE, TRAEFIK_INGRESS_CONTROLLER,
  TRAEFIK_INGRESS_NGINX_ARGS, TRAEFIK_REDIRECT_ARGS, TRAEFIK_INGRESS_RULES, TRAEFIK_LEADING_ARGS, TRAEFIK_NAME, TRAEFIK_POD_ANNOTATIONS,
  traefikGatewayArgs, traefikIngressArgs, traefikProbe, traefikTrailingArgs,
} from './traefik-chart';
import {
  ResolvedAvailability, TraefikAutoscalingProps, TraefikDisruptionBudgetProps, TraefikTopologySpreadProps, renderAutoscaler, renderDisruptionBudget, resolveAvailability, topologySpreadConstraints,
} from './traefik-availability';

export type TraefikServiceType = 'ClusterIP' | 'NodePort' | 'LoadBalancer';

/** Traefik's log levels. */
export type TraefikLogLevel = 'TRACE' | 'DEBUG' | 'INFO' | 'WARN' | 'ERROR' | 'FATAL' | 'PANIC';

/** A port for each of Traefik's two traffic entry points. */
export interface TraefikEntryPointPorts {
  /** For the `web` entry point (HTTP, container port 8000). */
  readonly web?: number;
  /** For the `websecure` entry point (HTTPS, container port 8443). */
  readonly websecure?: number;
}

/** The Service in front of the controller (ports 80 and 443 to the `web` and `websecure` entry points). */
export interface TraefikServiceProps {
  /** Service type. @default 'NodePort' (OpenHands' KIND values; the chart's own default is LoadBalancer) */
  readonly type?: TraefikServiceType;
  /**
   * Node ports (30000-32767) for NodePort and LoadBalancer Services; refused with ClusterIP. Replaces the default as
   * a whole: an entry point left out gets a node port the API server picks.
   * @default { web: 30080, websecure: 30443 } for NodePort (what OpenHands' KIND config maps to host ports 80 and 443); none otherwise
   */
  readonly nodePorts?: TraefikEntryPointPorts;
}

/** Which of Traefik's Kubernetes providers run (each adds its controller flags and RBAC rules). */
export interface TraefikProviders {
  /** Serve `networking.k8s.io` Ingresses of the IngressClass. @default true */
  readonly kubernetesIngress?: boolean;
  /** Serve Gateway API Gateways and routes; also renders the GatewayClass and the Gateway. Needs the Gateway API CRDs. @default false */
  readonly kubernetesGateway?: boolean;
  /** Serve Ingresses written for ingress-nginx (class `nginx`, `nginx.ingress.kubernetes.io/*` annotations). @default false */
  readonly kubernetesIngressNGINX?: boolean;
  /** Serve Traefik's own IngressRoute, Middleware, ... objects. Needs `TraefikCrds`. @default true */
  readonly kubernetesCRD?: boolean;
}

/** The IngressClass of the Ingress provider. */
export interface TraefikIngressClassProps {
  /** Name of the IngressClass. @default 'traefik' */
  readonly name?: string;
  /** Mark it the cluster's default class (Ingresses without a class get it). @default true (as the chart) */
  readonly default?: boolean;
}

/** Overrides for the controller image, `<registry>/<repository>:<tag>`. */
export interface TraefikImageProps {
  /** @default 'docker.io' */
  readonly registry?: string;
  /** @default 'traefik' */
  readonly repository?: string;
  /** @default 'v3.7.11' (the chart's proxy release) */
  readonly tag?: string;
}

/** The Gateway (and its GatewayClass) rendered with the Gateway API provider. */
export interface TraefikGatewayProps {
  /** Name of the Gateway, in the controller's namespace. @default 'traefik-gateway' */
  readonly name?: string;
  /** Name of the GatewayClass (controller `traefik.io/gateway-controller`). @default 'traefik' */
  readonly className?: string;
  /**
   * Listeners. Each port must be an entry point's container port (`web` 8000 or `websecure` 8443): Traefik serves
   * a listener on the entry point with its port.
   * @default - the chart's: [{ name: 'web', port: 8000, protocol: 'HTTP' }] (routes from the Gateway's namespace only)
   */
  readonly listeners?: readonly GatewayListenerProps[];
}

export type { TraefikAutoscalingProps, TraefikDisruptionBudgetProps, TraefikTopologySpreadProps } from './traefik-availability';

export interface TraefikProps {
  /** Namespace of the controller (Helm's `--namespace`). @default 'traefik' */
  readonly namespace?: string;
  /** Emit the Namespace object first (Helm's `--create-namespace`), so `kubectl apply -f` works in one pass. @default true */
  readonly createNamespace?: boolean;
  /** The Service. @default - NodePort with node ports 30080 and 30443 (OpenHands' KIND values) */
  readonly service?: TraefikServiceProps;
  /**
   * Host ports the controller pods bind for `web` and `websecure` (the hostPort style of Traefik's own KIND setup,
   * KIND mapping host 80/443 straight to the pod). Each replica then needs a node of its own.
   * @default - none
   */
  readonly hostPorts?: TraefikEntryPointPorts;
  /** Controller replicas; above 1 also renders a PodDisruptionBudget (see `podDisruptionBudget`). Absent with `autoscaling`. @default 1 */
  readonly replicas?: number;
  /**
   * A HorizontalPodAutoscaler (autoscaling/v2, CPU) owning the replica count: the Deployment then has no
   * `spec.replicas`, so applying the manifests again never resets what the autoscaler chose. Needs `resources.requests.cpu`.
   * @default - none (the chart's `autoscaling.enabled: false`)
   */
  readonly autoscaling?: TraefikAutoscalingProps | false;
  /**
   * The PodDisruptionBudget, or `false` for none. Its minAvailable must stay below the replicas (or `autoscaling.minReplicas`).
   * @default - minAvailable 1 when more than one replica runs, none with one
   */
  readonly podDisruptionBudget?: TraefikDisruptionBudgetProps | false;
  /** Topology spread constraints over nodes and zones. @default - none (the chart sets none) */
  readonly topologySpread?: TraefikTopologySpreadProps;
  /** Controller resources. @default - none (the chart sets none) */
  readonly resources?: Resources;
  /** Providers on or off. @default - kubernetesIngress and kubernetesCRD on, kubernetesGateway and kubernetesIngressNGINX off */
  readonly providers?: TraefikProviders;
  /** The IngressClass, or `false` for none. @default - `traefik`, the default class */
  readonly ingressClass?: TraefikIngressClassProps | false;
  /**
   * Answer every request on `web` with a permanent redirect to the same URL over HTTPS on port 443, whatever routes
   * it (the chart's `ports.web.http.redirections.entryPoint` to websecure). Needed where routes Traefik does not
   * control attach to every entry point, such as an Ingress without Traefik's annotations.
   * @default false
   */
  readonly redirectToHttps?: boolean;
  /** Log level. @default 'INFO' */
  readonly logLevel?: TraefikLogLevel;
  /** Image overrides. @default - docker.io/traefik:v3.7.11 */
  readonly image?: TraefikImageProps;
  /** The Gateway; only with `providers.kubernetesGateway`. @default - the chart's Gateway `traefik-gateway` when the provider is on */
  readonly gateway?: TraefikGatewayProps;
}

const PROPS = propSpec<TraefikProps>()('Traefik', {
  // The chart labels every object `app.kubernetes.io/instance: traefik-<namespace>`, and a label value has at most 63.
  namespace: {
    default: 'traefik',
    check: (p, f, v) => p.dnsLabel(f, v) && p.check(v.length <= 63 - `${TRAEFIK_NAME}-`.length, f, v,
      `at most ${63 - `${TRAEFIK_NAME}-`.length} characters (objects are labelled "app.kubernetes.io/instance: ${TRAEFIK_NAME}-<namespace>", a label value of at most 63)`),
  },
  createNamespace: { default: true, check: isBoolean },
  service: {},
  hostPorts: { default: {}, check: (p, f, v) => checkEntryPointPorts(p, f, v, { min: 1, max: 65535 }) },
  replicas: { default: 1 },
  autoscaling: {},
  podDisruptionBudget: {},
  topologySpread: {},
  resources: { check: (p, f, v) => checkResources(p, f, v) },
  providers: {},
  ingressClass: {},
  redirectToHttps: { default: false, check: isBoolean },
  logLevel: { default: 'INFO' },
  image: {},
  gateway: {},
});

/** The defaults inside the props whose parts merge over them. */
const NESTED_DEFAULTS = {
  serviceType: 'NodePort' as TraefikServiceType,
  nodePorts: { web: 30080, websecure: 30443 } as TraefikEntryPointPorts,
  providers: { kubernetesIngress: true, kubernetesGateway: false, kubernetesIngressNGINX: false, kubernetesCRD: true },
  ingressClass: { name: 'traefik', default: true },
  gateway: { name: TRAEFIK_DEFAULT_GATEWAY.name, className: 'traefik', listeners: TRAEFIK_DEFAULT_GATEWAY.listeners as readonly GatewayListenerProps[] },
};

const LOG_LEVELS: readonly TraefikLogLevel[] = ['TRACE', 'DEBUG', 'INFO', 'WARN', 'ERROR', 'FATAL', 'PANIC'];
const ENTRY_POINTS = ['web', 'websecure'] as const;
const NODE_PORT_RANGE = { min: 30000, max: 32767 };

/** Every prop with its default applied, checked. */
interface Resolved {
  readonly namespace: string;
  readonly createNamespace: boolean;
  readonly serviceType: TraefikServiceType;
  readonly nodePorts: TraefikEntryPointPorts;
  readonly hostPorts: TraefikEntryPointPorts;
  readonly availability: ResolvedAvailability;
  readonly resources?: Resources;
  readonly providers: Required<TraefikProviders>;
  readonly ingressClass?: Required<TraefikIngressClassProps>;
  readonly redirectToHttps: boolean;
  readonly logLevel: TraefikLogLevel;
  readonly image: string;
  readonly gateway?: Required<TraefikGatewayProps>;
}

/**
 * Traefik for KIND: the objects of the Traefik Helm chart 41.3.0 (Traefik v3.7.11) as OpenHands installs it
 * (`--namespace traefik --set service.spec.type=NodePort --set ports.web.nodePort=30080 --set ports.websecure.nodePort=30443`),
 * with the chart's knobs this stack needs as typed props. With the defaults it equals that rendering as parsed data;
 * `providers.kubernetesGateway` adds the GatewayClass and Gateway, `providers.kubernetesIngressNGINX` the provider
 * for Ingresses written for ingress-nginx.
 *
 * Left out on purpose: Helm's bookkeeping (the `helm.sh/chart` and `app.kubernetes.io/managed-by: Helm` labels, and
 * the empty `annotations:` keys), which describe a Helm release this is not. Added: the Namespace, which Helm
 * creates with `--create-namespace` (`createNamespace: false` leaves it out).
 * The CRDs are separate constructs (`TraefikCrds`, `GatewayApiCrds`), each for a file of its own.
 */
export class Traefik extends Construct {
  /** The namespace the controller lives in. */
  public readonly namespace: string;
  /** The Namespace object, unless `createNamespace: false`. */
  public readonly namespaceObject?: KubeNamespace;
  /** The controller's ServiceAccount (`traefik`). */
  public readonly serviceAccount: KubeServiceAccount;
  /** The controller's ClusterRole (`traefik-<namespace>`). */
  public readonly clusterRole: KubeClusterRole;
  /** The controller Deployment (`traefik`). */
  public readonly deployment: KubeDeployment;
  /** The controller Service (`traefik`). */
  public readonly service: KubeService;
  /** The PodDisruptionBudget, when more than one replica runs (unless `podDisruptionBudget: false`). */
  public readonly podDisruptionBudget?: KubePodDisruptionBudget;
  /** The HorizontalPodAutoscaler, with `autoscaling`. */
  public readonly hpa?: KubeHorizontalPodAutoscalerV2;
  /** The IngressClass, unless `ingressClass: false`. */
  public readonly ingressClass?: KubeIngressClass;
  /** Its name, for `spec.ingressClassName` of Ingresses Traefik should serve. */
  public readonly ingressClassName?: string;
  /** The IngressClass's name when it is the cluster's default, which the API server gives every Ingress created without a class. */
  public readonly defaultIngressClassName?: string;
  /** The GatewayClass, with the Gateway API provider. */
  public readonly gatewayClass?: GatewayClass;
  /** The Gateway, with the Gateway API provider. */
  public readonly gateway?: Gateway;
  /** The Gateway's listeners as rendered (empty without the Gateway API provider). */
  public readonly listeners: readonly GatewayListenerProps[];
  /** The Gateway's listener names, for a route's `parentRefs[].sectionName`. */
  public readonly listenerNames: readonly string[];
  /** The providers that run. */
  public readonly providers: Readonly<Required<TraefikProviders>>;
  /** How host traffic reaches the controller: the Service's node ports and the pods' host ports, by entry point. */
  public readonly hostTraffic: HostTraffic;

  constructor(scope: Construct, id: string, props: TraefikProps = {}) {
    super(scope, id);
    const r = resolveProps(this, props, PROPS, resolve);
    this.namespace = r.namespace;
    this.providers = r.providers;
    this.listeners = r.gateway?.listeners ?? [];
    this.listenerNames = this.listeners.map(l => l.name);
    this.ingressClassName = r.ingressClass?.name;
    this.defaultIngressClassName = r.ingressClass?.default ? r.ingressClass.name : undefined;
    this.hostTraffic = {
      nodePorts: { ...r.nodePorts },
      hostPorts: { ...r.hostPorts },
      // The chart's pods have no node selector or tolerations.
      pods: { replicas: r.availability.floor, nodeSelector: {}, tolerations: [] },
    };

    if (r.createNamespace) this.namespaceObject = clusterScoped(new KubeNamespace(this, 'namespace', { metadata: { name: r.namespace } }));
    [this.serviceAccount, this.clusterRole] = this.renderRbac(r);
    this.service = this.renderService(r);
    this.deployment = this.renderDeployment(r);
    const target = { name: TRAEFIK_NAME, namespace: r.namespace, labels: this.labels(r) };
    this.podDisruptionBudget = renderDisruptionBudget(this, r.availability.minAvailable, target);
    this.hpa = renderAutoscaler(this, r.availability.autoscaling, target);
    this.ingressClass = this.renderIngressClass(r);
    [this.gateway, this.gatewayClass] = this.renderGateway(r);
  }

  private labels(r: Resolved) {
    return { 'app.kubernetes.io/name': TRAEFIK_NAME, 'app.kubernetes.io/instance': `${TRAEFIK_NAME}-${r.namespace}` };
  }

  private renderRbac(r: Resolved): [KubeServiceAccount, KubeClusterRole] {
    const labels = this.labels(r);
    const sa = new KubeServiceAccount(this, 'service-account', {
      metadata: { name: TRAEFIK_NAME, namespace: r.namespace, labels },
      automountServiceAccountToken: false,
    });
    const name = `${TRAEFIK_NAME}-${r.namespace}`;
    const role = clusterScoped(new KubeClusterRole(this, 'cluster-role', { metadata: { name, labels }, rules: clusterRoleRules(r.providers) }));
    clusterScoped(new KubeClusterRoleBinding(this, 'cluster-role-binding', {
      metadata: { name, labels },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name },
      subjects: [{ kind: 'ServiceAccount', name: TRAEFIK_NAME, namespace: r.namespace }],
    }));
    return [sa, role];
  }

  private renderService(r: Resolved): KubeService {
    return new KubeService(this, 'service', {
      metadata: { name: TRAEFIK_NAME, namespace: r.namespace, labels: this.labels(r) },
      spec: {
        type: r.serviceType,
        selector: this.labels(r),
        ports: ENTRY_POINTS.map(name => ({
          port: servicePort(name),
          name,
          targetPort: IntOrString.fromString(name),
          protocol: 'TCP',
          nodePort: r.nodePorts[name],
        })),
      },
    });
  }

  private renderDeployment(r: Resolved): KubeDeployment {
    const labels = this.labels(r);
    return new KubeDeployment(this, 'deployment', {
      metadata: { name: TRAEFIK_NAME, namespace: r.namespace, labels },
      spec: {
        replicas: r.availability.replicas,
        selector: { matchLabels: labels },
        // Surge, never drop below the wanted replicas: a lone controller keeps serving while it is replaced.
        strategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: IntOrString.fromNumber(0), maxSurge: IntOrString.fromNumber(1) } },
        minReadySeconds: 0,
        template: {
          metadata: { annotations: { ...TRAEFIK_POD_ANNOTATIONS }, labels },
          spec: {
            automountServiceAccountToken: true,
            containers: [this.renderContainer(r)],
            hostNetwork: false,
            securityContext: { runAsGroup: 65532, runAsNonRoot: true, runAsUser: 65532, seccompProfile: { type: 'RuntimeDefault' } },
            serviceAccountName: TRAEFIK_NAME,
            terminationGracePeriodSeconds: 60,
            topologySpreadConstraints: topologySpreadConstraints(r.availability.spread, labels),
            volumes: [{ emptyDir: {}, name: 'data' }, { emptyDir: {}, name: 'tmp' }],
          },
        },
      },
    });
  }

  private renderContainer(r: Resolved) {
    const probe = (failureThreshold: number) => {
      const p = traefikProbe(failureThreshold);
      return { ...p, httpGet: { ...p.httpGet, port: IntOrString.fromNumber(p.httpGet.port) } };
    };
    return {
      args: controllerArgs(r),
      env: [
        { name: 'POD_NAME', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
        { name: 'POD_NAMESPACE', valueFrom: { fieldRef: { fieldPath: 'metadata.namespace' } } },
        { name: 'USER', value: 'traefik' },
      ],
      image: r.image,
      imagePullPolicy: 'IfNotPresent',
      livenessProbe: probe(3),
      name: TRAEFIK_NAME,
      ports: TRAEFIK_ENTRY_POINTS.map(e => ({
        containerPort: e.port,
        hostPort: isEntryPoint(e.name) ? r.hostPorts[e.name] : undefined,
        name: e.name,
        protocol: 'TCP',
      })),
      readinessProbe: probe(1),
      resources: r.resources && toKubeResources(r.resources),
      securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] }, readOnlyRootFilesystem: true },
      volumeMounts: [{ mountPath: '/data', name: 'data' }, { mountPath: '/tmp', name: 'tmp' }],
    };
  }

  private renderIngressClass(r: Resolved): KubeIngressClass | undefined {
    if (!r.ingressClass) return undefined;
    return clusterScoped(new KubeIngressClass(this, 'ingress-class', {
      metadata: {
        // The chart writes the annotation either way, "false" included.
        annotations: { 'ingressclass.kubernetes.io/is-default-class': String(r.ingressClass.default) },
        labels: this.labels(r),
        name: r.ingressClass.name,
      },
      spec: { controller: TRAEFIK_INGRESS_CONTROLLER },
    }));
  }

  private renderGateway(r: Resolved): [Gateway?, GatewayClass?] {
    if (!r.gateway) return [];
    const gateway = new Gateway(this, 'gateway', {
      metadata: { name: r.gateway.name, namespace: r.namespace, labels: this.labels(r) },
      spec: { gatewayClassName: r.gateway.className, listeners: renderListeners(r.gateway.listeners) },
    });
    const gatewayClass = clusterScoped(new GatewayClass(this, 'gateway-class', {
      metadata: { name: r.gateway.className, labels: this.labels(r) },
      spec: { controllerName: TRAEFIK_GATEWAY_CONTROLLER },
    }));
    return [gateway, gatewayClass];
  }
}

function isEntryPoint(name: string): name is typeof ENTRY_POINTS[number] {
  return (ENTRY_POINTS as readonly string[]).includes(name);
}

function servicePort(name: typeof ENTRY_POINTS[number]): number {
  return name === 'web' ? 80 : 443;
}

/** The chart's ClusterRole: base rules, then each provider's, in the chart's order. */
function clusterRoleRules(p: Required<TraefikProviders>): PolicyRule[] {
  return [
    ...TRAEFIK_BASE_RULES,
    ...(p.kubernetesIngress || p.kubernetesIngressNGINX ? TRAEFIK_INGRESS_RULES : []),
    ...(p.kubernetesCRD && !p.kubernetesIngress ? TRAEFIK_CRD_INGRESS_CLASS_RULES : []),
    ...(p.kubernetesCRD ? TRAEFIK_CRD_RULES : []),
    ...(p.kubernetesGateway ? TRAEFIK_GATEWAY_RULES : []),
  ].map(rule => ({ ...rule, apiGroups: [...(rule.apiGroups ?? [])], resources: [...(rule.resources ?? [])], verbs: [...rule.verbs] }));
}

/** The chart's controller flags, providers in its order: CRD, Ingress, Gateway API, ingress-nginx. */
function controllerArgs(r: Resolved): string[] {
  return [
    ...TRAEFIK_LEADING_ARGS,
    ...(r.providers.kubernetesCRD ? TRAEFIK_CRD_ARGS : []),
    ...(r.providers.kubernetesIngress ? traefikIngressArgs(r.namespace) : []),
    ...(r.providers.kubernetesGateway ? traefikGatewayArgs(r.namespace) : []),
    ...(r.providers.kubernetesIngressNGINX ? TRAEFIK_INGRESS_NGINX_ARGS : []),
    ...(r.redirectToHttps ? TRAEFIK_REDIRECT_ARGS : []),
    ...traefikTrailingArgs(r.logLevel),
  ];
}

/** The parts that merge over nested defaults, the replica count and what takes it down, the log level, the Gateway per provider. */
function resolve(p: Problems, v: ResolvedProps<typeof PROPS>, given: TraefikProps): Resolved {
  const { serviceType, nodePorts } = resolveService(p, v.service);
  const availability = resolveAvailability(p, given, PROPS.rows.replicas.default);
  const providers = resolveProviders(p, v.providers);
  const ingressClass = resolveIngressClass(p, v.ingressClass);
  p.oneOf('logLevel', v.logLevel, LOG_LEVELS);
  const image = resolveImage(p, v.image);
  const gateway = resolveGateway(p, v.gateway, providers.kubernetesGateway);
  p.throwIfAny();
  return {
    namespace: v.namespace, createNamespace: v.createNamespace, serviceType, nodePorts, hostPorts: v.hostPorts, availability, resources: v.resources,
    providers, ingressClass, redirectToHttps: v.redirectToHttps, logLevel: v.logLevel, image, gateway,
  };
}

function resolveService(p: Problems, service: TraefikServiceProps | undefined): { serviceType: TraefikServiceType; nodePorts: TraefikEntryPointPorts } {
  if (service !== undefined && !isPlainObject(service)) {
    p.add('service', service, "an object { type: 'ClusterIP' | 'NodePort' | 'LoadBalancer', nodePorts: { web, websecure } }");
    return { serviceType: NESTED_DEFAULTS.serviceType, nodePorts: {} };
  }
  const s = service ?? {};
  for (const k of Object.keys(s)) if (k !== 'type' && k !== 'nodePorts') p.add(`service.${k}`, (s as Record<string, unknown>)[k], 'absent (only type and nodePorts)');
  const serviceType = s.type ?? NESTED_DEFAULTS.serviceType;
  if (!p.oneOf('service.type', serviceType, ['ClusterIP', 'NodePort', 'LoadBalancer'] as const)) return { serviceType, nodePorts: {} };
  if (serviceType === 'ClusterIP') {
    if (s.nodePorts !== undefined) p.add('service.nodePorts', s.nodePorts, "absent for service type 'ClusterIP' (it opens no node port)");
    return { serviceType, nodePorts: {} };
  }
  const nodePorts = s.nodePorts ?? (serviceType === 'NodePort' ? NESTED_DEFAULTS.nodePorts : {});
  checkEntryPointPorts(p, 'service.nodePorts', nodePorts, NODE_PORT_RANGE);
  return { serviceType, nodePorts };
}

/** `web` and `websecure`, each optional, in range, and different from each other. */
function checkEntryPointPorts(p: Problems, field: string, ports: unknown, range: { min: number; max: number }): void {
  if (!isPlainObject(ports)) {
    p.add(field, ports, 'an object { web, websecure }');
    return;
  }
  for (const k of Object.keys(ports)) if (!isEntryPoint(k)) p.add(`${field}.${k}`, ports[k], 'absent (only web and websecure)');
  for (const k of ENTRY_POINTS) {
    const v = ports[k];
    if (v !== undefined) p.check(Number.isInteger(v) && v >= range.min && v <= range.max, `${field}.${k}`, v, `an integer in ${range.min}-${range.max}`);
  }
  if (ports.web !== undefined && ports.web === ports.websecure) p.add(`${field}.websecure`, ports.websecure, `different from ${field}.web (${ports.web})`);
}

function resolveProviders(p: Problems, providers: TraefikProviders | undefined): Required<TraefikProviders> {
  if (providers !== undefined && !isPlainObject(providers)) {
    p.add('providers', providers, 'an object { kubernetesIngress, kubernetesGateway, kubernetesIngressNGINX, kubernetesCRD } of true or false');
    return NESTED_DEFAULTS.providers;
  }
  const known = Object.keys(NESTED_DEFAULTS.providers);
  for (const k of Object.keys(providers ?? {})) if (!known.includes(k)) p.add(`providers.${k}`, (providers as Record<string, unknown>)[k], `absent (the providers are ${known.join(', ')})`);
  const out = { ...NESTED_DEFAULTS.providers, ...(providers ?? {}) };
  for (const k of known) p.check(typeof (out as Record<string, unknown>)[k] === 'boolean', `providers.${k}`, (out as Record<string, unknown>)[k], 'true or false');
  if (!known.some(k => (out as Record<string, unknown>)[k] === true)) p.add('providers', providers, 'an object turning at least one provider on (Traefik would serve nothing)');
  return out;
}

function resolveIngressClass(p: Problems, ingressClass: TraefikIngressClassProps | false | undefined): Required<TraefikIngressClassProps> | undefined {
  if (ingressClass === false) return undefined;
  if (ingressClass !== undefined && !isPlainObject(ingressClass)) {
    p.add('ingressClass', ingressClass, 'an object { name, default } or false');
    return undefined;
  }
  for (const k of Object.keys(ingressClass ?? {})) if (k !== 'name' && k !== 'default') p.add(`ingressClass.${k}`, (ingressClass as Record<string, unknown>)[k], 'absent (only name and default)');
  const out = { ...NESTED_DEFAULTS.ingressClass, ...(ingressClass ?? {}) };
  p.dnsSubdomain('ingressClass.name', out.name);
  p.check(typeof out.default === 'boolean', 'ingressClass.default', out.default, 'true or false');
  return out;
}

function resolveImage(p: Problems, image: TraefikImageProps | undefined): string {
  if (image !== undefined && !isPlainObject(image)) {
    p.add('image', image, 'an object { registry, repository, tag }');
    return '';
  }
  for (const k of Object.keys(image ?? {})) if (!['registry', 'repository', 'tag'].includes(k)) p.add(`image.${k}`, (image as Record<string, unknown>)[k], 'absent (only registry, repository and tag)');
  const { registry, repository, tag } = { ...TRAEFIK_IMAGE, ...(image ?? {}) };
  p.check(typeof registry === 'string' && /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?(:\d{1,5})?$/.test(registry), 'image.registry', registry,
    'a registry host with an optional port, e.g. "docker.io" or "localhost:5000"');
  p.check(typeof repository === 'string' && /^[a-z0-9]+([._-][a-z0-9]+)*(\/[a-z0-9]+([._-][a-z0-9]+)*)*$/.test(repository), 'image.repository', repository,
    'a repository path such as "traefik" or "mirror/traefik" (lowercase, "/"-separated)');
  p.check(typeof tag === 'string' && /^[\w][\w.-]{0,127}$/.test(tag), 'image.tag', tag, 'an image tag (letters, digits, "_", ".", "-"; at most 128)');
  return `${registry}/${repository}:${tag}`;
}

function resolveGateway(p: Problems, gateway: TraefikGatewayProps | undefined, providerOn: boolean): Required<TraefikGatewayProps> | undefined {
  if (!providerOn) {
    if (gateway !== undefined) p.add('gateway', gateway, 'absent unless providers.kubernetesGateway is true (no provider would serve it)');
    return undefined;
  }
  if (gateway !== undefined && !isPlainObject(gateway)) {
    p.add('gateway', gateway, 'an object { name, className, listeners }');
    return undefined;
  }
  for (const k of Object.keys(gateway ?? {})) if (!['name', 'className', 'listeners'].includes(k)) p.add(`gateway.${k}`, (gateway as Record<string, unknown>)[k], 'absent (only name, className and listeners)');
  const out = { ...NESTED_DEFAULTS.gateway, ...(gateway ?? {}) };
  p.dnsSubdomain('gateway.name', out.name);
  p.dnsSubdomain('gateway.className', out.className);
  if (checkListeners(p, 'gateway.listeners', out.listeners)) {
    const ports = TRAEFIK_ENTRY_POINTS.filter(e => isEntryPoint(e.name));
    out.listeners.forEach((l, i) => {
      if (isPlainObject(l) && isPort(l.port) && !ports.some(e => e.port === l.port)) {
        p.add(`gateway.listeners[${i}].port`, l.port, `an entry point's container port (${ports.map(e => `${e.name} ${e.port}`).join(' or ')}), since Traefik serves a listener on the entry point of its port`);
      }
    });
  }
  return out;
}
