import { Construct } from 'constructs';
import {
  IntOrString, KubeIngress, KubePersistentVolumeClaim, KubePod, KubeService, Quantity, ServicePort,
} from '../imports/k8s';
import { DEFAULT_KUBERNETES_CONFIG, KubernetesConfig, checkKubernetesConfig } from '../src/kubernetes-config';
import { EnvVar } from '../src/types';
import { Problems, isDnsLabel, isPlainObject } from '../src/validation';

/** The runtime image OpenHands 0.62 starts sandboxes from. */
export const DEFAULT_RUNTIME_IMAGE = 'docker.openhands.dev/openhands/runtime:0.62-nikolaik';

const SERVER_PORT = 8080;
const VSCODE_PORT = 8081;
const WORKSPACE = '/workspace';
const DEFAULT_APP_PORTS: readonly number[] = [30082, 30083];

/**
 * Upstream's action execution server command (`get_action_execution_server_startup_command`) as the
 * Kubernetes runtime calls it: port 8080, workspace `/workspace`, user root (id 0) so VS Code can edit files.
 */
export function actionExecutionServerCommand(vscode = true): string[] {
  return [
    '/openhands/micromamba/bin/micromamba', 'run', '-n', 'openhands', 'poetry', 'run',
    'python', '-u', '-m', 'openhands.runtime.action_execution_server', String(SERVER_PORT),
    '--working-dir', WORKSPACE,
    '--plugins', 'agent_skills', 'jupyter', ...(vscode ? ['vscode'] : []),
    '--username', 'root', '--user-id', '0',
  ];
}

/** The prop names of SandboxRuntimeProps (SandboxFleet accepts them too). */
export const SANDBOX_RUNTIME_PROPS: readonly string[] = ['sid', 'config', 'image', 'command', 'env', 'vscode', 'appPorts',
  'exposeAppPorts', 'vscodeObjectsWhenDisabled', 'ingressClassName'];

export interface SandboxRuntimeProps {
  /** Session (conversation) id: non-empty, at most 32 characters of a-z, 0-9 and "-" (it becomes part of DNS names). */
  readonly sid: string;
  /**
   * The `[kubernetes]` config, e.g. from `loadKubernetesConfig`; fields given override the defaults.
   * @default - DEFAULT_KUBERNETES_CONFIG
   */
  readonly config?: Partial<KubernetesConfig>;
  /** Runtime image. @default DEFAULT_RUNTIME_IMAGE */
  readonly image?: string;
  /** Container command. @default - actionExecutionServerCommand(vscode) */
  readonly command?: readonly string[];
  /** Extra environment variables, after `port`, `PYTHONUNBUFFERED` and `VSCODE_PORT`. @default - none */
  readonly env?: readonly EnvVar[];
  /** Run VS Code in the sandbox (container port 8081, `vscode` plugin). @default true */
  readonly vscode?: boolean;
  /** Ports the agent prefers when it exposes an application. @default [30082, 30083] */
  readonly appPorts?: readonly number[];
  /**
   * Fix for an upstream defect: upstream hands clients `P-svc:<app port>` URLs but its Service only has 8080.
   * `true` adds each app port to `P-svc`; `false` reproduces upstream.
   * @default true
   */
  readonly exposeAppPorts?: boolean;
  /**
   * Fix for an upstream defect: upstream creates the VS Code Service and Ingress even with VS Code off,
   * pointing at a port nothing listens on. `false` omits them when `vscode` is off; `true` reproduces upstream.
   * @default false
   */
  readonly vscodeObjectsWhenDisabled?: boolean;
  /**
   * Fix for an upstream defect: upstream's Ingress names no class and only works with
   * `--watch-ingress-without-class`. Set the class (e.g. `ingress.ingressClassName`); `false` reproduces upstream.
   * @default 'nginx' (the IngressNginx default class)
   */
  readonly ingressClassName?: string | false;
}

/**
 * The objects OpenHands' Kubernetes runtime creates for one conversation: the workspace PVC, the
 * sandbox Pod, the execution-server and VS Code Services and the VS Code Ingress, shaped by the
 * `[kubernetes]` config as upstream's `KubernetesRuntime` shapes them (with its three defects fixed by default).
 */
export class SandboxRuntime extends Construct {
  /** `openhands-runtime-<sid>`: the Pod's name and the prefix of every other name. */
  public readonly podName: string;
  public readonly pod: KubePod;
  public readonly pvc: KubePersistentVolumeClaim;
  /** `P-svc`, the execution server (and app ports). */
  public readonly service: KubeService;
  /** `P-svc-code`, when VS Code objects are rendered. */
  public readonly vscodeService?: KubeService;
  /** `P-ingress-code`, when VS Code objects are rendered. */
  public readonly ingress?: KubeIngress;
  /** Host VS Code is served at: `<sid>.<ingress_domain>`. */
  public readonly host: string;
  /** The namespace every object is in. */
  public readonly namespace: string;

  constructor(scope: Construct, id: string, props: SandboxRuntimeProps) {
    super(scope, id);
    const p = Problems.of(this, 'SandboxRuntime');
    if (!isPlainObject(props)) {
      p.add('props', props, 'an object with at least { sid }');
      p.throwIfAny();
    }
    p.knownProps('SandboxRuntime', props, SANDBOX_RUNTIME_PROPS);
    const config: KubernetesConfig = { ...DEFAULT_KUBERNETES_CONFIG, ...(isPlainObject(props.config) ? props.config : {}) };
    const vscode = props.vscode ?? true;
    const image = props.image ?? DEFAULT_RUNTIME_IMAGE;
    const command = props.command ?? actionExecutionServerCommand(vscode);
    const env = props.env ?? [];
    const appPorts = props.appPorts ?? DEFAULT_APP_PORTS;
    const exposeAppPorts = props.exposeAppPorts ?? true;
    const vscodeObjects = vscode || (props.vscodeObjectsWhenDisabled ?? false);
    const ingressClassName = props.ingressClassName ?? 'nginx';

    p.check(isDnsLabel(props.sid) && props.sid.length <= 32, 'sid', props.sid,
      'a session id of 1-32 characters of a-z, 0-9 and "-", starting and ending with a letter or digit');
    if (props.config !== undefined && !isPlainObject(props.config)) p.add('config', props.config, 'a KubernetesConfig (see loadKubernetesConfig)');
    else checkKubernetesConfig(p, 'config', config);
    p.image('image', image);
    p.nonEmptyStrings('command', command);
    p.check(typeof vscode === 'boolean', 'vscode', vscode, 'true or false');
    if (!Array.isArray(appPorts)) p.add('appPorts', appPorts, 'a list of ports');
    else {
      p.ports('appPorts', appPorts);
      appPorts.forEach((port, i) => {
        if (port === SERVER_PORT || port === VSCODE_PORT) p.add(`appPorts[${i}]`, port, `a port other than ${SERVER_PORT} and ${VSCODE_PORT} (the server's and VS Code's)`);
      });
    }
    const reserved = ['port', 'PYTHONUNBUFFERED', 'VSCODE_PORT'];
    if (!Array.isArray(env)) p.add('env', env, 'a list of { name, value }');
    else {
      env.forEach((e, i) => {
        if (!isPlainObject(e)) { p.add(`env[${i}]`, e, 'an object { name, value }'); return; }
        if (p.envName(`env[${i}].name`, e.name) && reserved.includes(e.name)) p.add(`env[${i}].name`, e.name, `a name other than ${reserved.join(', ')} (set by the runtime)`);
        p.check(typeof e.value === 'string', `env[${i}].value`, e.value, 'a string');
      });
    }
    if (ingressClassName !== false) p.dnsSubdomain('ingressClassName', ingressClassName);
    p.throwIfAny();

    const sid = props.sid;
    const ns = config.namespace;
    const P = `openhands-runtime-${sid}`;
    const labels = { app: 'openhands-runtime', session: sid };
    this.podName = P;
    this.namespace = ns;
    this.host = `${sid}.${config.ingressDomain}`;

    this.pvc = new KubePersistentVolumeClaim(this, 'pvc', {
      metadata: { name: `${P}-pvc`, namespace: ns },
      spec: {
        accessModes: ['ReadWriteOnce'],
        resources: { requests: { storage: Quantity.fromString(config.pvcStorageSize) } },
        storageClassName: config.pvcStorageClass,
      },
    });

    this.pod = new KubePod(this, 'pod', {
      metadata: { name: P, namespace: ns, labels },
      spec: {
        containers: [{
          name: 'runtime',
          image,
          command: [...command],
          env: [
            { name: 'port', value: String(SERVER_PORT) },
            { name: 'PYTHONUNBUFFERED', value: '1' },
            { name: 'VSCODE_PORT', value: String(VSCODE_PORT) },
            ...env.map(e => ({ name: e.name, value: e.value })),
          ],
          ports: [
            { containerPort: SERVER_PORT, name: 'http' },
            ...(vscode ? [{ containerPort: VSCODE_PORT, name: 'vscode' }] : []),
            ...appPorts.map(port => ({ containerPort: port })),
          ],
          volumeMounts: [{ name: 'workspace-volume', mountPath: WORKSPACE }],
          workingDir: '/openhands/code/',
          resources: {
            limits: { memory: Quantity.fromString(config.resourceMemoryLimit) },
            requests: { cpu: Quantity.fromString(config.resourceCpuRequest), memory: Quantity.fromString(config.resourceMemoryRequest) },
          },
          readinessProbe: {
            httpGet: { path: '/alive', port: IntOrString.fromNumber(SERVER_PORT) },
            initialDelaySeconds: 5,
            periodSeconds: 10,
            timeoutSeconds: 5,
            successThreshold: 1,
            failureThreshold: 3,
          },
          securityContext: { privileged: config.privileged },
        }],
        volumes: [{ name: 'workspace-volume', persistentVolumeClaim: { claimName: `${P}-pvc` } }],
        restartPolicy: 'Never',
        imagePullSecrets: config.imagePullSecret ? [{ name: config.imagePullSecret }] : undefined,
        nodeSelector: config.nodeSelector ? { [config.nodeSelector.key]: config.nodeSelector.value } : undefined,
        tolerations: config.tolerations?.map(t => ({ ...t })),
      },
    });

    const servicePorts: ServicePort[] = [{ port: SERVER_PORT, targetPort: IntOrString.fromString('http'), name: 'execution-server' }];
    if (exposeAppPorts) {
      for (const port of appPorts) servicePorts.push({ port, targetPort: IntOrString.fromNumber(port), name: `app-${port}` });
    }
    this.service = new KubeService(this, 'service', {
      metadata: { name: `${P}-svc`, namespace: ns },
      spec: { selector: labels, type: 'ClusterIP', ports: servicePorts },
    });

    if (vscodeObjects) {
      this.vscodeService = new KubeService(this, 'vscode-service', {
        metadata: { name: `${P}-svc-code`, namespace: ns },
        spec: { selector: labels, type: 'ClusterIP', ports: [{ port: VSCODE_PORT, targetPort: IntOrString.fromString('vscode'), name: 'code' }] },
      });
      this.ingress = new KubeIngress(this, 'vscode-ingress', {
        metadata: {
          name: `${P}-ingress-code`,
          namespace: ns,
          annotations: { 'external-dns.alpha.kubernetes.io/hostname': this.host },
        },
        spec: {
          ingressClassName: ingressClassName === false ? undefined : ingressClassName,
          rules: [{
            host: this.host,
            http: {
              paths: [{
                path: '/',
                pathType: 'Prefix',
                backend: { service: { name: `${P}-svc-code`, port: { number: VSCODE_PORT } } },
              }],
            },
          }],
          tls: config.ingressTlsSecret ? [{ hosts: [this.host], secretName: config.ingressTlsSecret }] : undefined,
        },
      });
    }
  }
}
