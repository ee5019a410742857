import { App, Chart } from 'cdk8s';
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
import { propNames } from '../src/props';
import { Problems, isDnsSubdomain, isIpv4Address, isPlainObject } from '../src/validation';
import { HttpsRedirect } from '../constructs/traefik-gateway/https-redirect';
import { OpenHandsServer } from '../constructs/server/openhands-server';
import { SandboxQuotaProps } from '../constructs/isolation/sandbox-quota';
import { GatewayListenerProps } from '../src/gateway-listeners';
import { MAX_INGRESS_DOMAIN_LENGTH } from '../src/kubernetes-config';
import { GATEWAY_SANDBOX_NAMESPACE } from './gateway-stack';
import { SandboxIsolation, addSandboxIsolation } from './sandbox-isolation';
import { claimIds } from './chart-ids';
import { SERVER_CHART, StackServerProps, addServer, checkStackServerProps, serverListener } from './server';

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

/** The chart ids, hence the file names in `dist/`: the CRDs sort first, for the two-pass apply. */
export const PRODUCTION_STACK_CHARTS = {
  gatewayApiCrds: 'crds-gateway-api',
  traefikCrds: 'crds-traefik',
  traefik: 'traefik',
  sandboxes: 'sandboxes',
  monitoring: 'monitoring',
  mirrordRbac: 'mirrord-rbac',
  ubuntuDev: 'ubuntu-dev',
} as const;

/** The certificate of the Gateway's HTTPS listener. */
export interface ProductionTlsProps {
  /**
   * The `kubernetes.io/tls` Secret, in Traefik's namespace, the HTTPS listener `websecure` terminates with. Never
   * generated into `dist/`: create it (`kubectl create secret tls`), or name an `issuer`.
   * @default 'openhands-sandboxes-tls'
   */
  readonly secretName?: string;
  /** A cert-manager issuer: adds a Certificate for `*.<ingress_domain>` that fills and renews the Secret. @default - none */
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
   * The `[kubernetes]` config sessions run with (namespace, per-session resources); `ingress_domain` is the domain.
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

const PROPS = propNames<ProductionStackProps>({
  domain: true, config: true, traefik: true, tls: true, maxSessions: true, quota: true, server: true, gatewayApiCrds: true, monitoring: true,
  ubuntuDev: true, mirrordRbac: true,
});

const DEFAULT_TLS_SECRET = 'openhands-sandboxes-tls';

/** The parts of the production stack. */
export interface ProductionStack extends SandboxIsolation {
  readonly traefik: Traefik;
  readonly gatewayApiCrds: GatewayApiCrds;
  readonly traefikCrds: TraefikCrds;
  /** With `tls.issuer`. */
  readonly certificate?: CertManagerCertificate;
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

interface Resolved {
  readonly config: KubernetesConfig;
  readonly traefik: TraefikProps;
  readonly tlsSecret: string;
  readonly ubuntuDev?: UbuntuDevWorkloadProps;
}

function resolve(props: ProductionStackProps): Resolved {
  const p = new Problems('addProductionStack');
  p.knownProps('addProductionStack', props, PROPS);
  checkDomain(p, props.domain, props.config);
  checkStackServerProps(p, props.server);
  if (typeof props.server === 'boolean') p.add('server', props.server, 'OpenHandsServer props (an object): the production stack always deploys the server');
  if (props.config !== undefined && !isPlainObject(props.config)) p.add('config', props.config, 'a KubernetesConfig (see loadKubernetesConfig)');
  if (props.tls !== undefined && !isPlainObject(props.tls)) p.add('tls', props.tls, 'an object { secretName, issuer }');
  for (const k of Object.keys(props.tls ?? {})) if (k !== 'secretName' && k !== 'issuer') p.add(`tls.${k}`, (props.tls as Record<string, unknown>)[k], 'absent (only secretName and issuer)');
  const tlsSecret = props.tls?.secretName ?? DEFAULT_TLS_SECRET;
  p.dnsSubdomain('tls.secretName', tlsSecret);
  if (props.traefik !== undefined && !isPlainObject(props.traefik)) p.add('traefik', props.traefik, 'TraefikProps (an object)');
  p.throwIfAny();
  // The constructs check the config and Traefik's props themselves, each naming the field; here, only the shape.
  const traefik = { ...PRODUCTION_TRAEFIK, ...props.traefik };
  checkProductionShape(p, traefik);
  const ubuntuDev = props.ubuntuDev === undefined ? undefined : { ...PRODUCTION_UBUNTU_DEV, ...props.ubuntuDev };
  if (ubuntuDev) checkResourcesSet(p, 'ubuntuDev.resources', ubuntuDev.resources);
  p.throwIfAny();
  const config = { ...DEFAULT_KUBERNETES_CONFIG, ...PRODUCTION_SANDBOX_CONFIG, ...(props.config ?? {}), ingressDomain: props.domain };
  return { config, traefik, tlsSecret, ubuntuDev };
}

/** A DNS name of the public kind: at least two labels, not `localhost` (KIND's), short enough for `<sid>.<domain>`. */
function checkDomain(p: Problems, domain: unknown, config: Partial<KubernetesConfig> | undefined): void {
  const allowed = `a DNS name such as "openhands.example.com" (at least two labels, not localhost nor an IP address, at most ${MAX_INGRESS_DOMAIN_LENGTH} characters; sessions are served at "<sid>.<domain>")`;
  if (domain === undefined) {
    p.add('domain', domain, `set: ${allowed}`);
    return;
  }
  const ok = isDnsSubdomain(domain) && domain.length <= MAX_INGRESS_DOMAIN_LENGTH && domain.includes('.') && domain !== 'localhost' && !domain.endsWith('.localhost')
    && !isIpv4Address(domain);
  if (!p.check(ok, 'domain', domain, allowed)) return;
  const given = isPlainObject(config) ? config.ingressDomain : undefined;
  if (given !== undefined && given !== domain) p.add('config.ingressDomain', given, `absent or equal to domain (${JSON.stringify(domain)}): the domain sets it`);
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
  p.check(isPlainObject(t.providers) && t.providers.kubernetesGateway === true, 'traefik.providers.kubernetesGateway', t.providers?.kubernetesGateway,
    'true (sessions are routed through the Gateway)');
}

/** CPU and memory requests and a memory limit: the scheduler places by requests; a limit bounds what one pod takes from a node. */
function checkResourcesSet(p: Problems, field: string, resources: unknown): void {
  const r = isPlainObject(resources) ? resources : {};
  for (const [part, amount] of [['requests', 'cpu'], ['requests', 'memory'], ['limits', 'memory']] as const) {
    const v = (r[part] as Record<string, unknown> | undefined)?.[amount];
    p.check(v !== undefined, `${field}.${part}.${amount}`, v, 'set (the scheduler places by requests; a memory limit bounds what one pod can take from a node)');
  }
}

/**
 * Adds the production profile to an app: the Gateway API and Traefik CRDs (each a chart, sorted first), Traefik
 * shaped for several nodes with a Gateway serving sandboxes over HTTP and HTTPS (and a cert-manager Certificate
 * when an issuer is named), the isolated sandbox namespace, and the monitoring objects. No KIND config, and no
 * ubuntu-dev or mirrord objects unless asked for.
 */
export function addProductionStack(app: App, props: ProductionStackProps): ProductionStack {
  const r = resolve(props);
  const { mirrordRbac, ubuntuDev, ...always } = PRODUCTION_STACK_CHARTS;
  claimIds(app, 'addProductionStack', [...Object.values(always), SERVER_CHART,
    ...(props.mirrordRbac !== undefined ? [mirrordRbac] : []), ...(props.ubuntuDev !== undefined ? [ubuntuDev] : [])]);
  const chart = (k: keyof typeof PRODUCTION_STACK_CHARTS) => new Chart(app, PRODUCTION_STACK_CHARTS[k]);
  const charts = {
    gatewayApiCrds: chart('gatewayApiCrds'), traefikCrds: chart('traefikCrds'), traefik: chart('traefik'),
    sandboxes: chart('sandboxes'), monitoring: chart('monitoring'),
  };
  const gatewayApiCrds = new GatewayApiCrds(charts.gatewayApiCrds, 'crds', props.gatewayApiCrds);
  const traefikCrds = new TraefikCrds(charts.traefikCrds, 'crds');
  const traefik = new Traefik(charts.traefik, 'traefik', {
    ...r.traefik,
    gateway: { listeners: productionListeners(r.config, r.tlsSecret), ...r.traefik.gateway },
  });
  const domain = r.config.ingressDomain;
  const httpsRedirect = new HttpsRedirect(charts.traefik, 'https-redirect', { gateway: traefik, listener: 'web', hostnames: [domain, `*.${domain}`] });
  const certificate = props.tls?.issuer === undefined ? undefined : new CertManagerCertificate(charts.traefik, 'certificate', {
    secretName: r.tlsSecret, namespace: traefik.namespace, dnsNames: [domain, `*.${domain}`], issuer: props.tls.issuer,
  });
  const isolation = addSandboxIsolation(charts.sandboxes, {
    config: r.config, controllerNamespace: traefik.namespace, routeKind: 'HTTPRoute', maxSessions: props.maxSessions ?? PRODUCTION_MAX_SESSIONS, quotaHard: props.quota,
  });
  const server = addServer(app, { ...PRODUCTION_SERVER, ...props.server }, {
    config: r.config, isolation, route: { kind: 'HTTPRoute', gateway: traefik, sectionName: 'server' },
  });
  const dev = addLocalDevelopment(app, props.mirrordRbac, r.ubuntuDev);
  return {
    traefik, gatewayApiCrds, traefikCrds, certificate, ...isolation, server, httpsRedirect, domain,
    ...addMonitoring(charts, r.config, traefik, props.monitoring),
    ...dev.parts,
    config: r.config,
    charts: [...Object.values(charts), Chart.of(server), ...dev.charts],
  };
}

/**
 * The PodMonitor for Traefik (in Traefik's chart: it lives in Traefik's namespace, which `kubectl apply -f dist`
 * must create first, and files apply in name order), the alerts and the dashboard, scoped to Traefik and the sandbox namespace.
 */
function addMonitoring(charts: { traefik: Chart; monitoring: Chart }, config: KubernetesConfig, traefik: Traefik, m: ProductionMonitoringProps = {}) {
  const scope = { ingressController: 'traefik' as const, controllerNamespace: traefik.namespace, sandboxNamespace: config.namespace };
  const chart = charts.monitoring;
  return {
    metricsMonitor: new IngressMetricsMonitor(charts.traefik, 'metrics-monitor', { controller: 'traefik', namespace: traefik.namespace, ...m.metricsMonitor }),
    alerts: new OpenHandsAlerts(chart, 'alerts', { ...scope, ...m.alerts }),
    dashboard: new GrafanaDashboard(chart, 'dashboard', { ...scope, ...m.dashboard }),
  };
}

/** ubuntu-dev and the mirrord RBAC, each only when its props are given. */
function addLocalDevelopment(app: App, mirrordRbac?: MirrordRbacProps, ubuntuDev?: UbuntuDevWorkloadProps) {
  const charts: Chart[] = [];
  const parts: { ubuntuDev?: UbuntuDevWorkload; mirrordRbac?: MirrordRbac } = {};
  if (mirrordRbac !== undefined) {
    const c = new Chart(app, PRODUCTION_STACK_CHARTS.mirrordRbac);
    parts.mirrordRbac = new MirrordRbac(c, 'mirrord', mirrordRbac);
    charts.push(c);
  }
  if (ubuntuDev !== undefined) {
    const c = new Chart(app, PRODUCTION_STACK_CHARTS.ubuntuDev);
    parts.ubuntuDev = new UbuntuDevWorkload(c, 'ubuntu-dev', ubuntuDev);
    charts.push(c);
  }
  return { charts, parts };
}
