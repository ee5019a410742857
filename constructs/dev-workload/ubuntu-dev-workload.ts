import { Construct } from 'constructs';
import { IntOrString, KubeDeployment, KubeService } from '../../imports/k8s';
import { ResolvedProps, propSpec, resolveProps } from '../../src/props';
import { checkResources, toKubeResources } from '../../src/resources';
import { EnvVar, Resources } from '../../src/types';
import { Problems, isPlainObject, isPortName } from '../../src/validation';

/** A Service port of the workload. */
export interface UbuntuDevPort {
  /** Port the Service listens on. */
  readonly port: number;
  /** Container port traffic goes to. @default - same as port */
  readonly targetPort?: number;
  /** @default 'TCP' */
  readonly protocol?: 'TCP' | 'UDP' | 'SCTP';
  /** Port name; required when there is more than one port. @default - unnamed */
  readonly name?: string;
}

export interface UbuntuDevWorkloadProps {
  /** Name of the Deployment and the Service, and the `app` label that ties them. @default 'ubuntu-dev' */
  readonly name?: string;
  /** Namespace of both objects. @default - unset: kubectl's current namespace, as upstream */
  readonly namespace?: string;
  /** Container image. @default 'ubuntu:22.04' */
  readonly image?: string;
  /** Container command; it must keep running, since the pod is a mirrord target. @default ['sleep', 'infinity'] */
  readonly command?: readonly string[];
  /** Deployment replicas. @default 1 */
  readonly replicas?: number;
  /** Service ports. @default [{ port: 8099, targetPort: 3000, protocol: 'TCP' }] */
  readonly ports?: readonly UbuntuDevPort[];
  /** Container environment variables. @default - none */
  readonly env?: readonly EnvVar[];
  /** Container resources. @default - none (upstream sets none) */
  readonly resources?: Resources;
}

const PROPS = propSpec<UbuntuDevWorkloadProps>()('UbuntuDevWorkload', {
  // It names the Service too, and Service names are DNS-1035 labels.
  name: { default: 'ubuntu-dev', check: (p, f, v) => p.dns1035Label(f, v) },
  namespace: { check: (p, f, v) => p.dnsLabel(f, v) },
  image: { default: 'ubuntu:22.04', check: (p, f, v) => p.image(f, v) },
  command: { default: ['sleep', 'infinity'], check: (p, f, v) => p.nonEmptyStrings(f, v) },
  replicas: { default: 1, check: (p, f, v) => p.nonNegativeInt(f, v, 1000) },
  ports: { default: [{ port: 8099, targetPort: 3000, protocol: 'TCP' }], check: checkPorts },
  env: { default: [], check: (p, f, v) => p.envVars(f, v) },
  resources: { check: (p, f, v) => checkResources(p, f, v) },
});

/** Every prop with its default applied. */
type Resolved = ResolvedProps<typeof PROPS>;

/**
 * The `ubuntu-dev` Deployment and Service that OpenHands' KIND setup runs as a mirrord target.
 *
 * Built from the raw `Kube*` bindings, not cdk8s-plus: its workload defaults (non-root, read-only root
 * filesystem, CPU requests, `imagePullPolicy: Always`, two replicas, hashed names) would stop a root
 * `sleep infinity` container from running and would not match upstream.
 */
export class UbuntuDevWorkload extends Construct {
  /** The Deployment. */
  public readonly deployment: KubeDeployment;
  /** The Service. */
  public readonly service: KubeService;
  /** The labels the Service selects the pods by. */
  public readonly selector: Readonly<Record<string, string>>;
  /** The name of both objects. */
  public readonly name: string;

  constructor(scope: Construct, id: string, props: UbuntuDevWorkloadProps = {}) {
    super(scope, id);
    const r = resolveProps(this, props, PROPS);
    this.name = r.name;
    this.selector = { app: r.name };
    this.deployment = this.renderDeployment(r);
    this.service = this.renderService(r);
  }

  private renderDeployment(r: Resolved): KubeDeployment {
    return new KubeDeployment(this, 'deployment', {
      metadata: { name: r.name, namespace: r.namespace },
      spec: {
        replicas: r.replicas,
        selector: { matchLabels: { ...this.selector } },
        template: {
          metadata: { labels: { ...this.selector } },
          spec: {
            containers: [{
              name: 'ubuntu',
              image: r.image,
              command: [...r.command],
              env: r.env.length > 0 ? r.env.map(e => ({ name: e.name, value: e.value })) : undefined,
              resources: r.resources && toKubeResources(r.resources),
            }],
          },
        },
      },
    });
  }

  private renderService(r: Resolved): KubeService {
    return new KubeService(this, 'service', {
      metadata: { name: r.name, namespace: r.namespace },
      spec: {
        selector: { ...this.selector },
        ports: r.ports.map(port => ({
          name: port.name,
          protocol: port.protocol ?? 'TCP',
          port: port.port,
          targetPort: IntOrString.fromNumber(port.targetPort ?? port.port),
        })),
      },
    });
  }
}

function checkPorts(p: Problems, field: string, ports: readonly UbuntuDevPort[]): void {
  if (!Array.isArray(ports) || ports.length === 0) {
    p.add(field, ports, 'a non-empty list of { port, targetPort, protocol, name }');
    return;
  }
  const seen = new Map<string, number>();
  const names = new Set<string>();
  ports.forEach((port, i) => {
    const f = `ports[${i}]`;
    if (!isPlainObject(port)) { p.add(f, port, 'an object { port, targetPort, protocol, name }'); return; }
    p.port(`${f}.port`, port.port);
    if (port.targetPort !== undefined) p.port(`${f}.targetPort`, port.targetPort);
    const protocol = port.protocol ?? 'TCP';
    p.oneOf(`${f}.protocol`, protocol, ['TCP', 'UDP', 'SCTP']);
    const key = `${port.port}/${protocol}`;
    if (seen.has(key)) p.add(`${f}.port`, port.port, `unique per protocol (ports[${seen.get(key)}] already uses ${key})`);
    else seen.set(key, i);
    if (port.name !== undefined) {
      if (p.check(isPortName(port.name), `${f}.name`, port.name, 'an IANA service name (at most 15 of a-z, 0-9, "-", with a letter)')) {
        if (names.has(port.name)) p.add(`${f}.name`, port.name, 'unique among port names');
        names.add(port.name);
      }
    } else if (ports.length > 1) {
      p.add(`${f}.name`, port.name, 'a name, since the Service has more than one port');
    }
  });
}
