import { isIP } from 'net';
import { Construct, IConstruct } from 'constructs';
import { stringifyManifests } from '../../src/fast-yaml';
import { HostTraffic } from '../../src/host-traffic';
import { ResolvedProps, propSpec, resolveProps } from '../../src/props';
import { Toleration } from '../../src/types';
import { Problems, isDnsLabel, isPlainObject, show } from '../../src/validation';

/** A controller construct that says how host traffic reaches it (`IngressNginx`, `Traefik`). */
export interface HostTrafficController extends IConstruct {
  readonly hostTraffic: HostTraffic;
}

/** A KIND `extraPortMappings` entry: host port → port on the node container. */
export interface KindPortMapping {
  /** Port on the node (what a hostPort pod binds). */
  readonly containerPort: number;
  /** Port on the machine running KIND. */
  readonly hostPort: number;
  /** Host address to listen on. @default - KIND's default, all addresses */
  readonly listenAddress?: string;
  /** @default - KIND's default, TCP */
  readonly protocol?: 'TCP' | 'UDP' | 'SCTP';
}

/** One KIND node. */
export interface KindNode {
  readonly role: 'control-plane' | 'worker';
  /** Node labels KIND applies. @default - none */
  readonly labels?: Readonly<Record<string, string>>;
  /** Ports published from the host to this node. @default - none */
  readonly extraPortMappings?: readonly KindPortMapping[];
}

export interface KindClusterProps {
  /** Cluster name (`kind create cluster --name`); kubectl's context is `kind-<name>`. @default 'local-hands' */
  readonly name?: string;
  /**
   * The nodes. @default - one control-plane node mapping host port 80 to node port 80, as upstream's `kind/cluster.yaml`
   */
  readonly nodes?: readonly KindNode[];
  /** Worker nodes appended after `nodes`. @default 0 */
  readonly workers?: number;
  /**
   * The ingress or gateway controller to cross-check (any construct with `hostTraffic`, e.g. `IngressNginx` or
   * `Traefik`). Each of its ports must be reachable from the host: a node port mapped on some node (kube-proxy opens
   * it on every node), or else a host port mapped on every node the controller can schedule on. Its node selector
   * must be carried by some node.
   * @default - no cross-check
   */
  readonly ingress?: HostTrafficController;
  /**
   * Controller host ports KIND may leave unmapped (bound on the node, unreachable from the host).
   * Upstream maps only 80 while the controller binds 80 and 443; the default app lists 443 here to stay faithful.
   * @default - none: every host port must be mapped
   */
  readonly unmappedHostPortsAllowed?: readonly number[];
  /** File name under the kind folder (`kind/`). @default 'cluster.yaml' */
  readonly fileName?: string;
}

const PROPS = propSpec<KindClusterProps>()('KindCluster', {
  // kind itself refuses names longer than 50 ("cluster name cannot be longer than 50 characters").
  name: { default: 'local-hands', check: (p, f, v) => p.check(isDnsLabel(v) && v.length <= 50, f, v, 'a cluster name of a-z, 0-9 and "-" (at most 50, as kind allows), starting and ending with a letter or digit') },
  nodes: { default: [{ role: 'control-plane', extraPortMappings: [{ containerPort: 80, hostPort: 80 }] }] },
  workers: { default: 0, check: (p, f, v) => p.nonNegativeInt(f, v, 100) },
  ingress: {},
  unmappedHostPortsAllowed: { default: [] },
  fileName: { default: 'cluster.yaml', check: (p, f, v) => p.check(typeof v === 'string' && /^[A-Za-z0-9][-A-Za-z0-9_.]*\.ya?ml$/.test(v), f, v, 'a plain file name ending in .yaml or .yml') },
});

/** Props with defaults applied, `nodes` including the workers. */
interface Resolved {
  readonly name: string;
  readonly nodes: readonly KindNode[];
  readonly fileName: string;
}

/** The nodes with the workers appended, checked together, then the cross-check against the controller. */
function resolve(p: Problems, v: ResolvedProps<typeof PROPS>): Resolved {
  const { name, workers, fileName, nodes: given, ingress, unmappedHostPortsAllowed } = v;
  const nodes: KindNode[] = Array.isArray(given) ? [...given] : [];
  if (!Array.isArray(given)) p.add('nodes', given, 'a list of nodes');
  if (Number.isInteger(workers)) for (let i = 0; i < workers; i++) nodes.push({ role: 'worker' });
  if (!nodes.some(n => isPlainObject(n) && n.role === 'control-plane')) p.add('nodes', given, 'a list with at least one control-plane node');
  checkNodes(p, nodes);
  p.throwIfAny();
  // The cross-check reads the nodes, so it runs once they are known to be well-formed.
  if (ingress) checkIngress(p, ingress, name, nodes, unmappedHostPortsAllowed);
  return { name, nodes, fileName };
}

/** The addresses kind reads as "every address": none given, 0.0.0.0, or ::. */
function wildcard(address: unknown): boolean {
  return address === undefined || address === '0.0.0.0' || (typeof address === 'string' && isIP(address) === 6 && /^[0:]+$/.test(address));
}

/**
 * Each node's role, labels and port mappings; no host address, port and protocol mapped twice, as kind's own
 * validation has it: `::` is the same wildcard as `0.0.0.0`, and a wildcard takes the port on every address.
 */
function checkNodes(p: Problems, nodes: readonly KindNode[]): void {
  const mapped = new Map<string, { readonly at: string; readonly address: string }[]>();
  nodes.forEach((node, i) => {
    const f = `nodes[${i}]`;
    if (!isPlainObject(node)) { p.add(f, node, 'a node { role, labels, extraPortMappings }'); return; }
    p.oneOf(`${f}.role`, node.role, ['control-plane', 'worker']);
    if (node.labels !== undefined) p.labels(`${f}.labels`, node.labels);
    const maps = node.extraPortMappings ?? [];
    if (!Array.isArray(maps)) { p.add(`${f}.extraPortMappings`, maps, 'a list of port mappings'); return; }
    maps.forEach((m, j) => {
      const g = `${f}.extraPortMappings[${j}]`;
      if (!isPlainObject(m)) { p.add(g, m, 'a mapping { containerPort, hostPort, listenAddress, protocol }'); return; }
      p.port(`${g}.containerPort`, m.containerPort);
      p.port(`${g}.hostPort`, m.hostPort);
      if (m.protocol !== undefined) p.oneOf(`${g}.protocol`, m.protocol, ['TCP', 'UDP', 'SCTP']);
      if (m.listenAddress !== undefined) {
        p.check(typeof m.listenAddress === 'string' && isIP(m.listenAddress) !== 0, `${g}.listenAddress`, m.listenAddress, 'an IPv4 or IPv6 address such as "127.0.0.1" or "::1"');
      }
      const address = wildcard(m.listenAddress) ? '0.0.0.0' : String(m.listenAddress);
      const portProtocol = `${m.hostPort}/${m.protocol ?? 'TCP'}`;
      const taken = mapped.get(portProtocol) ?? [];
      const clash = taken.find(t => t.address === address || t.address === '0.0.0.0' || address === '0.0.0.0');
      if (clash) p.add(`${g}.hostPort`, m.hostPort, `mapped once per address (${clash.at} already maps host ${clash.address}:${portProtocol}, and 0.0.0.0 or :: takes every address)`);
      mapped.set(portProtocol, [...taken, { at: g, address }]);
    });
  });
}

/**
 * Labels KIND's nodes carry (kubeadm and the kubelet set them): the OS, the host's architecture (nodes
 * are containers on it), the hostname KIND gives (`<cluster>-control-plane`, `<cluster>-worker2`, ...)
 * and the control-plane role.
 */
function builtInLabels(cluster: string, nodes: readonly KindNode[], index: number): Record<string, string> {
  const node = nodes[index];
  const role = node.role === 'control-plane' ? 'control-plane' : 'worker';
  const nth = nodes.slice(0, index + 1).filter(n => n.role === node.role).length;
  return {
    'kubernetes.io/os': 'linux',
    'kubernetes.io/arch': process.arch === 'x64' ? 'amd64' : process.arch,
    'kubernetes.io/hostname': `${cluster}-${role}${nth > 1 ? nth : ''}`,
    ...(node.role === 'control-plane' ? { 'node-role.kubernetes.io/control-plane': '' } : {}),
  };
}

function tolerates(tolerations: readonly Toleration[], taint: { key: string; effect: string }): boolean {
  return tolerations.some(t => (t.key === undefined || t.key === '' ? t.operator === 'Exists' : t.key === taint.key)
    && (t.effect === undefined || t.effect === taint.effect)
    && (t.operator === 'Exists' || (t.value ?? '') === ''));
}

/**
 * A KIND cluster config (`kind.x-k8s.io/v1alpha4` `Cluster`), written by the synth to `kind/<fileName>`.
 * Not a Kubernetes object: cdk8s ignores it, and `synthToDir` writes it beside `dist/`.
 */
export class KindCluster extends Construct {
  /** Cluster name. */
  public readonly name: string;
  /** kubectl context KIND creates: `kind-<name>`. */
  public readonly context: string;
  /** All nodes, workers included. */
  public readonly nodes: readonly KindNode[];
  /** File name under `kind/`. */
  public readonly fileName: string;

  constructor(scope: Construct, id: string, props: KindClusterProps = {}) {
    super(scope, id);
    const r = resolveProps(this, props, PROPS, resolve);
    this.name = r.name;
    this.context = `kind-${r.name}`;
    this.nodes = r.nodes;
    this.fileName = r.fileName;
  }

  /** The config as KIND reads it. */
  public toJson(): Record<string, unknown> {
    return {
      kind: 'Cluster',
      apiVersion: 'kind.x-k8s.io/v1alpha4',
      name: this.name,
      nodes: this.nodes.map(n => ({
        role: n.role,
        ...(n.labels && Object.keys(n.labels).length > 0 ? { labels: { ...n.labels } } : {}),
        ...(n.extraPortMappings && n.extraPortMappings.length > 0 ? {
          extraPortMappings: n.extraPortMappings.map(m => ({
            containerPort: m.containerPort,
            hostPort: m.hostPort,
            ...(m.listenAddress !== undefined ? { listenAddress: m.listenAddress } : {}),
            ...(m.protocol !== undefined ? { protocol: m.protocol } : {}),
          })),
        } : {}),
      })),
    };
  }

  /** The config file's text: what cdk8s's `Yaml.stringify` writes, by the faster writer the manifests use. */
  public toYaml(): string {
    return `# Generated by local-hands (npm run synth) from ${this.node.path}; do not edit.\n---\n${stringifyManifests([this.toJson()])}`;
  }
}

/** Each port reaches the controller from the host (node port mapped somewhere, or host port on every node it can run on); its node selector exists. */
function checkIngress(p: Problems, ingress: HostTrafficController, cluster: string, nodes: readonly KindNode[], allowed: readonly number[]): void {
  const { pods, hostPorts, nodePorts } = ingress.hostTraffic;
  const where = `the ingress controller (${ingress.node.path})`;
  const schedulable = schedulableNodes(p, pods, where, cluster, nodes);
  if (!schedulable) return;
  const mapped = (n: KindNode, port: number) => (n.extraPortMappings ?? []).some(m => m.containerPort === port && (m.protocol ?? 'TCP') === 'TCP');
  const viaNodePort = new Set(Object.entries(nodePorts).filter(([, port]) => nodes.some(n => mapped(n, port))).map(([name]) => name));
  for (const [name, port] of Object.entries(nodePorts)) {
    if (!viaNodePort.has(name) && hostPorts[name] === undefined) {
      p.addRaw(`ingress nodePorts.${name} (${port}) of ${where} is mapped on no node: add extraPortMappings { containerPort: ${port}, hostPort: <host port> } to any node (kube-proxy opens node ports on every node)`);
    }
  }
  // Two pods cannot bind the same host port on one node: each replica needs a node of its own.
  if (Object.keys(hostPorts).length > 0 && pods.replicas > schedulable.length) {
    p.addRaw(`${where} has ${pods.replicas} replicas binding host ports, but only ${schedulable.length} node(s) can host them: `
      + 'lower replicas, add nodes the controller can schedule on, or set hostPorts: false');
  }
  const ports = Object.entries(hostPorts).filter(([name, port]) => port !== undefined && !allowed.includes(port) && !viaNodePort.has(name));
  for (const { n, i } of schedulable) {
    for (const [which, port] of ports) {
      if (!mapped(n, port)) {
        p.addRaw(`ingress hostPorts.${which} (${port}) of ${where} is not mapped on nodes[${i}] (${n.role}), where the controller can schedule: `
          + (n.extraPortMappings?.length
            ? `add extraPortMappings { containerPort: ${port}, hostPort: ${port} } to it`
            : 'label the node that has the port mappings (e.g. ingress-ready: "true") and put that label in the controller\'s nodeSelector'));
      }
    }
  }
}

/** The nodes the controller's pods can land on; reports a node selector no node carries. Undefined when none. */
function schedulableNodes(p: Problems, pods: HostTraffic['pods'], where: string, cluster: string, nodes: readonly KindNode[]): { n: KindNode; i: number }[] | undefined {
  const selector = pods.nodeSelector;
  // KIND taints control-plane nodes only when the cluster has workers.
  const hasWorkers = nodes.some(n => n.role === 'worker');
  const labelsOf = (n: KindNode) => ({ ...builtInLabels(cluster, nodes, nodes.indexOf(n)), ...(n.labels ?? {}) });
  for (const [k, v] of Object.entries(selector)) {
    if (!nodes.some(n => labelsOf(n)[k] === v)) {
      p.addRaw(`ingress nodeSelector ${k}=${show(v)} of ${where} is carried by no node: add labels: { ${show(k)}: ${show(v)} } to the node with the port mappings, or drop it from the controller's nodeSelector`);
    }
  }
  const schedulable = nodes.map((n, i) => ({ n, i })).filter(({ n }) => {
    const labels = labelsOf(n);
    if (!Object.entries(selector).every(([k, v]) => labels[k] === v)) return false;
    if (n.role === 'control-plane' && hasWorkers) return tolerates(pods.tolerations, { key: 'node-role.kubernetes.io/control-plane', effect: 'NoSchedule' });
    return true;
  });
  if (schedulable.length === 0) {
    p.addRaw(`${where} can schedule on no node: its nodeSelector ${show(selector)} and tolerations match none`);
    return undefined;
  }
  return schedulable;
}
