import { App, Chart } from 'cdk8s';
import { IngressNginx, IngressNginxProps } from '../constructs/ingress-nginx';
import { KindCluster, KindClusterProps } from '../constructs/kind-cluster';
import { MirrordRbac, MirrordRbacProps } from '../constructs/mirrord-rbac';
import { UbuntuDevWorkload, UbuntuDevWorkloadProps } from '../constructs/ubuntu-dev-workload';
import { LocalHandsValidationError } from '../src/validation';

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
}

/** The charts of the OpenHands local stack and the constructs in them. */
export interface OpenHandsStack {
  readonly ingressNginx: IngressNginx;
  readonly mirrordRbac: MirrordRbac;
  readonly ubuntuDev: UbuntuDevWorkload;
  readonly kind: KindCluster;
  /** One chart per part, so `dist/` gets one file per part. */
  readonly charts: readonly Chart[];
}

/**
 * Adds OpenHands' KIND stack to an app as three charts (`ingress-nginx`, `mirrord-rbac`, `ubuntu-dev`) and
 * the KIND cluster config they run on.
 * Charts sit directly under the app so their files keep plain names; `kubectl apply -f dist` reads them in
 * name order, which creates the ingress-nginx Namespace before anything in it.
 */
export function addOpenHandsStack(app: App, props: OpenHandsStackProps = {}): OpenHandsStack {
  if (app.node.tryFindChild('ingress-nginx')) {
    throw new LocalHandsValidationError('addOpenHandsStack', ['the app has an OpenHands stack already (a chart "ingress-nginx"): add the stack once per app']);
  }
  const ingressChart = new Chart(app, 'ingress-nginx');
  const rbacChart = new Chart(app, 'mirrord-rbac');
  const ubuntuChart = new Chart(app, 'ubuntu-dev');
  const pinned = (props.kind?.workers ?? 0) > 0;
  const ingressNginx = new IngressNginx(ingressChart, 'ingress', {
    ...OPENHANDS_INGRESS_NGINX,
    ...(pinned ? { nodeSelector: { ...OPENHANDS_INGRESS_NGINX.nodeSelector, ...INGRESS_READY } } : {}),
    ...props.ingressNginx,
  });
  const kind = new KindCluster(app, 'kind', {
    // Upstream's config maps host port 80 only; the controller's 443 stays reachable from inside the node only.
    unmappedHostPortsAllowed: [443],
    ...(pinned ? { nodes: [{ role: 'control-plane', labels: INGRESS_READY, extraPortMappings: [{ containerPort: 80, hostPort: 80 }] }] } : {}),
    ...props.kind,
    ingress: ingressNginx,
  });
  return {
    ingressNginx,
    mirrordRbac: new MirrordRbac(rbacChart, 'mirrord', props.mirrordRbac),
    ubuntuDev: new UbuntuDevWorkload(ubuntuChart, 'ubuntu-dev', props.ubuntuDev),
    kind,
    charts: [ingressChart, rbacChart, ubuntuChart],
  };
}
