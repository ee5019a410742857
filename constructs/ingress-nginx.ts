import { Construct } from 'constructs';
import {
  IntOrString, KubeClusterRole, KubeClusterRoleBinding, KubeConfigMap, KubeDeployment, KubeIngressClass, KubeJob,
  KubeNamespace, KubePodDisruptionBudget, KubeRole, KubeRoleBinding, KubeService, KubeServiceAccount,
  KubeValidatingWebhookConfiguration, PolicyRule,
} from '../imports/k8s';
import { clusterScoped } from '../src/cluster-scoped';
import { checkResources, toKubeResources } from '../src/resources';
import { Resources, Toleration } from '../src/types';
import { DIGEST, Problems, isPlainObject, show } from '../src/validation';

/** A controller release local-hands knows how to render. */
export type IngressNginxVersion = '1.12.1' | '1.13.0' | '1.14.0' | '1.15.1';

/** An image as a tag plus its content digest. */
export interface PinnedImage {
  readonly tag: string;
  /** `sha256:<64 hex>` */
  readonly digest: string;
}

/** One row of the release table: the images and the kind-provider defaults of a controller release. */
export interface IngressNginxRelease {
  readonly version: IngressNginxVersion;
  /** `registry.k8s.io/ingress-nginx/controller` */
  readonly controller: PinnedImage;
  /** `registry.k8s.io/ingress-nginx/kube-webhook-certgen` */
  readonly certgen: PinnedImage;
  /** The controller Service type of the kind manifest (NodePort before 1.13.0, then LoadBalancer). */
  readonly serviceType: IngressNginxServiceType;
  /** Whether the kind manifest pins the controller to nodes labelled `ingress-ready: "true"` (before 1.13.0). */
  readonly ingressReadyNodeSelector: boolean;
  /** Whether pod specs set `automountServiceAccountToken: true` and Jobs `ttlSecondsAfterFinished: 0` (1.13.0 on). */
  readonly explicitTokenAndJobTtl: boolean;
}

/** The kind provider's defaults up to 1.12.x. */
const KIND_DEFAULTS_UNTIL_1_13 = { serviceType: 'NodePort', ingressReadyNodeSelector: true, explicitTokenAndJobTtl: false } as const;
/** What changed at 1.13.0: LoadBalancer, no `ingress-ready` selector, explicit tokens and Job TTL. */
const KIND_DEFAULTS_FROM_1_13 = { serviceType: 'LoadBalancer', ingressReadyNodeSelector: false, explicitTokenAndJobTtl: true } as const;

const RELEASE_ROWS: readonly IngressNginxRelease[] = [
  {
    version: '1.12.1',
    controller: { tag: 'v1.12.1', digest: 'sha256:d2fbc4ec70d8aa2050dd91a91506e998765e86c96f32cffb56c503c9c34eed5b' },
    certgen: { tag: 'v1.5.2', digest: 'sha256:e8825994b7a2c7497375a9b945f386506ca6a3eda80b89b74ef2db743f66a5ea' },
    ...KIND_DEFAULTS_UNTIL_1_13,
  },
  {
    version: '1.13.0',
    controller: { tag: 'v1.13.0', digest: 'sha256:dc75a7baec7a3b827a5d7ab0acd10ab507904c7dad692365b3e3b596eca1afd2' },
    certgen: { tag: 'v1.6.0', digest: 'sha256:c9f76a75fd00e975416ea1b73300efd413116de0de8570346ed90766c5b5cefb' },
    ...KIND_DEFAULTS_FROM_1_13,
  },
  {
    version: '1.14.0',
    controller: { tag: 'v1.14.0', digest: 'sha256:e4127065d0317bd11dc64c4dd38dcf7fb1c3d72e468110b4086e636dbaac943d' },
    certgen: { tag: 'v1.6.4', digest: 'sha256:bcfc926ed57831edf102d62c5c0e259572591df4796ef1420b87f9cf6092497f' },
    ...KIND_DEFAULTS_FROM_1_13,
  },
  {
    version: '1.15.1',
    controller: { tag: 'v1.15.1', digest: 'sha256:594ceea76b01c592858f803f9ff4d2cb40542cae2060410b2c95f75907d659e1' },
    certgen: { tag: 'v1.6.9', digest: 'sha256:01038e7de14b78d702d2849c3aad72fd25903c4765af63cf16aa3398f5d5f2dd' },
    ...KIND_DEFAULTS_FROM_1_13,
  },
];

/** The controller releases local-hands renders, by version. */
export const INGRESS_NGINX_RELEASES: Readonly<Record<IngressNginxVersion, IngressNginxRelease>> =
  Object.fromEntries(RELEASE_ROWS.map(r => [r.version, r])) as Record<IngressNginxVersion, IngressNginxRelease>;

/** The newest release in the table: what `IngressNginx` renders when no version is given. */
export const INGRESS_NGINX_LATEST: IngressNginxVersion = RELEASE_ROWS[RELEASE_ROWS.length - 1].version;

export type IngressNginxServiceType = 'ClusterIP' | 'NodePort' | 'LoadBalancer';

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
  /** Controller release, from `INGRESS_NGINX_RELEASES`. @default - the newest release in the table (`INGRESS_NGINX_LATEST`) */
  readonly version?: IngressNginxVersion;
  /** Namespace the bundle creates and lives in. @default 'ingress-nginx' */
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
   * webhook, watch-ingress-without-class) are refused.
   * @default - none
   */
  readonly extraArgs?: Readonly<Record<string, string>>;
  /** The IngressClass. @default - `nginx`, controller `k8s.io/ingress-nginx`, not the default class */
  readonly ingressClass?: IngressNginxClassProps;
  /** Serve Ingress objects that name no class (`--watch-ingress-without-class=true`). @default true */
  readonly watchIngressWithoutClass?: boolean;
  /** The admission webhook. @default - enabled, failurePolicy Fail */
  readonly admissionWebhook?: IngressNginxAdmissionWebhookProps;
  /** Controller pod grace period on shutdown. @default 0 */
  readonly terminationGracePeriodSeconds?: number;
  /** Image overrides. @default - the release's images from registry.k8s.io */
  readonly image?: IngressNginxImageProps;
  /** Extra labels on every object and pod template (not on selectors). @default - none */
  readonly labels?: Readonly<Record<string, string>>;
}

const DEFAULT_NAMESPACE = 'ingress-nginx';
const DEFAULT_REGISTRY = 'registry.k8s.io';
const DEFAULT_RESOURCES = { requests: { cpu: '100m', memory: '90Mi' } };
const DEFAULT_HOST_PORTS = { http: 80, https: 443 };
const DEFAULT_CLASS = { name: 'nginx', controllerValue: 'k8s.io/ingress-nginx', default: false };
const DEFAULT_TOLERATIONS: readonly Toleration[] = [
  { effect: 'NoSchedule', key: 'node-role.kubernetes.io/master', operator: 'Equal' },
  { effect: 'NoSchedule', key: 'node-role.kubernetes.io/control-plane', operator: 'Equal' },
];
/** Flags whose value a typed prop owns: extraArgs may not set them. */
const FLAGS_OWNED_BY_PROPS: Readonly<Record<string, string>> = {
  'controller-class': 'ingressClass.controllerValue',
  'ingress-class': 'ingressClass.name',
  'configmap': 'config',
  'validating-webhook': 'admissionWebhook',
  'validating-webhook-certificate': 'admissionWebhook',
  'validating-webhook-key': 'admissionWebhook',
  'watch-ingress-without-class': 'watchIngressWithoutClass',
};
const INSTANCE = 'ingress-nginx';
const NAME = 'ingress-nginx';
const CONTROLLER = 'ingress-nginx-controller';
const ADMISSION = 'ingress-nginx-admission';

/** Every prop with its default applied. */
interface Resolved {
  readonly release: IngressNginxRelease;
  readonly namespace: string;
  readonly config?: Readonly<Record<string, string>>;
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
  readonly terminationGracePeriodSeconds: number;
  readonly controllerImage: string;
  readonly certgenImage: string;
  readonly labels: Readonly<Record<string, string>>;
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
  /** Host ports the controller binds (empty when `hostPorts: false`). */
  public readonly hostPorts: IngressNginxHostPorts;
  /** Controller replicas (1 when not set). */
  public readonly replicas: number;
  /** The controller pods' node selector. */
  public readonly nodeSelector: Readonly<Record<string, string>>;
  /** The controller pods' tolerations. */
  public readonly tolerations: readonly Toleration[];
  /** The admission webhook Service, when the webhook is enabled. */
  public readonly admissionService?: KubeService;
  /** The PodDisruptionBudget, when replicas > 1. */
  public readonly podDisruptionBudget?: KubePodDisruptionBudget;

  constructor(scope: Construct, id: string, props: IngressNginxProps = {}) {
    super(scope, id);
    const r = resolve(this, props);
    this.release = r.release;
    this.namespace = r.namespace;
    this.hostPorts = r.hostPorts;
    this.replicas = r.replicas ?? 1;
    this.nodeSelector = r.nodeSelector;
    this.tolerations = r.tolerations;
    this.ingressClassName = r.ingressClass.name;

    const ns = r.namespace;
    const selector = { 'app.kubernetes.io/component': 'controller', 'app.kubernetes.io/instance': INSTANCE, 'app.kubernetes.io/name': NAME };
    const labels = (component?: 'controller' | 'admission-webhook') => ({
      ...(component ? { 'app.kubernetes.io/component': component } : {}),
      'app.kubernetes.io/instance': INSTANCE,
      'app.kubernetes.io/name': NAME,
      'app.kubernetes.io/part-of': NAME,
      'app.kubernetes.io/version': r.release.version,
      ...r.labels,
    });
    const ctl = labels('controller');
    const adm = labels('admission-webhook');
    const webhook = r.webhook.enabled;
    const token = r.release.explicitTokenAndJobTtl ? true : undefined;

    clusterScoped(new KubeNamespace(this, 'namespace', {
      metadata: { name: ns, labels: { 'app.kubernetes.io/instance': INSTANCE, 'app.kubernetes.io/name': NAME, ...r.labels } },
    }));
    new KubeServiceAccount(this, 'controller-service-account', {
      automountServiceAccountToken: true,
      metadata: { name: NAME, namespace: ns, labels: ctl },
    });
    if (webhook) {
      new KubeServiceAccount(this, 'admission-service-account', {
        automountServiceAccountToken: true,
        metadata: { name: ADMISSION, namespace: ns, labels: adm },
      });
    }
    new KubeRole(this, 'controller-role', { metadata: { name: NAME, namespace: ns, labels: ctl }, rules: CONTROLLER_ROLE_RULES });
    if (webhook) {
      new KubeRole(this, 'admission-role', {
        metadata: { name: ADMISSION, namespace: ns, labels: adm },
        rules: [{ apiGroups: [''], resources: ['secrets'], verbs: ['get', 'create'] }],
      });
    }
    clusterScoped(new KubeClusterRole(this, 'controller-cluster-role', { metadata: { name: NAME, labels: labels() }, rules: CONTROLLER_CLUSTER_ROLE_RULES }));
    if (webhook) {
      clusterScoped(new KubeClusterRole(this, 'admission-cluster-role', {
        metadata: { name: ADMISSION, labels: adm },
        rules: [{ apiGroups: ['admissionregistration.k8s.io'], resources: ['validatingwebhookconfigurations'], verbs: ['get', 'update'] }],
      }));
    }
    // Each binding gives the same-named role to the same-named ServiceAccount.
    const binding = (name: string, kind: 'Role' | 'ClusterRole') => ({
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind, name },
      subjects: [{ kind: 'ServiceAccount', name, namespace: ns }],
    });
    new KubeRoleBinding(this, 'controller-role-binding', {
      metadata: { name: NAME, namespace: ns, labels: ctl },
      ...binding(NAME, 'Role'),
    });
    if (webhook) {
      new KubeRoleBinding(this, 'admission-role-binding', {
        metadata: { name: ADMISSION, namespace: ns, labels: adm },
        ...binding(ADMISSION, 'Role'),
      });
    }
    clusterScoped(new KubeClusterRoleBinding(this, 'controller-cluster-role-binding', {
      metadata: { name: NAME, labels: labels() },
      ...binding(NAME, 'ClusterRole'),
    }));
    if (webhook) {
      clusterScoped(new KubeClusterRoleBinding(this, 'admission-cluster-role-binding', {
        metadata: { name: ADMISSION, labels: adm },
        ...binding(ADMISSION, 'ClusterRole'),
      }));
    }
    new KubeConfigMap(this, 'controller-config', {
      metadata: { name: CONTROLLER, namespace: ns, labels: ctl },
      data: r.config && { ...r.config },
    });
    this.service = new KubeService(this, 'controller-service', {
      metadata: { name: CONTROLLER, namespace: ns, labels: ctl },
      spec: {
        ipFamilies: ['IPv4'],
        ipFamilyPolicy: 'SingleStack',
        ports: [
          { appProtocol: 'http', name: 'http', port: 80, protocol: 'TCP', targetPort: IntOrString.fromString('http') },
          { appProtocol: 'https', name: 'https', port: 443, protocol: 'TCP', targetPort: IntOrString.fromString('https') },
        ],
        selector,
        type: r.serviceType,
      },
    });
    if (webhook) {
      this.admissionService = new KubeService(this, 'admission-service', {
        metadata: { name: `${CONTROLLER}-admission`, namespace: ns, labels: ctl },
        spec: {
          ports: [{ appProtocol: 'https', name: 'https-webhook', port: 443, targetPort: IntOrString.fromString('webhook') }],
          selector,
          type: 'ClusterIP',
        },
      });
    }
    this.deployment = new KubeDeployment(this, 'controller', {
      metadata: { name: CONTROLLER, namespace: ns, labels: ctl },
      spec: {
        minReadySeconds: 0,
        replicas: r.replicas,
        revisionHistoryLimit: 10,
        selector: { matchLabels: selector },
        strategy: { rollingUpdate: { maxUnavailable: IntOrString.fromNumber(1) }, type: 'RollingUpdate' },
        template: {
          metadata: { labels: ctl },
          spec: {
            automountServiceAccountToken: token,
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
            serviceAccountName: NAME,
            terminationGracePeriodSeconds: r.terminationGracePeriodSeconds,
            tolerations: r.tolerations.map(t => ({ ...t })),
            volumes: webhook ? [{ name: 'webhook-cert', secret: { secretName: ADMISSION } }] : undefined,
          },
        },
      },
    });
    if (r.replicas !== undefined && r.replicas > 1) {
      // The chart renders a PDB only when more than one replica can keep serving during a drain.
      this.podDisruptionBudget = new KubePodDisruptionBudget(this, 'controller-pdb', {
        metadata: { name: CONTROLLER, namespace: ns, labels: ctl },
        spec: { minAvailable: IntOrString.fromNumber(1), selector: { matchLabels: selector } },
      });
    }
    if (webhook) {
      const job = (name: 'create' | 'patch', args: string[]) => new KubeJob(this, `admission-${name}`, {
        metadata: { name: `${ADMISSION}-${name}`, namespace: ns, labels: adm },
        spec: {
          template: {
            metadata: { labels: adm, name: `${ADMISSION}-${name}` },
            spec: {
              automountServiceAccountToken: token,
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
              serviceAccountName: ADMISSION,
            },
          },
          ttlSecondsAfterFinished: r.release.explicitTokenAndJobTtl ? 0 : undefined,
        },
      });
      job('create', [
        'create',
        `--host=${CONTROLLER}-admission,${CONTROLLER}-admission.$(POD_NAMESPACE).svc`,
        '--namespace=$(POD_NAMESPACE)',
        `--secret-name=${ADMISSION}`,
      ]);
      job('patch', [
        'patch',
        `--webhook-name=${ADMISSION}`,
        '--namespace=$(POD_NAMESPACE)',
        '--patch-mutating=false',
        `--secret-name=${ADMISSION}`,
        `--patch-failure-policy=${r.webhook.failurePolicy}`,
      ]);
    }
    this.ingressClass = clusterScoped(new KubeIngressClass(this, 'ingress-class', {
      metadata: {
        name: r.ingressClass.name,
        labels: ctl,
        annotations: r.ingressClass.default ? { 'ingressclass.kubernetes.io/is-default-class': 'true' } : undefined,
      },
      spec: { controller: r.ingressClass.controllerValue },
    }));
    if (webhook) {
      clusterScoped(new KubeValidatingWebhookConfiguration(this, 'admission-webhook', {
        metadata: { name: ADMISSION, labels: adm },
        webhooks: [{
          admissionReviewVersions: ['v1'],
          clientConfig: { service: { name: `${CONTROLLER}-admission`, namespace: ns, path: '/networking/v1/ingresses', port: 443 } },
          failurePolicy: r.webhook.failurePolicy,
          matchPolicy: 'Equivalent',
          name: 'validate.nginx.ingress.kubernetes.io',
          rules: [{ apiGroups: ['networking.k8s.io'], apiVersions: ['v1'], operations: ['CREATE', 'UPDATE'], resources: ['ingresses'] }],
          sideEffects: 'None',
        }],
      }));
    }
  }
}

function healthz(failureThreshold: number) {
  return {
    failureThreshold,
    httpGet: { path: '/healthz', port: IntOrString.fromNumber(10254), scheme: 'HTTP' },
    initialDelaySeconds: 10,
    periodSeconds: 10,
    successThreshold: 1,
    timeoutSeconds: 1,
  };
}

function controllerArgs(r: Resolved): string[] {
  const flags: [string, string][] = [
    ['election-id', 'ingress-nginx-leader'],
    ['controller-class', r.ingressClass.controllerValue],
    ['ingress-class', r.ingressClass.name],
    ['configmap', `$(POD_NAMESPACE)/${CONTROLLER}`],
  ];
  if (r.webhook.enabled) {
    flags.push(
      ['validating-webhook', ':8443'],
      ['validating-webhook-certificate', '/usr/local/certificates/cert'],
      ['validating-webhook-key', '/usr/local/certificates/key'],
    );
  }
  if (r.watchIngressWithoutClass) flags.push(['watch-ingress-without-class', 'true']);
  flags.push(['publish-status-address', 'localhost']);
  for (const key of Object.keys(r.extraArgs).sort()) {
    const existing = flags.find(f => f[0] === key);
    if (existing) existing[1] = r.extraArgs[key];
    else flags.push([key, r.extraArgs[key]]);
  }
  return ['/nginx-ingress-controller', ...flags.map(([k, v]) => (v === '' ? `--${k}` : `--${k}=${v}`))];
}

function resolve(scope: Construct, props: IngressNginxProps): Resolved {
  const p = Problems.of(scope, 'IngressNginx');
  if (!isPlainObject(props)) {
    p.add('props', props, 'an object');
    p.throwIfAny();
  }
  p.knownProps('IngressNginx', props, ['version', 'namespace', 'config', 'resources', 'replicas', 'serviceType', 'hostPorts',
    'nodeSelector', 'tolerations', 'extraArgs', 'ingressClass', 'watchIngressWithoutClass', 'admissionWebhook',
    'terminationGracePeriodSeconds', 'image', 'labels']);

  const version = props.version ?? INGRESS_NGINX_LATEST;
  // Own keys only: a version such as "constructor" must not find Object's prototype.
  const release = Object.prototype.hasOwnProperty.call(INGRESS_NGINX_RELEASES, version)
    ? INGRESS_NGINX_RELEASES[version as IngressNginxVersion] : undefined;
  if (!release) {
    p.add('version', version, `a release in the table: ${RELEASE_ROWS.map(x => show(x.version)).join(', ')}`);
  }

  const namespace = props.namespace ?? DEFAULT_NAMESPACE;
  p.dnsLabel('namespace', namespace);

  if (props.config !== undefined) {
    if (!isPlainObject(props.config)) p.add('config', props.config, 'an object of ConfigMap keys to string values');
    else {
      for (const [k, v] of Object.entries(props.config)) {
        p.check(/^[-._a-zA-Z0-9]+$/.test(k) && k.length <= 253, `config key ${show(k)}`, k, 'a ConfigMap key (letters, digits, "-", "_", ".")');
        p.check(typeof v === 'string', `config[${show(k)}]`, v, 'a string (ConfigMap values are strings: quote numbers, e.g. "2")');
      }
    }
  }

  const resources = {
    requests: props.resources?.requests ?? DEFAULT_RESOURCES.requests,
    limits: props.resources?.limits,
  };
  checkResources(p, 'resources', resources);

  if (props.replicas !== undefined) p.positiveInt('replicas', props.replicas, 1000);

  const serviceType = props.serviceType ?? release?.serviceType ?? 'LoadBalancer';
  p.oneOf('serviceType', serviceType, ['ClusterIP', 'NodePort', 'LoadBalancer'] as const);

  let hostPorts: IngressNginxHostPorts = {};
  if (props.hostPorts !== false) {
    if (props.hostPorts !== undefined && !isPlainObject(props.hostPorts)) p.add('hostPorts', props.hostPorts, 'an object { http, https } or false');
    else {
      hostPorts = { ...DEFAULT_HOST_PORTS, ...(props.hostPorts ?? {}) };
      const hp = hostPorts as Record<string, unknown>;
      for (const k of Object.keys(hp)) if (k !== 'http' && k !== 'https') p.add(`hostPorts.${k}`, hp[k], 'absent (only http and https)');
      const okHttp = p.port('hostPorts.http', hostPorts.http);
      const okHttps = p.port('hostPorts.https', hostPorts.https);
      if (okHttp && okHttps && hostPorts.http === hostPorts.https) p.add('hostPorts.https', hostPorts.https, `different from hostPorts.http (${hostPorts.http})`);
    }
  }

  const nodeSelector = props.nodeSelector
    ?? { 'kubernetes.io/os': 'linux', ...(release?.ingressReadyNodeSelector ? { 'ingress-ready': 'true' } : {}) };
  p.labels('nodeSelector', nodeSelector);

  const tolerations = props.tolerations ?? DEFAULT_TOLERATIONS;
  if (!Array.isArray(tolerations)) p.add('tolerations', tolerations, 'a list of tolerations');
  else tolerations.forEach((t, i) => p.toleration(`tolerations[${i}]`, t));

  const extraArgs = props.extraArgs ?? {};
  if (!isPlainObject(extraArgs)) p.add('extraArgs', extraArgs, 'an object of flag names (without "--") to string values');
  else {
    for (const [k, v] of Object.entries(extraArgs)) {
      if (FLAGS_OWNED_BY_PROPS[k]) p.add(`extraArgs[${show(k)}]`, v, `absent: --${k} is set by the ${FLAGS_OWNED_BY_PROPS[k]} prop`);
      else p.check(/^[a-z0-9][a-z0-9-]*$/.test(k), `extraArgs key ${show(k)}`, k, 'a flag name without leading dashes (a-z, 0-9, "-")');
      p.check(typeof v === 'string', `extraArgs[${show(k)}]`, v, 'a string ("" renders a bare --flag)');
    }
  }

  const ingressClass = { ...DEFAULT_CLASS, ...(props.ingressClass ?? {}) };
  p.dnsSubdomain('ingressClass.name', ingressClass.name);
  p.check(typeof ingressClass.controllerValue === 'string' && /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?\/[-A-Za-z0-9_./]+$/.test(ingressClass.controllerValue),
    'ingressClass.controllerValue', ingressClass.controllerValue, 'a domain-prefixed path such as "k8s.io/ingress-nginx"');
  p.check(typeof ingressClass.default === 'boolean', 'ingressClass.default', ingressClass.default, 'true or false');

  const watchIngressWithoutClass = props.watchIngressWithoutClass ?? true;
  p.check(typeof watchIngressWithoutClass === 'boolean', 'watchIngressWithoutClass', watchIngressWithoutClass, 'true or false');

  const webhook = { enabled: true, failurePolicy: 'Fail' as const, ...(props.admissionWebhook ?? {}) };
  p.check(typeof webhook.enabled === 'boolean', 'admissionWebhook.enabled', webhook.enabled, 'true or false');
  p.oneOf('admissionWebhook.failurePolicy', webhook.failurePolicy, ['Fail', 'Ignore']);

  const terminationGracePeriodSeconds = props.terminationGracePeriodSeconds ?? 0;
  p.nonNegativeInt('terminationGracePeriodSeconds', terminationGracePeriodSeconds);

  const img = props.image ?? {};
  const registry = img.registry ?? DEFAULT_REGISTRY;
  p.check(typeof registry === 'string' && /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?(:\d{1,5})?(\/[a-z0-9]+([._-][a-z0-9]+)*)*$/.test(registry),
    'image.registry', registry, 'a registry host with optional port and path, e.g. "registry.k8s.io" or "localhost:5000/mirror"');
  const tag = img.tag ?? release?.controller.tag;
  if (img.tag !== undefined) p.check(typeof img.tag === 'string' && /^[\w][\w.-]{0,127}$/.test(img.tag), 'image.tag', img.tag, 'an image tag (letters, digits, "_", ".", "-"; at most 128)');
  const digest = img.digest ?? (img.tag === undefined || img.tag === release?.controller.tag ? release?.controller.digest : undefined);
  if (img.digest !== undefined) p.check(typeof img.digest === 'string' && DIGEST.test(img.digest), 'image.digest', img.digest, 'a digest "sha256:" followed by 64 lowercase hex digits');

  const labels = props.labels ?? {};
  if (p.labels('labels', labels)) {
    for (const k of Object.keys(labels)) {
      if (k.startsWith('app.kubernetes.io/')) p.add(`labels key ${show(k)}`, k, 'a key outside app.kubernetes.io/ (those labels are managed and used by selectors)');
    }
  }

  p.throwIfAny();
  // An unknown version was reported above, so the release is known from here on.
  const known = release as IngressNginxRelease;
  return {
    release: known,
    namespace,
    config: props.config,
    resources,
    replicas: props.replicas,
    serviceType,
    hostPorts,
    nodeSelector,
    tolerations,
    extraArgs,
    ingressClass,
    watchIngressWithoutClass,
    webhook,
    terminationGracePeriodSeconds,
    controllerImage: `${registry}/ingress-nginx/controller:${tag}${digest ? `@${digest}` : ''}`,
    certgenImage: `${registry}/ingress-nginx/kube-webhook-certgen:${known.certgen.tag}@${known.certgen.digest}`,
    labels,
  };
}

const CONTROLLER_ROLE_RULES: PolicyRule[] = [
  { apiGroups: [''], resources: ['namespaces'], verbs: ['get'] },
  { apiGroups: [''], resources: ['configmaps', 'pods', 'secrets', 'endpoints'], verbs: ['get', 'list', 'watch'] },
  { apiGroups: [''], resources: ['services'], verbs: ['get', 'list', 'watch'] },
  { apiGroups: ['networking.k8s.io'], resources: ['ingresses'], verbs: ['get', 'list', 'watch'] },
  { apiGroups: ['networking.k8s.io'], resources: ['ingresses/status'], verbs: ['update'] },
  { apiGroups: ['networking.k8s.io'], resources: ['ingressclasses'], verbs: ['get', 'list', 'watch'] },
  { apiGroups: ['coordination.k8s.io'], resourceNames: ['ingress-nginx-leader'], resources: ['leases'], verbs: ['get', 'update'] },
  { apiGroups: ['coordination.k8s.io'], resources: ['leases'], verbs: ['create'] },
  { apiGroups: [''], resources: ['events'], verbs: ['create', 'patch'] },
  { apiGroups: ['discovery.k8s.io'], resources: ['endpointslices'], verbs: ['list', 'watch', 'get'] },
];

const CONTROLLER_CLUSTER_ROLE_RULES: PolicyRule[] = [
  { apiGroups: [''], resources: ['configmaps', 'endpoints', 'nodes', 'pods', 'secrets', 'namespaces'], verbs: ['list', 'watch'] },
  { apiGroups: ['coordination.k8s.io'], resources: ['leases'], verbs: ['list', 'watch'] },
  { apiGroups: [''], resources: ['nodes'], verbs: ['get'] },
  { apiGroups: [''], resources: ['services'], verbs: ['get', 'list', 'watch'] },
  { apiGroups: ['networking.k8s.io'], resources: ['ingresses'], verbs: ['get', 'list', 'watch'] },
  { apiGroups: [''], resources: ['events'], verbs: ['create', 'patch'] },
  { apiGroups: ['networking.k8s.io'], resources: ['ingresses/status'], verbs: ['update'] },
  { apiGroups: ['networking.k8s.io'], resources: ['ingressclasses'], verbs: ['get', 'list', 'watch'] },
  { apiGroups: ['discovery.k8s.io'], resources: ['endpointslices'], verbs: ['list', 'watch', 'get'] },
];
