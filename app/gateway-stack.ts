import { App, Chart } from 'cdk8s';
import { KubeNamespace } from '../imports/k8s';
import { GatewayApiCrds, GatewayApiCrdsProps } from '../constructs/traefik-gateway/gateway-api-crds';
import { KindCluster, KindClusterProps } from '../constructs/kind/kind-cluster';
import { MirrordRbac, MirrordRbacProps } from '../constructs/dev-workload/mirrord-rbac';
import { OpenHandsServiceAccount } from '../constructs/isolation/openhands-service-account';
import { SandboxNamespace } from '../constructs/isolation/sandbox-namespace';
import { SandboxNetworkPolicies } from '../constructs/isolation/sandbox-network-policies';
import { SandboxQuota } from '../constructs/isolation/sandbox-quota';
import { OpenHandsServer } from '../constructs/server/openhands-server';
import { Monitoring, MonitoringOptions, addMonitoring } from './monitoring';
import { addStackParts, chartIds, stackParts, stackResult } from './chart-ids';
import { SERVER_CHART, StackServerProps, checkStackServerProps, serverIn, serverListener } from './server';
import { SANDBOX_NAMESPACE, addSandboxIsolation } from './sandbox-isolation';
import type { GatewayReference } from '../constructs/sandbox/sandbox-route';
import { Traefik, TraefikProps } from '../constructs/traefik-gateway/traefik';
import { TraefikCrds } from '../constructs/traefik-gateway/traefik-crds';
import { UbuntuDevWorkload, UbuntuDevWorkloadProps } from '../constructs/dev-workload/ubuntu-dev-workload';
import { GatewayListenerProps } from '../src/gateway-listeners';
import { DEFAULT_KUBERNETES_CONFIG, KubernetesConfig } from '../src/kubernetes-config';
import { ResolvedProps, propSpec, resolveProps } from '../src/props';
import { Problems, isDnsSubdomain, isPlainObject } from '../src/validation';

/** The namespace the gateway profile runs sandboxes in (the `[kubernetes]` config's `namespace`). */
export const GATEWAY_SANDBOX_NAMESPACE = SANDBOX_NAMESPACE;

/** Traefik as OpenHands installs it on KIND (the construct's defaults), plus the Gateway API provider. */
export const OPENHANDS_TRAEFIK: TraefikProps = { providers: { kubernetesGateway: true } };

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

const PROPS = propSpec<GatewayStackProps>()('addGatewayStack', {
  // The constructs check the config itself, each naming the field; here, only that it is an object.
  config: { check: (p, f, v) => isPlainObject(v) || p.add(f, v, 'a KubernetesConfig (see loadKubernetesConfig)') },
  traefik: {},
  tlsSecret: { check: (p, f, v) => p.check(isDnsSubdomain(v), f, v, 'a Secret name (a DNS-1123 subdomain)') },
  maxSessions: { forwardedTo: 'SandboxQuota' },
  gatewayApiCrds: {},
  mirrordRbac: {},
  ubuntuDev: {},
  kind: {},
  monitoring: { default: false },
  server: { default: true, check: (p, _f, v) => checkStackServerProps(p, v) },
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
  /** The server's namespace (SERVER_NAMESPACE), where its ServiceAccount lives. */
  readonly serverNamespace: KubeNamespace;
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

/** What each part of the gateway stack is built from. */
interface Build {
  readonly props: ResolvedProps<typeof PROPS>;
  /** The `[kubernetes]` config sessions run with. */
  readonly config: KubernetesConfig;
  readonly parts: Partial<GatewayStack>;
}

/**
 * The parts, in the order their ids are claimed (the CRDs' charts sort first in `dist/`, so `kubectl apply -f dist`
 * creates them before their objects): one entry per part. The result, the charts and the ids follow from it.
 */
const PARTS = stackParts<Build>()({
  gatewayApiCrds: { id: 'crds-gateway-api', build: (chart, { props }) => new GatewayApiCrds(chart, 'crds', props.gatewayApiCrds) },
  traefikCrds: { id: 'crds-traefik', build: chart => new TraefikCrds(chart, 'crds') },
  traefik: {
    id: 'traefik',
    build: (chart, { props, config }) => {
      const listeners = [...sandboxListeners(config, props.tlsSecret), ...(props.server !== false ? [serverListener(config, SERVER_LISTENER)] : [])];
      return new Traefik(chart, 'traefik', { ...OPENHANDS_TRAEFIK, ...props.traefik, gateway: { listeners, ...props.traefik?.gateway } });
    },
  },
  sandboxes: {
    id: 'sandboxes',
    spread: true,
    build: (chart, { props, config, parts }) => addSandboxIsolation(chart, {
      config, controllerNamespace: parts.traefik!.namespace, maxSessions: props.maxSessions,
    }),
  },
  mirrordRbac: { id: 'mirrord-rbac', build: (chart, { props }) => new MirrordRbac(chart, 'mirrord', props.mirrordRbac) },
  ubuntuDev: { id: 'ubuntu-dev', build: (chart, { props }) => new UbuntuDevWorkload(chart, 'ubuntu-dev', props.ubuntuDev) },
  server: {
    id: SERVER_CHART,
    when: ({ props }) => props.server !== false,
    build: (chart, { props, config, parts }) => serverIn(chart, typeof props.server === 'object' ? props.server : {}, {
      config, isolation: { serviceAccount: parts.serviceAccount! }, route: { kind: 'HTTPRoute', gateway: parts.traefik!, sectionName: SERVER_LISTENER.name },
      sessions: { stack: 'addGatewayStack', controller: parts.traefik! },
    }),
  },
  monitoring: {
    id: 'monitoring',
    when: ({ props }) => Boolean(props.monitoring),
    build: (chart, { props, config, parts }) => addMonitoring(chart, parts.traefik!, config.namespace, typeof props.monitoring === 'object' ? props.monitoring : {}),
  },
  kind: { id: 'kind', inApp: true, build: (app, { props, parts }, id) => new KindCluster(app, id, { ...GATEWAY_KIND, ...props.kind, ingress: parts.traefik! }) },
});

/** The chart ids, hence the file names in `dist/`, by part. */
export const GATEWAY_STACK_CHARTS = chartIds(PARTS);

/**
 * Adds the gateway profile to an app: the Gateway API and Traefik CRDs (each a chart, sorted first), Traefik with
 * the Gateway API provider and a Gateway for sandboxes, the isolated sandbox namespace (PodSecurity, quota,
 * NetworkPolicies, the OpenHands ServiceAccount with the HTTPRoute Role), ubuntu-dev and the mirrord RBAC as in the
 * default profile, and the KIND config mapping Traefik's node ports to the host.
 */
export function addGatewayStack(app: App, props: GatewayStackProps = {}): GatewayStack {
  const resolved = resolveProps(new Problems('addGatewayStack'), props, PROPS);
  const config = { ...DEFAULT_KUBERNETES_CONFIG, namespace: GATEWAY_SANDBOX_NAMESPACE, ...(resolved.config ?? {}) };
  const parts = addStackParts(app, 'addGatewayStack', { props: resolved, config, parts: {} }, PARTS);
  const gateway = parts.traefik.gateway!;
  const listener = parts.traefik.listeners[0];
  return stackResult<GatewayStack>()({
    ...parts,
    config,
    gatewayReference: {
      namespace: parts.traefik.namespace, name: gateway.name, listener: listener.name, hostname: listener.hostname,
      allowedRouteNamespaces: admittedNamespaces(listener, parts.traefik.namespace),
    },
  });
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
