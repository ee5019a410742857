import { App, Chart } from 'cdk8s';
import { IngressNginx, IngressNginxProps } from '../constructs/ingress-nginx/ingress-nginx';
import { KindCluster, KindClusterProps } from '../constructs/kind/kind-cluster';
import { MirrordRbac, MirrordRbacProps } from '../constructs/dev-workload/mirrord-rbac';
import { UbuntuDevWorkload, UbuntuDevWorkloadProps } from '../constructs/dev-workload/ubuntu-dev-workload';
import { DEFAULT_KUBERNETES_CONFIG, KubernetesConfig } from '../src/kubernetes-config';
import { ResolvedProps, propSpec, resolveProps } from '../src/props';
import { Problems } from '../src/validation';
import { Monitoring, MonitoringOptions, addMonitoring } from './monitoring';
import { SANDBOX_NAMESPACE, SandboxIsolation, addSandboxIsolation } from './sandbox-isolation';
import { OpenHandsServer } from '../constructs/server/openhands-server';
import { addStackParts, stackParts, stackResult } from './chart-ids';
import { SERVER_CHART, StackServerProps, checkStackServerProps, serverIn } from './server';

/**
 * OpenHands' tuning of the ingress-nginx bundle in `kind/manifests/nginx.yaml`.
 *
 * Upstream's file is the 1.12.0-beta.0 manifest relabelled 1.12.1; we render the real 1.12.1
 * release with the same edits: a small worker pool, more memory, a LoadBalancer Service, and no
 * `ingress-ready` node selector (OpenHands' KIND config never labels its node).
 */
export const OPENHANDS_INGRESS_NGINX: IngressNginxProps = {
  version: '1.12.1',
  config: { 'worker-processes': '2', 'max-worker-connections': '1024' },
  resources: { requests: { cpu: '300m', memory: '256Mi' }, limits: { memory: '512Mi' } },
  serviceType: 'LoadBalancer',
  nodeSelector: { 'kubernetes.io/os': 'linux' },
};

const INGRESS_READY = { 'ingress-ready': 'true' };

/** Overrides for the stack's parts; each is merged over OpenHands' own settings. */
export interface OpenHandsStackProps {
  /** @default - OPENHANDS_INGRESS_NGINX */
  readonly ingressNginx?: IngressNginxProps;
  /** @default - MirrordRbac's defaults */
  readonly mirrordRbac?: MirrordRbacProps;
  /** @default - UbuntuDevWorkload's defaults */
  readonly ubuntuDev?: UbuntuDevWorkloadProps;
  /**
   * The KIND cluster config, cross-checked against the ingress controller. With `workers`, the node with the
   * port mappings is labelled `ingress-ready: "true"` and the controller selects it, so it stays where the ports are.
   * @default - upstream's kind/cluster.yaml: `local-hands`, one control-plane node mapping port 80
   */
  readonly kind?: Omit<KindClusterProps, 'ingress'>;
  /**
   * Isolate sandboxes (upstream does not): a chart `sandboxes` with the sandbox namespace (PodSecurity
   * labels), the dedicated `openhands` ServiceAccount with the least-privilege Ingress Role, the quota and LimitRange
   * and the NetworkPolicies. `true` for the defaults: sandboxes in `openhands-sandboxes` (set the same `namespace` in
   * OpenHands' `[kubernetes]` config), 3 sessions.
   * @default false (upstream runs sandboxes in `default`, unisolated)
   */
  readonly isolation?: boolean | SandboxIsolationProps;
  /**
   * The controller's metrics (`metrics: true` on IngressNginx), its ServiceMonitor, the six alerts and the dashboard,
   * in a chart `monitoring` (`true` for their defaults).
   * @default false
   */
  readonly monitoring?: boolean | MonitoringOptions;
  /**
   * The OpenHands server (upstream runs it outside the cluster), in a chart `server`: in its own namespace, running
   * as the isolation's ServiceAccount (so it turns `isolation` on), served through the ingress class at
   * `http://<ingress_domain>/`. Props are merged over OpenHandsServer's defaults.
   * @default false
   */
  readonly server?: boolean | StackServerProps;
}

/** Sandbox isolation in the default stack. */
export interface SandboxIsolationProps {
  /** The config sessions run with. @default - DEFAULT_KUBERNETES_CONFIG with namespace `openhands-sandboxes` */
  readonly config?: Partial<KubernetesConfig>;
  /** Sessions the quota admits at once. @default 3 */
  readonly maxSessions?: number;
}

const PROPS = propSpec<OpenHandsStackProps>()('addOpenHandsStack', {
  ingressNginx: {},
  mirrordRbac: {},
  ubuntuDev: {},
  kind: {},
  isolation: { default: false },
  monitoring: { default: false },
  server: { default: false, check: (p, _f, v) => checkStackServerProps(p, v) },
});

/** The charts of the OpenHands local stack and the constructs in them. */
export interface OpenHandsStack {
  readonly ingressNginx: IngressNginx;
  readonly mirrordRbac: MirrordRbac;
  readonly ubuntuDev: UbuntuDevWorkload;
  readonly kind: KindCluster;
  /** With the `isolation` prop. */
  readonly isolation?: SandboxIsolation & { readonly config: KubernetesConfig };
  /** With the `monitoring` prop. */
  readonly monitoring?: Monitoring;
  /** With the `server` prop. */
  readonly server?: OpenHandsServer;
  /** One chart per part, so `dist/` gets one file per part. */
  readonly charts: readonly Chart[];
}

/** What each part of the default stack is built from. */
interface Build {
  readonly props: ResolvedProps<typeof PROPS>;
  readonly parts: Partial<OpenHandsStack>;
}

/**
 * The parts, in the order their charts are created: one entry per part (its chart id, when the stack has it, how it
 * is built from the props and the parts before it). The result, the charts and the ids claimed follow from it.
 */
const PARTS = stackParts<Build>()({
  ingressNginx: {
    id: 'ingress-nginx',
    build: (chart, { props }) => new IngressNginx(chart, 'ingress', {
      ...OPENHANDS_INGRESS_NGINX,
      ...(pinned(props) ? { nodeSelector: { ...OPENHANDS_INGRESS_NGINX.nodeSelector, ...INGRESS_READY } } : {}),
      ...(props.monitoring ? { metrics: true } : {}),
      ...props.ingressNginx,
    }),
  },
  mirrordRbac: { id: 'mirrord-rbac', build: (chart, { props }) => new MirrordRbac(chart, 'mirrord', props.mirrordRbac) },
  ubuntuDev: { id: 'ubuntu-dev', build: (chart, { props }) => new UbuntuDevWorkload(chart, 'ubuntu-dev', props.ubuntuDev) },
  kind: {
    id: 'kind',
    inApp: true,
    build: (app, { props, parts }, id) => new KindCluster(app, id, {
      // Upstream's config maps host port 80 only; the controller's 443 stays reachable from inside the node only.
      unmappedHostPortsAllowed: [443],
      ...(pinned(props) ? { nodes: [{ role: 'control-plane', labels: INGRESS_READY, extraPortMappings: [{ containerPort: 80, hostPort: 80 }] }] } : {}),
      ...props.kind,
      ingress: parts.ingressNginx!,
    }),
  },
  isolation: {
    id: 'sandboxes',
    when: ({ props }) => Boolean(props.isolation || props.server),
    build: (chart, { props, parts }) => {
      const o = typeof props.isolation === 'object' ? props.isolation : {};
      const config = { ...DEFAULT_KUBERNETES_CONFIG, namespace: SANDBOX_NAMESPACE, ...(o.config ?? {}) };
      return { config, ...addSandboxIsolation(chart, { config, controllerNamespace: parts.ingressNginx!.namespace, maxSessions: o.maxSessions }) };
    },
  },
  server: {
    id: SERVER_CHART,
    when: ({ props }) => Boolean(props.server),
    build: (chart, { props, parts }) => serverIn(chart, typeof props.server === 'object' ? props.server : {}, {
      config: parts.isolation!.config, isolation: parts.isolation!, route: { kind: 'Ingress' }, ingressClassName: parts.ingressNginx!.ingressClassName,
      sessions: { stack: 'addOpenHandsStack', controller: parts.ingressNginx! },
    }),
  },
  monitoring: {
    id: 'monitoring',
    when: ({ props }) => Boolean(props.monitoring),
    build: (chart, { props, parts }) => addMonitoring(chart, parts.ingressNginx!, parts.isolation?.config.namespace ?? DEFAULT_KUBERNETES_CONFIG.namespace,
      typeof props.monitoring === 'object' ? props.monitoring : {}),
  },
});

/** With workers, the node with the port mappings is labelled `ingress-ready` and the controller pinned to it. */
function pinned(props: OpenHandsStackProps): boolean {
  return (props.kind?.workers ?? 0) > 0;
}

/**
 * Adds OpenHands' KIND stack to an app as three charts (`ingress-nginx`, `mirrord-rbac`, `ubuntu-dev`) and
 * the KIND cluster config they run on.
 * Charts sit directly under the app so their files keep plain names; `kubectl apply -f dist` reads them in
 * name order, which creates the ingress-nginx Namespace before anything in it.
 */
export function addOpenHandsStack(app: App, props: OpenHandsStackProps = {}): OpenHandsStack {
  const resolved = resolveProps(new Problems('addOpenHandsStack'), props, PROPS);
  return stackResult<OpenHandsStack>()(addStackParts(app, 'addOpenHandsStack', { props: resolved, parts: {} }, PARTS));
}
