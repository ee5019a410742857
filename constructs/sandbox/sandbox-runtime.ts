import { Construct } from 'constructs';
import {
  IntOrString, KubeIngress, KubePersistentVolumeClaim, KubePod, KubeService, Quantity, ServicePort,
} from '../../imports/k8s';
import { HttpRoute } from '../../imports/gateway-api';
import { KubernetesConfig } from '../../src/kubernetes-config';
import { CONFIG_ROW, ResolvedProps, fullConfig, isBoolean, propSpec, resolveProps } from '../../src/props';
import { EnvVar } from '../../src/types';
import { Problems, isDnsLabel, isIpv4Address } from '../../src/validation';
import { ResolvedHttpRoute, ResolvedRoute, SandboxRoute, renderHttpRoute, resolveRoute } from './sandbox-route';

/** The runtime image OpenHands 0.62 starts sandboxes from. */
export const DEFAULT_RUNTIME_IMAGE = 'docker.openhands.dev/openhands/runtime:0.62-nikolaik';

const SERVER_PORT = 8080;
const VSCODE_PORT = 8081;
const WORKSPACE = '/workspace';

/**
 * Upstream's action execution server command (`get_action_execution_server_startup_command`) as the
 * Kubernetes runtime calls it: port 8080, workspace `/workspace`, user root so VS Code can edit files.
 * `userId` is 0, what the runtime asks for; upstream actually passes 1000 (see `SandboxRuntimeProps.rootUserId`).
 */
export function actionExecutionServerCommand(vscode = true, userId = 0): string[] {
  return [
    '/openhands/micromamba/bin/micromamba', 'run', '-n', 'openhands', 'poetry', 'run',
    'python', '-u', '-m', 'openhands.runtime.action_execution_server', String(SERVER_PORT),
    '--working-dir', WORKSPACE,
    '--plugins', 'agent_skills', 'jupyter', ...(vscode ? ['vscode'] : []),
    '--username', 'root', '--user-id', String(userId),
  ];
}

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
  /**
   * Fix for an upstream defect: the runtime asks for root (`override_user_id=0`), but the startup command picks the
   * id with `override_user_id or ...`, where 0 is falsy, so with `RUNTIME_UID` unset and `run_as_openhands` on
   * (the default) the server gets `--user-id 1000` while its username is root. `true` passes `--user-id 0`;
   * `false` reproduces upstream's 1000. Only used when `command` is not given.
   * @default true
   */
  readonly rootUserId?: boolean;
  /**
   * How VS Code is reached: upstream's Ingress, or a Gateway API HTTPRoute attached to a Gateway's listener
   * (a `Traefik` of the app, or a `GatewayReference`). The HTTPRoute is checked at synth against the Gateway:
   * listener, admitted namespaces, hostname and backend.
   * @default { kind: 'Ingress' }
   */
  readonly route?: SandboxRoute;
}

/** The props that reproduce upstream's behaviour, each of its four defects left in (the defaults fix them). */
export const UPSTREAM_SANDBOX_DEFECTS = {
  exposeAppPorts: false,
  vscodeObjectsWhenDisabled: true,
  ingressClassName: false,
  rootUserId: false,
} as const satisfies Partial<SandboxRuntimeProps>;

/** The user id upstream's startup command falls through to when asked for 0. */
const UPSTREAM_FALLBACK_USER_ID = 1000;

/** The props table of SandboxRuntimeProps (SandboxFleet accepts them too, but `sid`). */
export const SANDBOX_RUNTIME_PROPS = propSpec<SandboxRuntimeProps>()('SandboxRuntime', {
  sid: {
    required: true,
    check: (p, f, v) => p.check(isDnsLabel(v) && v.length <= 32, f, v,
      'a session id of 1-32 characters of a-z, 0-9 and "-", starting and ending with a letter or digit'),
  },
  config: CONFIG_ROW,
  image: { default: DEFAULT_RUNTIME_IMAGE, check: (p, f, v) => p.image(f, v) },
  command: { check: (p, f, v) => p.nonEmptyStrings(f, v) },
  env: { default: [], check: (p, f, v) => p.envVars(f, v, RESERVED_ENV) },
  vscode: { default: true, check: isBoolean },
  appPorts: { default: [30082, 30083], check: checkAppPorts },
  exposeAppPorts: { default: true },
  vscodeObjectsWhenDisabled: { default: false },
  ingressClassName: { default: 'nginx', check: (p, f, v) => v === false || p.dnsSubdomain(f, v) },
  rootUserId: { default: true, check: isBoolean },
  route: { default: { kind: 'Ingress' } },
});

/** Environment variables the runtime sets itself. */
const RESERVED_ENV = ['port', 'PYTHONUNBUFFERED', 'VSCODE_PORT'];

/** Every prop with its default applied, and the names every object derives from the session id. */
interface Resolved {
  readonly sid: string;
  readonly config: KubernetesConfig;
  readonly image: string;
  readonly command: readonly string[];
  readonly env: readonly EnvVar[];
  readonly vscode: boolean;
  readonly appPorts: readonly number[];
  readonly exposeAppPorts: boolean;
  /** Whether the VS Code Service and Ingress are rendered. */
  readonly vscodeObjects: boolean;
  readonly ingressClassName: string | false;
  readonly route: ResolvedRoute;
  /** `openhands-runtime-<sid>`. */
  readonly P: string;
  readonly labels: Readonly<Record<string, string>>;
}

/** The config over the defaults, the command for the props, the route, and what every object is named from the sid. */
function resolve(p: Problems, v: ResolvedProps<typeof SANDBOX_RUNTIME_PROPS>): Resolved {
  const config = fullConfig(v.config);
  // `<sid>.<ingress_domain>` can spell an IP address ("1" and "2.3.4"), which the API server refuses as a host.
  if (typeof v.sid === 'string' && typeof config.ingressDomain === 'string' && isIpv4Address(`${v.sid}.${config.ingressDomain}`)) {
    p.add('sid', v.sid, `a session id that does not make "<sid>.${config.ingressDomain}" an IP address (the VS Code host must be a DNS name)`);
  }
  const route = resolveRoute(p, v.route);
  p.throwIfAny();
  return {
    ...v,
    route,
    config,
    command: v.command ?? actionExecutionServerCommand(v.vscode, v.rootUserId ? 0 : UPSTREAM_FALLBACK_USER_ID),
    vscodeObjects: v.vscode || v.vscodeObjectsWhenDisabled,
    P: `openhands-runtime-${v.sid}`,
    labels: { app: 'openhands-runtime', session: v.sid },
  };
}

/** App ports: valid, unique, and neither the server's nor VS Code's. */
function checkAppPorts(p: Problems, field: string, ports: readonly number[]): void {
  if (!Array.isArray(ports)) {
    p.add(field, ports, 'a list of ports');
    return;
  }
  p.ports(field, ports);
  ports.forEach((port, i) => {
    if (port === SERVER_PORT || port === VSCODE_PORT) p.add(`${field}[${i}]`, port, `a port other than ${SERVER_PORT} and ${VSCODE_PORT} (the server's and VS Code's)`);
  });
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
  /** `P-ingress-code`, when VS Code objects are rendered with the Ingress route. */
  public readonly ingress?: KubeIngress;
  /** `P-route-code`, when VS Code objects are rendered with the HTTPRoute route. */
  public readonly httpRoute?: HttpRoute;
  /** How VS Code is routed. */
  public readonly routeKind: SandboxRoute['kind'];
  /** Host VS Code is served at: `<sid>.<ingress_domain>`. */
  public readonly host: string;
  /** The namespace every object is in. */
  public readonly namespace: string;

  constructor(scope: Construct, id: string, props: SandboxRuntimeProps) {
    super(scope, id);
    const r = resolveProps(this, props, SANDBOX_RUNTIME_PROPS, resolve);
    this.podName = r.P;
    this.namespace = r.config.namespace;
    this.host = `${r.sid}.${r.config.ingressDomain}`;
    this.routeKind = r.route.kind;
    this.pvc = this.renderPvc(r);
    this.pod = this.renderPod(r);
    this.service = this.renderService(r);
    if (r.vscodeObjects) {
      this.vscodeService = this.renderVscodeService(r);
      if (r.route.kind === 'HTTPRoute') this.httpRoute = this.renderVscodeHttpRoute(r, r.route);
      else this.ingress = this.renderVscodeIngress(r);
    }
  }

  /** The workspace volume claim. */
  private renderPvc(r: Resolved): KubePersistentVolumeClaim {
    const { P, config } = r;
    return new KubePersistentVolumeClaim(this, 'pvc', {
      metadata: { name: `${P}-pvc`, namespace: config.namespace },
      spec: {
        accessModes: ['ReadWriteOnce'],
        resources: { requests: { storage: Quantity.fromString(config.pvcStorageSize) } },
        storageClassName: config.pvcStorageClass,
      },
    });
  }

  /** The sandbox Pod: the action execution server, VS Code and the app ports, with the workspace mounted. */
  private renderPod(r: Resolved): KubePod {
    const { P, config } = r;
    return new KubePod(this, 'pod', {
      metadata: { name: P, namespace: config.namespace, labels: { ...r.labels } },
      spec: {
        containers: [{
          name: 'runtime',
          image: r.image,
          command: [...r.command],
          env: [
            { name: 'port', value: String(SERVER_PORT) },
            { name: 'PYTHONUNBUFFERED', value: '1' },
            { name: 'VSCODE_PORT', value: String(VSCODE_PORT) },
            ...r.env.map(e => ({ name: e.name, value: e.value })),
          ],
          ports: [
            { containerPort: SERVER_PORT, name: 'http' },
            ...(r.vscode ? [{ containerPort: VSCODE_PORT, name: 'vscode' }] : []),
            ...r.appPorts.map(port => ({ containerPort: port })),
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
  }

  /** `P-svc`: the execution server and, with the fix on, the app ports. */
  private renderService(r: Resolved): KubeService {
    const ports: ServicePort[] = [{ port: SERVER_PORT, targetPort: IntOrString.fromString('http'), name: 'execution-server' }];
    if (r.exposeAppPorts) {
      for (const port of r.appPorts) ports.push({ port, targetPort: IntOrString.fromNumber(port), name: `app-${port}` });
    }
    return new KubeService(this, 'service', {
      metadata: { name: `${r.P}-svc`, namespace: r.config.namespace },
      spec: { selector: { ...r.labels }, type: 'ClusterIP', ports },
    });
  }

  private renderVscodeService(r: Resolved): KubeService {
    return new KubeService(this, 'vscode-service', {
      metadata: { name: `${r.P}-svc-code`, namespace: r.config.namespace },
      spec: { selector: { ...r.labels }, type: 'ClusterIP', ports: [{ port: VSCODE_PORT, targetPort: IntOrString.fromString('vscode'), name: 'code' }] },
    });
  }

  /** `P-ingress-code`: VS Code at `<sid>.<ingress_domain>`. */
  private renderVscodeIngress(r: Resolved): KubeIngress {
    return new KubeIngress(this, 'vscode-ingress', {
      metadata: {
        name: `${r.P}-ingress-code`,
        namespace: r.config.namespace,
        annotations: { 'external-dns.alpha.kubernetes.io/hostname': this.host },
      },
      spec: {
        ingressClassName: r.ingressClassName === false ? undefined : r.ingressClassName,
        rules: [{
          host: this.host,
          http: {
            paths: [{
              path: '/',
              pathType: 'Prefix',
              backend: { service: { name: `${r.P}-svc-code`, port: { number: VSCODE_PORT } } },
            }],
          },
        }],
        tls: r.config.ingressTlsSecret ? [{ hosts: [this.host], secretName: r.config.ingressTlsSecret }] : undefined,
      },
    });
  }

  /** `P-route-code`: VS Code at `<sid>.<ingress_domain>` through a Gateway listener, checked against the app at synth. */
  private renderVscodeHttpRoute(r: Resolved, route: ResolvedHttpRoute): HttpRoute {
    return renderHttpRoute(this, 'vscode-route', {
      name: `${r.P}-route-code`, route, where: `SandboxRuntime '${this.node.id}' (${this.node.path})`,
      subject: { namespace: r.config.namespace, host: this.host, backend: { name: `${r.P}-svc-code`, port: VSCODE_PORT } },
    });
  }
}
