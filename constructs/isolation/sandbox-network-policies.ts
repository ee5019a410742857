import { Construct } from 'constructs';
import { IntOrString, KubeNetworkPolicy, NetworkPolicyPeer, NetworkPolicyPort, NetworkPolicySpec } from '../../imports/k8s';
import { Cidr, cidrContains, cidrProblem, formatCidr, parseCidr } from '../../src/cidr';
import { KubernetesConfig } from '../../src/kubernetes-config';
import { CONFIG_ROW, ResolvedProps, fullConfig, propSpec, resolveProps } from '../../src/props';
import { Problems, isPlainObject } from '../../src/validation';
import { SERVER_NAMESPACE } from './openhands-service-account';
import { sandboxPodSelector, sandboxPorts } from '../sandbox/sandbox-probe';

/** Some Pods in one namespace. */
export interface PodPeer {
  /** The namespace the Pods are in. */
  readonly namespace: string;
  /** Labels the Pods carry. @default - every Pod in the namespace */
  readonly podSelector?: Readonly<Record<string, string>>;
}

/**
 * Ranges a sandbox must not reach: RFC 1918, carrier-grade NAT (where some clusters put pods or nodes),
 * link-local (cloud metadata endpoints), and their IPv6 counterparts (unique local, link-local).
 */
export const PRIVATE_CIDRS: readonly string[] = [
  '10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', '100.64.0.0/10', '169.254.0.0/16', 'fc00::/7', 'fe80::/10',
];

export interface SandboxNetworkPoliciesProps {
  /** The `[kubernetes]` config: the policies go into `config.namespace`. @default - DEFAULT_KUBERNETES_CONFIG */
  readonly config?: Partial<KubernetesConfig>;
  /** Namespace of the ingress or gateway controller that serves VS Code. @default 'ingress-nginx' */
  readonly controllerNamespace?: string;
  /** App ports the controller may reach as well, when a route exposes them. @default - none */
  readonly appPorts?: readonly number[];
  /** The OpenHands server Pods, which call the action server. @default - Pods labelled `app: openhands` in SERVER_NAMESPACE */
  readonly server?: PodPeer;
  /** The cluster DNS Pods. @default - Pods labelled `k8s-app: kube-dns` in `kube-system` */
  readonly dns?: PodPeer;
  /** Ranges sandboxes may not reach, however they are routed. @default - PRIVATE_CIDRS */
  readonly privateCidrs?: readonly string[];
  /** The cluster's Service and Pod ranges, refused too when they lie outside `privateCidrs`. @default - none */
  readonly clusterCidrs?: readonly string[];
  /** Prefix of the policies' names. @default 'openhands-sandbox' */
  readonly namePrefix?: string;
}

const PROPS = propSpec<SandboxNetworkPoliciesProps>()('SandboxNetworkPolicies', {
  config: CONFIG_ROW,
  controllerNamespace: { default: 'ingress-nginx', check: (p, f, v) => p.dnsLabel(f, v) },
  appPorts: { default: [], check: checkAppPorts },
  server: { default: { namespace: SERVER_NAMESPACE, podSelector: { app: 'openhands' } }, check: checkPeer },
  dns: { default: { namespace: 'kube-system', podSelector: { 'k8s-app': 'kube-dns' } }, check: checkPeer },
  privateCidrs: { default: PRIVATE_CIDRS, check: checkCidrs },
  clusterCidrs: { default: [], check: checkCidrs },
  // The policy names add a suffix of at most 26 characters and must stay DNS subdomains.
  namePrefix: { default: 'openhands-sandbox', check: (p, f, v) => p.dnsSubdomain(f, v) && p.check(v.length <= 200, f, v, 'at most 200 characters') },
});
const INTERNET: Readonly<Record<4 | 6, string>> = { 4: '0.0.0.0/0', 6: '::/0' };

interface Resolved {
  readonly namespace: string;
  readonly controllerNamespace: string;
  readonly appPorts: readonly number[];
  readonly server: PodPeer;
  readonly dns: PodPeer;
  /** The ranges to refuse, deduplicated, by family. */
  readonly blocked: Readonly<Record<4 | 6, readonly string[]>>;
  readonly namePrefix: string;
}

/** The namespace from the config, and the ranges to refuse by family. */
function resolve(p: Problems, v: ResolvedProps<typeof PROPS>): Resolved {
  p.throwIfAny();
  const { controllerNamespace, appPorts, server, dns, namePrefix } = v;
  const cidrs = [...v.privateCidrs, ...v.clusterCidrs].map(c => parseCidr(c)!);
  return { namespace: fullConfig(v.config).namespace, controllerNamespace, appPorts, server, dns, namePrefix, blocked: blockedByFamily(cidrs) };
}

function checkAppPorts(p: Problems, field: string, appPorts: readonly number[]): void {
  if (!Array.isArray(appPorts)) p.add(field, appPorts, 'a list of ports');
  else if (p.ports(field, appPorts)) {
    // 8080 here would open the action server, which runs any command, to the controller's namespace.
    const { server, vscode } = sandboxPorts();
    appPorts.forEach((port, i) => {
      if (port === server || port === vscode) p.add(`${field}[${i}]`, port, `a port other than ${server} and ${vscode} (the action server's and VS Code's)`);
    });
  }
}

function checkPeer(p: Problems, field: string, peer: unknown): void {
  if (!isPlainObject(peer)) {
    p.add(field, peer, 'an object { namespace, podSelector }');
    return;
  }
  for (const k of Object.keys(peer)) if (k !== 'namespace' && k !== 'podSelector') p.add(`${field}.${k}`, peer[k], 'absent (a peer has namespace and podSelector)');
  p.dnsLabel(`${field}.namespace`, peer.namespace);
  if (peer.podSelector !== undefined) p.labels(`${field}.podSelector`, peer.podSelector);
}

function checkCidrs(p: Problems, field: string, cidrs: readonly string[]): void {
  if (!Array.isArray(cidrs)) {
    p.add(field, cidrs, 'a list of CIDRs such as "10.0.0.0/8" or "fc00::/7"');
    return;
  }
  cidrs.forEach((c, i) => {
    const why = cidrProblem(c);
    if (why !== undefined) p.add(`${field}[${i}]`, c, `an IPv4 or IPv6 CIDR in canonical form such as "10.0.0.0/8" or "fc00::/7" (${why})`);
    // An except must be a strict subset of the internet block it cuts out of.
    else if (parseCidr(c)!.prefix === 0) p.add(`${field}[${i}]`, c, 'a CIDR with a prefix longer than 0 (it would block the whole internet)');
  });
}

function blockedByFamily(cidrs: readonly Cidr[]): Record<4 | 6, string[]> {
  const out: Record<4 | 6, string[]> = { 4: [], 6: [] };
  const kept: Cidr[] = [];
  for (const c of cidrs) {
    // A range inside one already refused (KIND's 10.96.0.0/12 inside 10.0.0.0/8) adds nothing.
    if (kept.some(k => cidrContains(k, c))) continue;
    kept.push(c);
    out[c.family].push(formatCidr(c));
  }
  return out;
}

/**
 * NetworkPolicies for sandbox Pods, which run untrusted code: nothing reaches them but the ingress or
 * gateway controller (VS Code, and app ports when exposed) and the OpenHands server (the action server),
 * and they reach nothing but cluster DNS and the internet outside `privateCidrs` and `clusterCidrs`, so
 * not each other, not the API server, not node or cloud metadata addresses.
 *
 * Policies only take effect where the CNI enforces them (Calico, Cilium; KIND's default kindnet does
 * since v0.24). The kubelet's probes come from the node and most CNIs let them through.
 */
export class SandboxNetworkPolicies extends Construct {
  /**
   * Selects every Pod of the namespace (`podSelector: {}`, sandboxes or not) and allows nothing: the base the other
   * policies open holes in, so a Pod that is not a sandbox is shut too.
   */
  public readonly denyAll: KubeNetworkPolicy;
  public readonly allowController: KubeNetworkPolicy;
  public readonly allowServer: KubeNetworkPolicy;
  public readonly allowDns: KubeNetworkPolicy;
  public readonly allowInternet: KubeNetworkPolicy;
  /** The labels the policies select sandbox Pods by, as SandboxRuntime sets them. */
  public readonly podSelector: Readonly<Record<string, string>>;

  constructor(scope: Construct, id: string, props: SandboxNetworkPoliciesProps = {}) {
    super(scope, id);
    const r = resolveProps(this, props, PROPS, resolve);
    this.podSelector = sandboxPodSelector();
    const ports = sandboxPorts();
    const policy = (suffix: string, spec: Omit<NetworkPolicySpec, 'podSelector'>, podSelector: NetworkPolicySpec['podSelector'] = { matchLabels: { ...this.podSelector } }) =>
      new KubeNetworkPolicy(this, suffix, {
        metadata: { name: `${r.namePrefix}-${suffix}`, namespace: r.namespace },
        spec: { podSelector, ...spec },
      });
    this.denyAll = policy('deny-all', { policyTypes: ['Ingress', 'Egress'] }, {});
    this.allowController = policy('allow-controller', {
      policyTypes: ['Ingress'],
      ingress: [{ from: [peer({ namespace: r.controllerNamespace })], ports: tcp([ports.vscode, ...r.appPorts]) }],
    });
    this.allowServer = policy('allow-server', {
      policyTypes: ['Ingress'],
      ingress: [{ from: [peer(r.server)], ports: tcp([ports.server]) }],
    });
    this.allowDns = policy('allow-dns', {
      policyTypes: ['Egress'],
      egress: [{ to: [peer(r.dns)], ports: [
        { protocol: 'UDP', port: IntOrString.fromNumber(53) }, { protocol: 'TCP', port: IntOrString.fromNumber(53) },
      ] }],
    });
    this.allowInternet = policy('allow-internet', {
      policyTypes: ['Egress'],
      egress: [{ to: ([4, 6] as const).map(family => ({ ipBlock: { cidr: INTERNET[family], except: r.blocked[family].length > 0 ? [...r.blocked[family]] : undefined } })) }],
    });
  }
}

/** Pods in a namespace, chosen by the label every namespace gets from the API server (since 1.22). */
function peer(p: PodPeer): NetworkPolicyPeer {
  return {
    namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': p.namespace } },
    podSelector: p.podSelector ? { matchLabels: { ...p.podSelector } } : undefined,
  };
}

function tcp(ports: readonly number[]): NetworkPolicyPort[] {
  return ports.map(port => ({ protocol: 'TCP', port: IntOrString.fromNumber(port) }));
}
