import { createHash } from 'crypto';
import { Construct } from 'constructs';
import {
  EnvVar as KubeEnvVar, IntOrString, KubeConfigMap, KubeDeployment, KubeIngress, KubeNamespace, KubePersistentVolumeClaim, KubeService, Quantity,
} from '../../imports/k8s';
import { HttpRoute } from '../../imports/gateway-api';
import { KubernetesConfig, kubernetesConfigToml, tomlValue } from '../../src/kubernetes-config';
import { CONFIG_ROW, ResolvedProps, fullConfig, isBoolean, propSpec, resolveProps } from '../../src/props';
import { parseQuantity } from '../../src/quantity';
import { checkAmount, checkResources, toKubeResources } from '../../src/resources';
import { EnvVar, Resources } from '../../src/types';
import { Problems, isDnsSubdomain, isIpv4Address, isPlainObject, show } from '../../src/validation';
import { OpenHandsServiceAccount, SERVER_NAMESPACE } from '../isolation/openhands-service-account';
import { podSecurityLabels } from '../isolation/sandbox-namespace';
import { DEFAULT_RUNTIME_IMAGE } from '../sandbox/sandbox-runtime';
import { ResolvedHttpRoute, ResolvedRoute, SandboxRoute, renderHttpRoute, resolveRoute } from '../sandbox/sandbox-route';

/** The OpenHands server of the release whose runtime image sandboxes start from (0.62, the last line with the Kubernetes runtime). */
export const DEFAULT_SERVER_IMAGE = 'docker.openhands.dev/openhands/openhands:0.62';

/**
 * What the server's Kubernetes runtime routes each session with: an Ingress without a class
 * (`openhands-runtime-<sid>-ingress-code`, for `<sid>.<ingress_domain>`, with TLS when the config names
 * `ingress_tls_secret`), which the cluster's default IngressClass serves. Never an HTTPRoute: the ServiceAccount it
 * runs as must grant ingresses.
 */
export const SERVER_SESSION_ROUTE_KIND = 'Ingress';

/** The port the server (uvicorn) listens on, and its Service's. */
export const SERVER_PORT = 3000;

/**
 * Where the server keeps its state (conversations, settings, secrets it is given in the UI): upstream's
 * `docker run` mounts `~/.openhands` there, and `file_store_path` points at it.
 */
export const SERVER_STATE_PATH = '/.openhands';

/** The image's unprivileged `openhands` user (its Dockerfile's `OPENHANDS_USER_ID`). */
const SERVER_USER_ID = 42420;
/** The image's working directory, where the server reads `config.toml`. */
const CONFIG_PATH = '/app/config.toml';

/** A key of a Secret in the server's namespace. */
export interface SecretKeyReference {
  /** Name of the Secret. */
  readonly name: string;
  /** Key in the Secret's data. */
  readonly key: string;
}

/** The volume the server keeps its state on. */
export interface OpenHandsServerStorage {
  /** Size of the claim. @default '10Gi' */
  readonly size?: string;
  /** Storage class. @default - unset: the cluster's default class */
  readonly storageClass?: string;
}

export interface OpenHandsServerProps {
  /**
   * The `[kubernetes]` config the server creates sessions with, written into its `config.toml`: the same typed
   * config `SandboxRuntime` renders sessions from, so the two cannot disagree.
   * @default - DEFAULT_KUBERNETES_CONFIG
   */
  readonly config?: Partial<KubernetesConfig>;
  /** Namespace of every object. @default SERVER_NAMESPACE */
  readonly namespace?: string;
  /** Render the namespace, labelled to enforce the `restricted` Pod Security Standard. @default true */
  readonly createNamespace?: boolean;
  /** Name of the Deployment, Service, ConfigMap and claim, and the `app` label that ties them. @default 'openhands' */
  readonly name?: string;
  /** Server image. @default DEFAULT_SERVER_IMAGE */
  readonly image?: string;
  /** The image sessions start from (`[sandbox] runtime_container_image`). @default DEFAULT_RUNTIME_IMAGE */
  readonly runtimeImage?: string;
  /** The ServiceAccount the server runs as: an `OpenHandsServiceAccount` (it must live in `namespace`) or a name. @default 'openhands' */
  readonly serviceAccount?: OpenHandsServiceAccount | string;
  /**
   * Server replicas: 0 or 1. The server keeps running conversations in its memory and its state on a
   * ReadWriteOnce volume, so a second replica would split sessions and fight over the files.
   * @default 1
   */
  readonly replicas?: number;
  /**
   * How a new version replaces the old: `RollingUpdate` starts the new pod first (no gap; the volume must attach on
   * the node the new pod lands on, which a ReadWriteOnce volume does on one node such as KIND's); `Recreate` stops
   * the old pod first (a gap, but safe on many nodes).
   * @default 'RollingUpdate'
   */
  readonly strategy?: 'RollingUpdate' | 'Recreate';
  /** Container resources. @default { requests: { cpu: '500m', memory: '1Gi' }, limits: { memory: '2Gi' } } */
  readonly resources?: Resources;
  /** The state volume. @default { size: '10Gi' } */
  readonly storage?: OpenHandsServerStorage;
  /**
   * The LLM API key, from a Secret, as `LLM_API_KEY` (the server's default `[llm]` config). The 0.62 web UI keeps
   * its own copy in the settings it stores, entered once in the UI.
   * @default - none: the server starts and asks for the key in its UI
   */
  readonly llmApiKey?: SecretKeyReference;
  /** Other environment variables taken from Secrets (`GITHUB_TOKEN`, ...), by variable name. @default - none */
  readonly secretEnv?: Readonly<Record<string, SecretKeyReference>>;
  /** Plain environment variables (`LLM_MODEL`, ...); names that look like credentials are refused (use `secretEnv`). @default - none */
  readonly env?: readonly EnvVar[];
  /**
   * How the server is reached from outside the cluster: an Ingress of `ingressClassName`, or an HTTPRoute on a
   * Gateway's listener (checked at synth against the Gateway), for `host`; `false` for the Service alone.
   * @default false
   */
  readonly route?: SandboxRoute | false;
  /** The host the route serves the server at. @default - the config's `ingress_domain` (sessions are at `<sid>.<ingress_domain>`) */
  readonly host?: string;
  /** The Ingress class, with the Ingress route. @default 'nginx' */
  readonly ingressClassName?: string;
}

const PROPS = propSpec<OpenHandsServerProps>()('OpenHandsServer', {
  config: CONFIG_ROW,
  namespace: { default: SERVER_NAMESPACE, check: (p, f, v) => p.dnsLabel(f, v) },
  createNamespace: { default: true, check: isBoolean },
  // It names the Service too, and Service names are DNS-1035 labels.
  name: { default: 'openhands', check: (p, f, v) => p.dns1035Label(f, v) },
  image: { default: DEFAULT_SERVER_IMAGE, check: (p, f, v) => p.image(f, v) },
  runtimeImage: { default: DEFAULT_RUNTIME_IMAGE, check: (p, f, v) => p.image(f, v) },
  serviceAccount: { default: 'openhands' },
  replicas: {
    default: 1,
    check: (p, f, v) => p.check(v === 0 || v === 1, f, v,
      '0 or 1 (the server keeps running conversations in memory and its state on a ReadWriteOnce volume: a second replica would split sessions and fight over the files)'),
  },
  strategy: { default: 'RollingUpdate', check: (p, f, v) => p.oneOf(f, v, ['RollingUpdate', 'Recreate']) },
  resources: {
    default: { requests: { cpu: '500m', memory: '1Gi' }, limits: { memory: '2Gi' } },
    check: (p, f, v) => (isPlainObject(v) ? checkResources(p, f, v) : p.add(f, v, 'an object { requests, limits }')),
  },
  storage: { default: { size: '10Gi' }, check: checkStorage },
  llmApiKey: { check: checkSecretKeyReference },
  secretEnv: { default: {}, check: checkSecretEnv },
  env: { default: [] },
  route: { default: false },
  host: {},
  ingressClassName: { default: 'nginx' },
});

/**
 * Set by the construct or its `config.toml`. The server reads the environment over the file, so a variable for the
 * runtime, its image, the state folder or a `[kubernetes]` key (`KUBERNETES_*`) would make the server and the
 * sessions rendered from the same config disagree.
 */
const RESERVED_ENV = ['RUNTIME', 'NO_SETUP', 'OH_PERSISTENCE_DIR', 'FILE_STORE', 'FILE_STORE_PATH', 'SANDBOX_RUNTIME_CONTAINER_IMAGE', 'LLM_API_KEY'];
const RESERVED_PREFIX = 'KUBERNETES_';
/** Names a credential goes by: such a variable only comes from a Secret. */
const CREDENTIAL_NAME = /(KEY|TOKEN|SECRET|PASSWORD|PASSWD|CREDENTIALS?)$/i;
/** A Secret's data key, as the API server validates it. */
const SECRET_KEY = /^[-._a-zA-Z0-9]+$/;

type Resolved = Omit<ResolvedProps<typeof PROPS>, 'config' | 'host'> & {
  readonly config: KubernetesConfig;
  readonly host: string;
  readonly serviceAccountName: string;
  readonly resolvedRoute?: ResolvedRoute;
};

/** The ServiceAccount in the namespace, env apart from secretEnv, the host from the config, the route and its class. */
function resolve(p: Problems, v: ResolvedProps<typeof PROPS>, given: OpenHandsServerProps): Resolved {
  const config = fullConfig(v.config);
  const serviceAccountName = checkServiceAccount(p, v.serviceAccount, v.namespace);
  checkEnv(p, v.env, v.secretEnv);
  const host = v.host ?? config.ingressDomain;
  p.check(isDnsSubdomain(host) && !isIpv4Address(host), 'host', host, 'a DNS name such as "localhost" or "openhands.example.com" (not an IP address: an Ingress or route host is a name)');
  const resolvedRoute = v.route === false ? undefined : resolveRoute(p, v.route);
  if (v.route !== false && resolvedRoute?.kind === 'Ingress') p.dnsSubdomain('ingressClassName', v.ingressClassName);
  else if (given.ingressClassName !== undefined) p.add('ingressClassName', given.ingressClassName, "absent unless route is { kind: 'Ingress' }");
  p.throwIfAny();
  return { ...v, config, host, serviceAccountName, resolvedRoute };
}

/** Plain variables: none the construct sets, none of the `[kubernetes]` section's or secretEnv's, none that looks like a credential. */
function checkEnv(p: Problems, env: readonly EnvVar[], secretEnv: Readonly<Record<string, SecretKeyReference>>): void {
  // The key is a credential first: it comes by reference, through its own prop.
  if (!p.envVars('env', env, RESERVED_ENV.filter(n => n !== 'LLM_API_KEY'))) return;
  env.forEach((e, i) => {
    if (e.name === 'LLM_API_KEY') p.add(`env[${i}].name`, e.name, 'a name that is not a credential\'s: give the LLM key by reference, llmApiKey: { name, key }');
    else if (e.name.startsWith(RESERVED_PREFIX)) p.add(`env[${i}].name`, e.name, `a name not starting with ${RESERVED_PREFIX} (the [kubernetes] section comes from config, the one source sessions are rendered from)`);
    else if (CREDENTIAL_NAME.test(e.name)) p.add(`env[${i}].name`, e.name, `a name that is not a credential's: give ${e.name} by reference, secretEnv: { ${e.name}: { name, key } }`);
    if (isPlainObject(secretEnv) && Object.hasOwn(secretEnv, e.name)) p.add(`env[${i}].name`, e.name, 'a name secretEnv does not set');
  });
}

function checkServiceAccount(p: Problems, sa: unknown, namespace: string): string {
  if (sa instanceof OpenHandsServiceAccount) {
    p.check(sa.namespace === namespace, 'serviceAccount', sa.node.path, `an OpenHandsServiceAccount in namespace ${show(namespace)} (a pod runs as a ServiceAccount of its own namespace; this one is in ${show(sa.namespace)})`);
    p.check(sa.routeKind === SERVER_SESSION_ROUTE_KIND, 'serviceAccount', sa.node.path,
      `an OpenHandsServiceAccount with routeKind ${show(SERVER_SESSION_ROUTE_KIND)} (the server's Kubernetes runtime creates an Ingress per session; its Role grants httproutes instead of ingresses)`);
    return sa.serviceAccount.name;
  }
  p.dnsSubdomain('serviceAccount', sa);
  return sa as string;
}

function checkStorage(p: Problems, field: string, s: unknown): void {
  if (!isPlainObject(s)) { p.add(field, s, 'an object { size, storageClass }'); return; }
  for (const k of Object.keys(s)) if (k !== 'size' && k !== 'storageClass') p.add(`storage.${k}`, s[k], 'absent (only size and storageClass)');
  if (s.size !== undefined && checkAmount(p, 'storage.size', s.size)) {
    p.check(parseQuantity(s.size)?.nanos !== 0n, 'storage.size', s.size, 'a quantity above 0 such as "10Gi" (a volume claim must ask for some storage)');
  }
  if (s.storageClass !== undefined) p.dnsSubdomain('storage.storageClass', s.storageClass);
}

function checkSecretKeyReference(p: Problems, field: string, ref: unknown): void {
  const allowed = 'a Secret reference { name, key } (the Secret in the server\'s namespace; create it with kubectl create secret generic)';
  if (!isPlainObject(ref)) { p.add(field, ref, allowed); return; }
  for (const k of Object.keys(ref)) if (k !== 'name' && k !== 'key') p.add(`${field}.${k}`, ref[k], 'absent (a Secret reference has only name and key; values never go into the manifests)');
  p.check(isDnsSubdomain(ref.name), `${field}.name`, ref.name, 'a Secret name (a DNS-1123 subdomain)');
  // As the API server's IsConfigMapKey: "." and "..", and a key starting with "..", would name paths, not keys.
  p.check(typeof ref.key === 'string' && ref.key.length <= 253 && SECRET_KEY.test(ref.key) && ref.key !== '.' && !ref.key.startsWith('..'),
    `${field}.key`, ref.key, 'a Secret data key (at most 253 of a-z, A-Z, 0-9, "-", "_", "."; not "." and not starting with "..")');
}

function checkSecretEnv(p: Problems, field: string, env: unknown): void {
  if (!isPlainObject(env)) { p.add(field, env, 'an object of variable names to Secret references { name, key }'); return; }
  for (const [name, ref] of Object.entries(env)) {
    if (!p.envName(`secretEnv key ${show(name)}`, name)) continue;
    if (name.startsWith(RESERVED_PREFIX)) p.add(`secretEnv key ${show(name)}`, name, `a name not starting with ${RESERVED_PREFIX} (the [kubernetes] section comes from config)`);
    else if (RESERVED_ENV.includes(name)) p.add(`secretEnv key ${show(name)}`, name, `a name other than ${RESERVED_ENV.join(', ')} (${name === 'LLM_API_KEY' ? 'use llmApiKey' : 'set by the construct'})`);
    else checkSecretKeyReference(p, `secretEnv[${show(name)}]`, ref);
  }
}

/**
 * The server's `config.toml`: the Kubernetes runtime, the state folder, the runtime image, and the `[kubernetes]`
 * section from the typed config (`kubernetesConfigToml`, the loader's inverse).
 */
export function serverConfigToml(config: KubernetesConfig, runtimeImage: string = DEFAULT_RUNTIME_IMAGE): string {
  return [
    '[core]',
    `runtime = ${tomlValue('kubernetes')}`,
    `file_store = ${tomlValue('local')}`,
    `file_store_path = ${tomlValue(SERVER_STATE_PATH)}`,
    '',
    '[sandbox]',
    `runtime_container_image = ${tomlValue(runtimeImage)}`,
    '',
    kubernetesConfigToml(config),
  ].join('\n');
}

/**
 * The server's namespace, where PodSecurity enforces the `restricted` standard: the server runs as an unprivileged
 * user without capabilities, so nothing else in its namespace may do more. (The stacks render it with the sandbox
 * namespace, since the server's ServiceAccount lives there before the server does.)
 */
export function renderServerNamespace(scope: Construct, id: string, name: string): KubeNamespace {
  return new KubeNamespace(scope, id, { metadata: { name, labels: podSecurityLabels('restricted', 'restricted') } });
}

/**
 * The OpenHands server with the Kubernetes runtime, as OpenHands' own Helm chart deploys it: a Deployment running
 * the server image with `RUNTIME=kubernetes` and its `config.toml` from a ConfigMap rendered from the typed
 * `[kubernetes]` config, a Service on port 3000, a claim for its state, liveness on `/alive` and readiness on `/`,
 * the image's unprivileged user under the `restricted` Pod Security Standard, credentials only from Secrets, and
 * optionally an Ingress or an HTTPRoute.
 */
export class OpenHandsServer extends Construct {
  public readonly namespaceObject?: KubeNamespace;
  public readonly configMap: KubeConfigMap;
  public readonly pvc: KubePersistentVolumeClaim;
  public readonly deployment: KubeDeployment;
  public readonly service: KubeService;
  /** With `route: { kind: 'Ingress' }`. */
  public readonly ingress?: KubeIngress;
  /** With `route: { kind: 'HTTPRoute', ... }`. */
  public readonly httpRoute?: HttpRoute;
  /** The name of the Deployment, Service, ConfigMap and the `app` label. */
  public readonly name: string;
  public readonly namespace: string;
  /** The labels the Service selects the server's pods by (and the sandbox NetworkPolicies admit). */
  public readonly selector: Readonly<Record<string, string>>;
  /** The Service's port. */
  public readonly port: number;
  /** The host the route serves the server at. */
  public readonly host: string;
  /** The `config.toml` the server reads. */
  public readonly configToml: string;
  /** The `[kubernetes]` config written into it. */
  public readonly config: KubernetesConfig;

  constructor(scope: Construct, id: string, props: OpenHandsServerProps = {}) {
    super(scope, id);
    const r = resolveProps(this, props, PROPS, resolve);
    this.name = r.name;
    this.namespace = r.namespace;
    this.selector = { app: r.name };
    this.port = SERVER_PORT;
    this.host = r.host;
    this.config = r.config;
    this.configToml = serverConfigToml(r.config, r.runtimeImage);
    if (r.createNamespace) this.namespaceObject = renderServerNamespace(this, 'namespace', r.namespace);
    this.configMap = new KubeConfigMap(this, 'config', {
      metadata: { name: `${r.name}-config`, namespace: r.namespace },
      data: { 'config.toml': this.configToml },
    });
    this.pvc = this.renderPvc(r);
    this.deployment = this.renderDeployment(r);
    this.service = new KubeService(this, 'service', {
      metadata: { name: r.name, namespace: r.namespace },
      spec: { selector: { ...this.selector }, ports: [{ name: 'http', port: SERVER_PORT, targetPort: IntOrString.fromString('http') }] },
    });
    if (r.resolvedRoute?.kind === 'Ingress') this.ingress = this.renderIngress(r);
    else if (r.resolvedRoute?.kind === 'HTTPRoute') this.httpRoute = this.renderHttpRoute(r, r.resolvedRoute);
  }

  /** `http://<host>/` (the scheme the route's listener speaks is the Gateway's business). */
  public get url(): string {
    return `http://${this.host}/`;
  }

  private renderPvc(r: Resolved): KubePersistentVolumeClaim {
    return new KubePersistentVolumeClaim(this, 'state', {
      metadata: { name: `${r.name}-state`, namespace: r.namespace },
      spec: {
        accessModes: ['ReadWriteOnce'],
        resources: { requests: { storage: Quantity.fromString(r.storage.size ?? PROPS.rows.storage.default.size) } },
        storageClassName: r.storage.storageClass,
      },
    });
  }

  private renderDeployment(r: Resolved): KubeDeployment {
    return new KubeDeployment(this, 'deployment', {
      metadata: { name: r.name, namespace: r.namespace, labels: { ...this.selector } },
      spec: {
        replicas: r.replicas,
        selector: { matchLabels: { ...this.selector } },
        strategy: r.strategy === 'Recreate'
          ? { type: 'Recreate' }
          : { type: 'RollingUpdate', rollingUpdate: { maxSurge: IntOrString.fromNumber(1), maxUnavailable: IntOrString.fromNumber(0) } },
        template: {
          metadata: {
            labels: { ...this.selector },
            // A changed config.toml changes the template, so the server restarts with it (the file is mounted by subPath, never refreshed).
            annotations: { 'local-hands.dev/config-sha256': createHash('sha256').update(this.configToml).digest('hex') },
          },
          spec: {
            serviceAccountName: r.serviceAccountName,
            securityContext: {
              runAsNonRoot: true, runAsUser: SERVER_USER_ID, runAsGroup: SERVER_USER_ID, fsGroup: SERVER_USER_ID,
              seccompProfile: { type: 'RuntimeDefault' },
            },
            containers: [this.renderContainer(r)],
            volumes: [
              { name: 'config', configMap: { name: this.configMap.name } },
              { name: 'state', persistentVolumeClaim: { claimName: this.pvc.name } },
              { name: 'tmp', emptyDir: {} },
            ],
          },
        },
      },
    });
  }

  private renderContainer(r: Resolved) {
    const fromSecret = (name: string, ref: SecretKeyReference): KubeEnvVar => ({ name, valueFrom: { secretKeyRef: { name: ref.name, key: ref.key } } });
    return {
      name: 'openhands',
      image: r.image,
      ports: [{ name: 'http', containerPort: SERVER_PORT }],
      env: [
        { name: 'RUNTIME', value: 'kubernetes' },
        // The image's entrypoint sets up a Docker socket and a user as root, and refuses to run otherwise unless
        // told to skip that; the Kubernetes runtime needs neither, so the server runs as the image's own user.
        { name: 'NO_SETUP', value: 'true' },
        // The newer (V1) conversation store keeps its files under the home folder unless told otherwise: on the volume too.
        { name: 'OH_PERSISTENCE_DIR', value: SERVER_STATE_PATH },
        ...(r.llmApiKey ? [fromSecret('LLM_API_KEY', r.llmApiKey)] : []),
        ...Object.keys(r.secretEnv).sort().map(name => fromSecret(name, r.secretEnv[name])),
        ...r.env.map(e => ({ name: e.name, value: e.value })),
      ],
      volumeMounts: [
        { name: 'config', mountPath: CONFIG_PATH, subPath: 'config.toml', readOnly: true },
        { name: 'state', mountPath: SERVER_STATE_PATH },
        { name: 'tmp', mountPath: '/tmp' },
      ],
      resources: toKubeResources(r.resources),
      livenessProbe: { httpGet: { path: '/alive', port: IntOrString.fromString('http') }, initialDelaySeconds: 30, periodSeconds: 10, timeoutSeconds: 5, failureThreshold: 3 },
      readinessProbe: { httpGet: { path: '/', port: IntOrString.fromString('http') }, initialDelaySeconds: 10, periodSeconds: 5, timeoutSeconds: 5, failureThreshold: 3 },
      securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } },
    };
  }

  private renderIngress(r: Resolved): KubeIngress {
    return new KubeIngress(this, 'ingress', {
      metadata: { name: r.name, namespace: r.namespace },
      spec: {
        ingressClassName: r.ingressClassName,
        rules: [{
          host: this.host,
          http: { paths: [{ path: '/', pathType: 'Prefix', backend: { service: { name: r.name, port: { number: SERVER_PORT } } } }] },
        }],
      },
    });
  }

  private renderHttpRoute(r: Resolved, route: ResolvedHttpRoute): HttpRoute {
    return renderHttpRoute(this, 'route', {
      name: r.name, route, where: `OpenHandsServer '${this.node.id}' (${this.node.path})`, hint: '(set host)',
      subject: { namespace: r.namespace, host: this.host, backend: { name: r.name, port: SERVER_PORT } },
    });
  }
}

