import { App, Chart } from 'cdk8s';
import { Construct } from 'constructs';
import { CertManagerCertificate, CertManagerIssuerRef } from '../constructs/traefik-gateway/cert-manager-certificate';
import { GatewayApiCrds, GatewayApiCrdsProps } from '../constructs/traefik-gateway/gateway-api-crds';
import { GrafanaDashboard, GrafanaDashboardProps } from '../constructs/monitoring/grafana-dashboard';
import { IngressMetricsMonitor, IngressMetricsMonitorProps } from '../constructs/monitoring/ingress-metrics-monitor';
import { MirrordRbac, MirrordRbacProps } from '../constructs/dev-workload/mirrord-rbac';
import { OpenHandsAlerts, OpenHandsAlertsProps } from '../constructs/monitoring/openhands-alerts';
import { Traefik, TraefikProps } from '../constructs/traefik-gateway/traefik';
import { TraefikCrds } from '../constructs/traefik-gateway/traefik-crds';
import { UbuntuDevWorkload, UbuntuDevWorkloadProps } from '../constructs/dev-workload/ubuntu-dev-workload';
import { DEFAULT_KUBERNETES_CONFIG, KubernetesConfig } from '../src/kubernetes-config';
import { ResolvedProps, propSpec, resolveProps } from '../src/props';
import { Problems, isDnsSubdomain, isIpv4Address, isPlainObject } from '../src/validation';
import { HttpsRedirect } from '../constructs/traefik-gateway/https-redirect';
import { OpenHandsServer } from '../constructs/server/openhands-server';
import { SandboxQuotaProps } from '../constructs/isolation/sandbox-quota';
import { GatewayListenerProps } from '../src/gateway-listeners';
import { MAX_INGRESS_DOMAIN_LENGTH } from '../src/kubernetes-config';
import { GATEWAY_SANDBOX_NAMESPACE } from './gateway-stack';
import { SandboxIsolation, addSandboxIsolation } from './sandbox-isolation';
import { addStackParts, chartIds, stackParts, stackResult } from './chart-ids';
import { SERVER_CHART, StackServerProps, checkStackServerProps, serverIn, serverListener } from './server';

/**
 * Traefik for a cluster of several nodes: a LoadBalancer Service and no host ports (a cloud load balancer brings
 * the traffic, not a port mapping of one machine), 2 to 5 replicas owned by a CPU autoscaler, one replica per node
 * and spread over zones, a disruption budget keeping one Ready through drains, requests and a memory limit.
 */
export const PRODUCTION_TRAEFIK: TraefikProps = {
  service: { type: 'LoadBalancer' },
  providers: { kubernetesGateway: true },
  resources: { requests: { cpu: '100m', memory: '128Mi' }, limits: { memory: '512Mi' } },
  autoscaling: { minReplicas: 2, maxReplicas: 5, targetCpuUtilization: 70 },
  podDisruptionBudget: { minAvailable: 1 },
  topologySpread: { nodes: true, zoneKey: 'topology.kubernetes.io/zone' },
  // The sessions' Ingresses (made by the server, without Traefik's annotations) attach to every entry point: only
  // the entry point's own redirect keeps plain HTTP from serving them.
  redirectToHttps: true,
};

/** ubuntu-dev, when asked for, gets resources too: every container of the profile has requests and a memory limit. */
export const PRODUCTION_UBUNTU_DEV: UbuntuDevWorkloadProps = {
  resources: { requests: { cpu: '100m', memory: '128Mi' }, limits: { memory: '1Gi' } },
};

/**
 * What one session gets on a production cluster, over upstream's per-session defaults (which stay: 1 CPU requested,
 * 1Gi requested and 2Gi limit of memory): a workspace of 10Gi instead of 2Gi.
 */
export const PRODUCTION_SANDBOX_CONFIG: Partial<KubernetesConfig> = { namespace: GATEWAY_SANDBOX_NAMESPACE, pvcStorageSize: '10Gi' };

/** Sessions the production quota admits at once (KIND's is 3). */
export const PRODUCTION_MAX_SESSIONS = 20;

/**
 * The server on a production cluster: more room than on KIND, a larger state volume, and `Recreate` updates (its
 * ReadWriteOnce volume attaches to one node at a time: a surge pod on another node would wait for it forever).
 * One replica: the server keeps running conversations in memory (see OpenHandsServerProps.replicas).
 */
export const PRODUCTION_SERVER: StackServerProps = {
  resources: { requests: { cpu: '1', memory: '2Gi' }, limits: { memory: '4Gi' } },
  storage: { size: '20Gi' },
  strategy: 'Recreate',
};

/** The certificate of the Gateway's HTTPS listener. */
export interface ProductionTlsProps {
  /**
   * The `kubernetes.io/tls` Secret the HTTPS listeners terminate with, in Traefik's namespace, and (unless the config
   * names another `ingressTlsSecret`) the one sessions' Ingresses name, in the sandbox namespace: a Secret of this name
   * in each. Never generated into `dist/`: create them (`kubectl create secret tls`), or name an `issuer`.
   * @default 'openhands-sandboxes-tls'
   */
  readonly secretName?: string;
  /** A cert-manager issuer: adds the Certificates that fill and renew both Secrets. @default - none */
  readonly issuer?: CertManagerIssuerRef;
}

/** Overrides for the monitoring objects; each is merged over the profile's (Traefik's metrics, the sandbox namespace). */
export interface ProductionMonitoringProps {
  /** @default - a PodMonitor for Traefik's pods */
  readonly metricsMonitor?: IngressMetricsMonitorProps;
  /** @default - the guide's six alerts, for Traefik and the sandbox namespace */
  readonly alerts?: OpenHandsAlertsProps;
  /** @default - a panel per alert, the same expressions */
  readonly dashboard?: GrafanaDashboardProps;
}

export interface ProductionStackProps {
  /**
   * The DNS name OpenHands is served at (`https://<domain>/`); sessions are at `<sid>.<domain>` (the config's
   * `ingress_domain`). It sets every hostname of the stack: the listeners, the redirect, the certificate.
   */
  readonly domain: string;
  /**
   * The `[kubernetes]` config sessions run with (namespace, per-session resources); `ingress_domain` is the domain,
   * `ingress_tls_secret` defaults to `tls.secretName`.
   * @default - DEFAULT_KUBERNETES_CONFIG with PRODUCTION_SANDBOX_CONFIG
   */
  readonly config?: Partial<KubernetesConfig>;
  /**
   * Overrides merged over PRODUCTION_TRAEFIK (`gateway.listeners` replaces the profile's listeners). The result must
   * keep the production shape: no host ports, at least 2 replicas, a disruption budget, the node spread, CPU and
   * memory requests and a memory limit, the Gateway API provider.
   * @default - PRODUCTION_TRAEFIK
   */
  readonly traefik?: TraefikProps;
  /** The HTTPS listener's certificate. @default - the Secret 'openhands-sandboxes-tls', no Certificate */
  readonly tls?: ProductionTlsProps;
  /** Sessions the sandbox quota admits at once. @default PRODUCTION_MAX_SESSIONS */
  readonly maxSessions?: number;
  /** Quota entries replacing the ones computed for maxSessions sessions (a tighter CPU budget, say). @default - none */
  readonly quota?: SandboxQuotaProps['hard'];
  /** The OpenHands server; merged over PRODUCTION_SERVER. @default - PRODUCTION_SERVER */
  readonly server?: StackServerProps;
  /** @default - GatewayApiCrds' defaults */
  readonly gatewayApiCrds?: GatewayApiCrdsProps;
  /** @default - every monitoring object with the profile's scope */
  readonly monitoring?: ProductionMonitoringProps;
  /** The ubuntu-dev workload, for local development only; merged over PRODUCTION_UBUNTU_DEV. @default - not rendered */
  readonly ubuntuDev?: UbuntuDevWorkloadProps;
  /** The mirrord RBAC, for local development only. @default - not rendered */
  readonly mirrordRbac?: MirrordRbacProps;
}

const PROPS = propSpec<ProductionStackProps>()('addProductionStack', {
  domain: { required: true, check: checkDomain },
  // The constructs check the config and Traefik's props themselves, each naming the field; here, only the shape.
  config: { check: (p, f, v) => isPlainObject(v) || p.add(f, v, 'a KubernetesConfig (see loadKubernetesConfig)') },
  traefik: { check: (p, f, v) => isPlainObject(v) || p.add(f, v, 'TraefikProps (an object)') },
  tls: { check: checkTls },
  maxSessions: { default: PRODUCTION_MAX_SESSIONS },
  quota: {},
  server: {
    check: (p, f, v) => {
      checkStackServerProps(p, v);
      if (typeof v === 'boolean') p.add(f, v, 'OpenHandsServer props (an object): the production stack always deploys the server');
    },
  },
  gatewayApiCrds: {},
  monitoring: {},
  ubuntuDev: {},
  mirrordRbac: {},
});

const DEFAULT_TLS_SECRET = 'openhands-sandboxes-tls';

/** The parts of the production stack. */
export interface ProductionStack extends SandboxIsolation {
  readonly traefik: Traefik;
  readonly gatewayApiCrds: GatewayApiCrds;
  readonly traefikCrds: TraefikCrds;
  /** With `tls.issuer`: the Gateway's certificate, in Traefik's namespace. */
  readonly certificate?: CertManagerCertificate;
  /** With `tls.issuer`: the sessions' certificate (`*.<domain>`), the config's `ingressTlsSecret` in the sandbox namespace. */
  readonly sessionCertificate?: CertManagerCertificate;
  readonly server: OpenHandsServer;
  /** The plain-HTTP listener's only route: a redirect to HTTPS. */
  readonly httpsRedirect: HttpsRedirect;
  /** The DNS name OpenHands is served at. */
  readonly domain: string;
  readonly metricsMonitor: IngressMetricsMonitor;
  readonly alerts: OpenHandsAlerts;
  readonly dashboard: GrafanaDashboard;
  readonly ubuntuDev?: UbuntuDevWorkload;
  readonly mirrordRbac?: MirrordRbac;
  /** The `[kubernetes]` config sessions are rendered with. */
  readonly config: KubernetesConfig;
  readonly charts: readonly Chart[];
}

/** The props over the profile's own settings, checked for the production shape. */
interface Resolved {
  readonly props: ResolvedProps<typeof PROPS>;
  readonly config: KubernetesConfig;
  readonly traefik: TraefikProps;
  readonly tlsSecret: string;
  readonly ubuntuDev?: UbuntuDevWorkloadProps;
}

function resolve(p: Problems, props: ResolvedProps<typeof PROPS>): Resolved {
  const given = isPlainObject(props.config) ? props.config.ingressDomain : undefined;
  if (isPublicDomain(props.domain) && given !== undefined && given !== props.domain) {
    p.add('config.ingressDomain', given, `absent or equal to domain (${JSON.stringify(props.domain)}): the domain sets it`);
  }
  p.throwIfAny();
  const traefik = { ...PRODUCTION_TRAEFIK, ...props.traefik };
  checkProductionShape(p, traefik);
  const ubuntuDev = props.ubuntuDev === undefined ? undefined : { ...PRODUCTION_UBUNTU_DEV, ...props.ubuntuDev };
  if (ubuntuDev) checkResourcesSet(p, 'ubuntuDev.resources', ubuntuDev.resources);
  const tlsSecret = props.tls?.secretName ?? DEFAULT_TLS_SECRET;
  // Sessions get TLS from the config: the runtime writes it into each session's Ingress, in the sandbox namespace,
  // and hands out https:// links. (Traefik still attaches that Ingress to plain HTTP too: only its entry-point
  // redirect, redirectToHttps, keeps it off.)
  const config = { ...DEFAULT_KUBERNETES_CONFIG, ...PRODUCTION_SANDBOX_CONFIG, ingressTlsSecret: tlsSecret, ...(props.config ?? {}), ingressDomain: props.domain };
  if (!config.ingressTlsSecret) {
    p.add('config.ingressTlsSecret', config.ingressTlsSecret, 'a Secret name (sessions are served over HTTPS only; it defaults to tls.secretName)');
  }
  return { props, config, traefik, tlsSecret, ubuntuDev };
}

const DOMAIN_ALLOWED = `a DNS name such as "openhands.example.com" (at least two labels, not localhost nor an IP address, at most ${MAX_INGRESS_DOMAIN_LENGTH} characters; sessions are served at "<sid>.<domain>")`;

/** A DNS name of the public kind: at least two labels, not `localhost` (KIND's), short enough for `<sid>.<domain>`. */
function isPublicDomain(domain: unknown): domain is string {
  return isDnsSubdomain(domain) && domain.length <= MAX_INGRESS_DOMAIN_LENGTH && domain.includes('.') && domain !== 'localhost' && !domain.endsWith('.localhost')
    && !isIpv4Address(domain);
}

function checkDomain(p: Problems, field: string, domain: unknown): void {
  if (domain === undefined) p.add(field, domain, `set: ${DOMAIN_ALLOWED}`);
  else p.check(isPublicDomain(domain), field, domain, DOMAIN_ALLOWED);
}

function checkTls(p: Problems, field: string, tls: ProductionTlsProps): void {
  if (!isPlainObject(tls)) p.add(field, tls, 'an object { secretName, issuer }');
  for (const k of Object.keys(tls ?? {})) if (k !== 'secretName' && k !== 'issuer') p.add(`${field}.${k}`, (tls as Record<string, unknown>)[k], 'absent (only secretName and issuer)');
  p.dnsSubdomain(`${field}.secretName`, tls?.secretName ?? DEFAULT_TLS_SECRET);
}

/**
 * The production listeners: HTTPS on `websecure` for the sessions' `*.<domain>` (first, so a session routed through
 * the Traefik handle attaches there) and on `server` for `<domain>`, both with the certificate; plain HTTP on `web`
 * for every host, admitting only the Gateway's own namespace (where the redirect lives, so no session or server route
 * is ever served over it).
 */
export function productionListeners(config: KubernetesConfig, tlsSecret: string): GatewayListenerProps[] {
  const tls = { certificateRefs: [{ name: tlsSecret }] };
  return [
    {
      name: 'websecure', port: 8443, protocol: 'HTTPS', hostname: `*.${config.ingressDomain}`, tls,
      allowedRoutes: { namespaces: { from: 'Selector', selector: { matchLabels: { 'kubernetes.io/metadata.name': config.namespace } } } },
    },
    serverListener(config, { name: 'server', port: 8443, protocol: 'HTTPS', tls }),
    { name: 'web', port: 8000, protocol: 'HTTP', allowedRoutes: { namespaces: { from: 'Same' } } },
  ];
}

/** What a multi-node cluster needs of the controller, beyond what Traefik itself accepts. */
function checkProductionShape(p: Problems, t: TraefikProps): void {
  const hostPorts = t.hostPorts ?? {};
  p.check(isPlainObject(hostPorts) && Object.keys(hostPorts).length === 0, 'traefik.hostPorts', t.hostPorts,
    'absent (a LoadBalancer Service brings the traffic; host ports pin one replica per node to ports of the machine)');
  if (t.autoscaling) {
    const min = isPlainObject(t.autoscaling) ? t.autoscaling.minReplicas ?? 2 : undefined;
    p.check(typeof min === 'number' && min >= 2, 'traefik.autoscaling.minReplicas', min, 'at least 2 (one replica per node, so a node can fail or drain)');
  } else {
    p.check(typeof t.replicas === 'number' && t.replicas >= 2, 'traefik.replicas', t.replicas, 'at least 2 without autoscaling (one replica per node, so a node can fail or drain)');
  }
  p.check(t.podDisruptionBudget !== false, 'traefik.podDisruptionBudget', t.podDisruptionBudget, 'a budget (drains must leave a replica Ready)');
  p.check(isPlainObject(t.topologySpread) && t.topologySpread.nodes !== false, 'traefik.topologySpread', t.topologySpread,
    'a spread with nodes on (replicas on one node fail together)');
  checkResourcesSet(p, 'traefik.resources', t.resources);
  p.check(t.redirectToHttps === true, 'traefik.redirectToHttps', t.redirectToHttps,
    "true (plain HTTP only redirects; the sessions' Ingresses would be served on it otherwise)");
  p.check(isPlainObject(t.providers) && t.providers.kubernetesGateway === true, 'traefik.providers.kubernetesGateway', t.providers?.kubernetesGateway,
    'true (the server and the HTTPS listeners are served through the Gateway)');
}

/** CPU and memory requests and a memory limit: the scheduler places by requests; a limit bounds what one pod takes from a node. */
function checkResourcesSet(p: Problems, field: string, resources: unknown): void {
  const r = isPlainObject(resources) ? resources : {};
  for (const [part, amount] of [['requests', 'cpu'], ['requests', 'memory'], ['limits', 'memory']] as const) {
    const v = (r[part] as Record<string, unknown> | undefined)?.[amount];
    p.check(v !== undefined, `${field}.${part}.${amount}`, v, 'set (the scheduler places by requests; a memory limit bounds what one pod can take from a node)');
  }
}

/** What each part of the production stack is built from. */
interface Build extends Resolved {
  readonly parts: Partial<ProductionStack>;
}

/**
 * The parts, in the order their ids are claimed (the CRDs' charts sort first in `dist/`, for the two-pass apply): one
 * entry per part. The result, the charts and the ids follow from it.
 */
const PARTS = stackParts<Build>()({
  gatewayApiCrds: { id: 'crds-gateway-api', build: (chart, { props }) => new GatewayApiCrds(chart, 'crds', props.gatewayApiCrds) },
  traefikCrds: { id: 'crds-traefik', build: chart => new TraefikCrds(chart, 'crds') },
  traefik: { id: 'traefik', spread: true, build: (chart, b) => addTraefik(chart, b) },
  sandboxes: {
    id: 'sandboxes',
    spread: true,
    build: (chart, { props, config, parts }) => ({
      ...addSandboxIsolation(chart, { config, controllerNamespace: parts.traefik!.namespace, maxSessions: props.maxSessions, quotaHard: props.quota }),
      sessionCertificate: props.tls?.issuer === undefined ? undefined : new CertManagerCertificate(chart, 'session-certificate', {
        secretName: config.ingressTlsSecret!, namespace: config.namespace, dnsNames: [`*.${config.ingressDomain}`], issuer: props.tls.issuer,
      }),
    }),
  },
  monitoring: { id: 'monitoring', spread: true, build: (chart, b) => addMonitoring(chart, b) },
  server: {
    id: SERVER_CHART,
    build: (chart, { props, config, parts }) => serverIn(chart, { ...PRODUCTION_SERVER, ...props.server }, {
      config, isolation: { serviceAccount: parts.serviceAccount! }, route: { kind: 'HTTPRoute', gateway: parts.traefik!, sectionName: 'server' },
      sessions: { stack: 'addProductionStack', controller: parts.traefik! },
    }),
  },
  mirrordRbac: {
    id: 'mirrord-rbac',
    when: ({ props }) => props.mirrordRbac !== undefined,
    build: (chart, { props }) => new MirrordRbac(chart, 'mirrord', props.mirrordRbac),
  },
  ubuntuDev: {
    id: 'ubuntu-dev',
    when: ({ ubuntuDev }) => ubuntuDev !== undefined,
    build: (chart, { ubuntuDev }) => new UbuntuDevWorkload(chart, 'ubuntu-dev', ubuntuDev),
  },
});

/** The chart ids, hence the file names in `dist/`, by part: the CRDs sort first, for the two-pass apply. */
export const PRODUCTION_STACK_CHARTS = chartIds(PARTS);

/**
 * Adds the production profile to an app: the Gateway API and Traefik CRDs (each a chart, sorted first), Traefik
 * shaped for several nodes with a Gateway serving sandboxes over HTTP and HTTPS (and a cert-manager Certificate
 * when an issuer is named), the isolated sandbox namespace, and the monitoring objects. No KIND config, and no
 * ubuntu-dev or mirrord objects unless asked for.
 */
export function addProductionStack(app: App, props: ProductionStackProps): ProductionStack {
  const r = resolveProps(new Problems('addProductionStack'), props, PROPS, resolve);
  const parts = addStackParts(app, 'addProductionStack', { ...r, parts: {} }, PARTS);
  return stackResult<ProductionStack>()({ ...parts, domain: r.config.ingressDomain, config: r.config });
}

/** Traefik with the profile's listeners, the redirect of plain HTTP to HTTPS, and the certificate with an issuer. */
function addTraefik(chart: Construct, { config, traefik: props, tlsSecret, props: { tls } }: Build) {
  const traefik = new Traefik(chart, 'traefik', { ...props, gateway: { listeners: productionListeners(config, tlsSecret), ...props.gateway } });
  const domain = config.ingressDomain;
  const httpsRedirect = new HttpsRedirect(chart, 'https-redirect', { gateway: traefik, listener: 'web', hostnames: [domain, `*.${domain}`] });
  const certificate = tls?.issuer === undefined ? undefined : new CertManagerCertificate(chart, 'certificate', {
    secretName: tlsSecret, namespace: traefik.namespace, dnsNames: [domain, `*.${domain}`], issuer: tls.issuer,
  });
  return { traefik, httpsRedirect, certificate };
}

/**
 * The PodMonitor for Traefik (in Traefik's chart: it lives in Traefik's namespace, which `kubectl apply -f dist`
 * must create first, and files apply in name order), the alerts and the dashboard, scoped to Traefik and the sandbox namespace.
 */
function addMonitoring(chart: Construct, { config, parts, props }: Build) {
  const traefik = parts.traefik!;
  const m = props.monitoring ?? {};
  const scope = { ingressController: 'traefik' as const, controllerNamespace: traefik.namespace, sandboxNamespace: config.namespace };
  return {
    metricsMonitor: new IngressMetricsMonitor(Chart.of(traefik), 'metrics-monitor', { controller: 'traefik', namespace: traefik.namespace, ...m.metricsMonitor }),
    alerts: new OpenHandsAlerts(chart, 'alerts', { ...scope, ...m.alerts }),
    dashboard: new GrafanaDashboard(chart, 'dashboard', { ...scope, ...m.dashboard }),
  };
}
