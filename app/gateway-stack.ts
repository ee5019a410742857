import { App, Chart } from 'cdk8s';
import { GatewayApiCrds, GatewayApiCrdsProps } from '../constructs/traefik-gateway/gateway-api-crds';
import { KindCluster, KindClusterProps } from '../constructs/kind/kind-cluster';
import { MirrordRbac, MirrordRbacProps } from '../constructs/dev-workload/mirrord-rbac';
import { OpenHandsServiceAccount } from '../constructs/isolation/openhands-service-account';
import { SandboxNamespace } from '../constructs/isolation/sandbox-namespace';
import { SandboxNetworkPolicies } from '../constructs/isolation/sandbox-network-policies';
import { SandboxQuota } from '../constructs/isolation/sandbox-quota';
import { OpenHandsServer } from '../constructs/server/openhands-server';
import { Monitoring, MonitoringOptions, addMonitoring } from './monitoring';
import { claimIds } from './chart-ids';
import { SERVER_CHART, StackServerProps, addServer, checkStackServerProps, serverListener } from './server';
import { SANDBOX_NAMESPACE, addSandboxIsolation } from './sandbox-isolation';
import type { GatewayReference } from '../constructs/sandbox/sandbox-route';
import { Traefik, TraefikProps } from '../constructs/traefik-gateway/traefik';
import { TraefikCrds } from '../constructs/traefik-gateway/traefik-crds';
import { UbuntuDevWorkload, UbuntuDevWorkloadProps } from '../constructs/dev-workload/ubuntu-dev-workload';
import { GatewayListenerProps } from '../src/gateway-listeners';
import { DEFAULT_KUBERNETES_CONFIG, KubernetesConfig } from '../src/kubernetes-config';
import { propNames } from '../src/props';
import { Problems, isDnsSubdomain, isPlainObject } from '../src/validation';

/** The namespace the gateway profile runs sandboxes in (the `[kubernetes]` config's `namespace`). */
export const GATEWAY_SANDBOX_NAMESPACE = SANDBOX_NAMESPACE;

/** Traefik as OpenHands installs it on KIND (the construct's defaults), plus the Gateway API provider. */
export const OPENHANDS_TRAEFIK: TraefikProps = { providers: { kubernetesGateway: true } };

/** The chart ids, hence the file names in `dist/`: the CRDs sort first, so `kubectl apply -f dist` creates them before their objects. */
export const GATEWAY_STACK_CHARTS = {
  gatewayApiCrds: 'crds-gateway-api',
  traefikCrds: 'crds-traefik',
  traefik: 'traefik',
  sandboxes: 'sandboxes',
  mirrordRbac: 'mirrord-rbac',
  ubuntuDev: 'ubuntu-dev',
} as const;

export interface GatewayStackProps {
  /**
   * The `[kubernetes]` config sessions run with: the sandbox namespace (created with PodSecurity labels, a quota,
   * NetworkPolicies and the OpenHands ServiceAccount's Role), the per-session resources, `ingress_domain`.
   * @default - DEFAULT_KUBERNETES_CONFIG with namespace GATEWAY_SANDBOX_NAMESPACE
   */
  readonly config?: Partial<KubernetesConfig>;
  /** Overrides merged over OPENHANDS_TRAEFIK; `gateway.listeners` replaces the profile's listeners. @default - OPENHANDS_TRAEFIK */
  readonly traefik?: TraefikProps;
  /**
   * A `kubernetes.io/tls` Secret in Traefik's namespace: adds an HTTPS listener `websecure` (port 8443) terminating
   * with it. The Secret is never generated; create it yourself (docs/constructs.md, TLS).
   * @default - no HTTPS listener
   */
  readonly tlsSecret?: string;
  /** Sessions the quota admits at once. @default 3 */
  readonly maxSessions?: number;
  /** @default - GatewayApiCrds' defaults */
  readonly gatewayApiCrds?: GatewayApiCrdsProps;
  /** @default - MirrordRbac's defaults, as in the default profile */
  readonly mirrordRbac?: MirrordRbacProps;
  /** @default - UbuntuDevWorkload's defaults */
  readonly ubuntuDev?: UbuntuDevWorkloadProps;
  /** The KIND config, cross-checked against Traefik's node ports. @default - one control-plane node mapping host 80/443 to node ports 30080/30443 */
  readonly kind?: Omit<KindClusterProps, 'ingress'>;
  /** Traefik's PodMonitor, the six alerts and the dashboard, in a chart `monitoring` (`true` for their defaults). @default false */
  readonly monitoring?: boolean | MonitoringOptions;
  /**
   * The OpenHands server, in a chart `server`: in its own namespace, running as the isolation's ServiceAccount with
   * this stack's config, served at `http://<ingress_domain>/` (a listener `server` and an HTTPRoute). Props are
   * merged over OpenHandsServer's defaults; `false` leaves it out.
   * @default true
   */
  readonly server?: boolean | StackServerProps;
}

const PROPS = propNames<GatewayStackProps>({
  config: true, traefik: true, tlsSecret: true, maxSessions: true, gatewayApiCrds: true, mirrordRbac: true, ubuntuDev: true, kind: true,
  monitoring: true, server: true,
});

/** OpenHands' create-cluster.sh maps the Traefik Service's node ports to the host's 80 and 443. */
export const GATEWAY_KIND: KindClusterProps = {
  nodes: [{ role: 'control-plane', extraPortMappings: [{ containerPort: 30080, hostPort: 80 }, { containerPort: 30443, hostPort: 443 }] }],
};

/** The parts of the gateway stack. */
export interface GatewayStack {
  readonly traefik: Traefik;
  readonly gatewayApiCrds: GatewayApiCrds;
  readonly traefikCrds: TraefikCrds;
  readonly sandboxNamespace: SandboxNamespace;
  readonly serviceAccount: OpenHandsServiceAccount;
  readonly quota: SandboxQuota;
  readonly networkPolicies: SandboxNetworkPolicies;
  /** With the `monitoring` prop. */
  readonly monitoring?: Monitoring;
  readonly mirrordRbac: MirrordRbac;
  readonly ubuntuDev: UbuntuDevWorkload;
  readonly kind: KindCluster;
  /** Unless the `server` prop is false. */
  readonly server?: OpenHandsServer;
  /** The `[kubernetes]` config sessions are rendered with. */
  readonly config: KubernetesConfig;
  /** The Gateway sessions attach to, as a reference for a session rendered outside this app (`npm run sandbox`). */
  readonly gatewayReference: GatewayReference & { readonly listener: string };
  readonly charts: readonly Chart[];
}

/**
 * The sandbox listeners: HTTP on `web` (8000) and, with a certificate, HTTPS on `websecure` (8443), each for
 * `*.<ingress_domain>` and admitting routes from the sandbox namespace only (by the name label every namespace carries).
 */
export function sandboxListeners(config: KubernetesConfig, tlsSecret?: string): GatewayListenerProps[] {
  const base = {
    hostname: `*.${config.ingressDomain}`,
    allowedRoutes: { namespaces: { from: 'Selector' as const, selector: { matchLabels: { 'kubernetes.io/metadata.name': config.namespace } } } },
  };
  return [
    { name: 'web', port: 8000, protocol: 'HTTP', ...base },
    ...(tlsSecret === undefined ? [] : [{ name: 'websecure', port: 8443, protocol: 'HTTPS' as const, ...base, tls: { certificateRefs: [{ name: tlsSecret }] } }]),
  ];
}

/** The server's listener on KIND: plain HTTP on the `web` entry point, beside the sessions' `*.<ingress_domain>`. */
const SERVER_LISTENER = { name: 'server', port: 8000, protocol: 'HTTP' } as const;

function resolve(props: GatewayStackProps): KubernetesConfig {
  const p = new Problems('addGatewayStack');
  p.knownProps('addGatewayStack', props, PROPS);
  if (props.tlsSecret !== undefined) p.check(isDnsSubdomain(props.tlsSecret), 'tlsSecret', props.tlsSecret, 'a Secret name (a DNS-1123 subdomain)');
  if (props.config !== undefined && !isPlainObject(props.config)) p.add('config', props.config, 'a KubernetesConfig (see loadKubernetesConfig)');
  checkStackServerProps(p, props.server);
  p.throwIfAny();
  // The constructs check the config itself, each naming the field.
  return { ...DEFAULT_KUBERNETES_CONFIG, namespace: GATEWAY_SANDBOX_NAMESPACE, ...(props.config ?? {}) };
}

/**
 * Adds the gateway profile to an app: the Gateway API and Traefik CRDs (each a chart, sorted first), Traefik with
 * the Gateway API provider and a Gateway for sandboxes, the isolated sandbox namespace (PodSecurity, quota,
 * NetworkPolicies, the OpenHands ServiceAccount with the HTTPRoute Role), ubuntu-dev and the mirrord RBAC as in the
 * default profile, and the KIND config mapping Traefik's node ports to the host.
 */
export function addGatewayStack(app: App, props: GatewayStackProps = {}): GatewayStack {
  const config = resolve(props);
  claimIds(app, 'addGatewayStack', [...Object.values(GATEWAY_STACK_CHARTS), ...(props.server !== false ? [SERVER_CHART] : []), ...(props.monitoring ? ['monitoring'] : []), 'kind']);
  const chart = (k: keyof typeof GATEWAY_STACK_CHARTS) => new Chart(app, GATEWAY_STACK_CHARTS[k]);
  const charts = { gatewayApiCrds: chart('gatewayApiCrds'), traefikCrds: chart('traefikCrds'), traefik: chart('traefik'), sandboxes: chart('sandboxes') };
  const gatewayApiCrds = new GatewayApiCrds(charts.gatewayApiCrds, 'crds', props.gatewayApiCrds);
  const traefikCrds = new TraefikCrds(charts.traefikCrds, 'crds');
  const serverOn = props.server !== false;
  const listeners = [...sandboxListeners(config, props.tlsSecret), ...(serverOn ? [serverListener(config, SERVER_LISTENER)] : [])];
  const traefik = new Traefik(charts.traefik, 'traefik', {
    ...OPENHANDS_TRAEFIK,
    ...props.traefik,
    gateway: { listeners, ...props.traefik?.gateway },
  });
  const sandboxes = addSandboxIsolation(charts.sandboxes, { config, controllerNamespace: traefik.namespace, routeKind: 'HTTPRoute', maxSessions: props.maxSessions });
  const server = serverOn
    ? addServer(app, props.server === true || props.server === undefined ? {} : props.server, {
      config, isolation: sandboxes, route: { kind: 'HTTPRoute', gateway: traefik, sectionName: SERVER_LISTENER.name },
    })
    : undefined;
  const monitoring = props.monitoring
    ? addMonitoring(new Chart(app, 'monitoring'), traefik, config.namespace, props.monitoring === true ? {} : props.monitoring)
    : undefined;
  const rbacChart = chart('mirrordRbac');
  const ubuntuChart = chart('ubuntuDev');
  const kind = new KindCluster(app, 'kind', { ...GATEWAY_KIND, ...props.kind, ingress: traefik });
  const gateway = traefik.gateway!;
  const listener = traefik.listeners[0];
  return {
    traefik, gatewayApiCrds, traefikCrds, ...sandboxes, monitoring, kind, config, server,
    mirrordRbac: new MirrordRbac(rbacChart, 'mirrord', props.mirrordRbac),
    ubuntuDev: new UbuntuDevWorkload(ubuntuChart, 'ubuntu-dev', props.ubuntuDev),
    gatewayReference: {
      namespace: traefik.namespace, name: gateway.name, listener: listener.name, hostname: listener.hostname,
      allowedRouteNamespaces: admittedNamespaces(listener, traefik.namespace),
    },
    charts: [...Object.values(charts), ...(server ? [Chart.of(server)] : []), rbacChart, ubuntuChart],
  };
}

/** The namespaces a listener admits routes from, when they can be named: `Same`, or a selector on the name label alone. */
function admittedNamespaces(l: GatewayListenerProps, gatewayNamespace: string): readonly string[] | undefined {
  const ns = l.allowedRoutes?.namespaces;
  if (!ns || ns.from === 'Same') return [gatewayNamespace];
  const labels = ns.selector?.matchLabels ?? {};
  const name = labels['kubernetes.io/metadata.name'];
  if (ns.from === 'Selector' && name !== undefined && Object.keys(labels).length === 1 && !ns.selector?.matchExpressions?.length) return [name];
  return undefined;
}
