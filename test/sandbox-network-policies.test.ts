import { describe, expect, test } from 'vitest';
import { PRIVATE_CIDRS, SandboxNetworkPolicies } from '../constructs/isolation/sandbox-network-policies';
import { SandboxRuntime } from '../constructs/sandbox/sandbox-runtime';
import { errorOf, find, synthChart, synthChartYaml } from './util';

const names = (docs: any[]) => docs.map(d => d.metadata.name);

describe('SandboxNetworkPolicies', () => {
  test('defaults: a namespace-wide deny-all plus four allow policies selecting the sandbox Pods as SandboxRuntime labels them', async () => {
    const build = (c: any) => new SandboxNetworkPolicies(c, 'np');
    const docs = synthChart(build);
    expect(names(docs)).toEqual([
      'openhands-sandbox-deny-all', 'openhands-sandbox-allow-controller', 'openhands-sandbox-allow-server',
      'openhands-sandbox-allow-dns', 'openhands-sandbox-allow-internet',
    ]);
    const podLabels = find(synthChart(c => new SandboxRuntime(c, 's', { sid: 'x' })), 'Pod').metadata.labels;
    for (const d of docs) {
      expect(d.metadata.namespace).toBe('default');
      if (d.metadata.name === 'openhands-sandbox-deny-all') continue;
      expect(Object.entries(d.spec.podSelector.matchLabels).every(([k, v]) => podLabels[k] === v)).toBe(true);
    }
    // Every Pod of the namespace, sandbox or not, starts shut.
    expect(find(docs, 'NetworkPolicy', 'openhands-sandbox-deny-all').spec).toEqual({ podSelector: {}, policyTypes: ['Ingress', 'Egress'] });
    await expect(synthChartYaml(build)).toMatchFileSnapshot('../__snapshots__/sandbox-network-policies-defaults.k8s.yaml');
  });

  test('the controller reaches VS Code, the server reaches the action server, DNS on 53 both ways', () => {
    const docs = synthChart(c => new SandboxNetworkPolicies(c, 'np'));
    expect(find(docs, 'NetworkPolicy', 'openhands-sandbox-allow-controller').spec.ingress).toEqual([{
      from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'ingress-nginx' } } }],
      ports: [{ protocol: 'TCP', port: 8081 }],
    }]);
    expect(find(docs, 'NetworkPolicy', 'openhands-sandbox-allow-server').spec.ingress).toEqual([{
      from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'openhands' } }, podSelector: { matchLabels: { app: 'openhands' } } }],
      ports: [{ protocol: 'TCP', port: 8080 }],
    }]);
    expect(find(docs, 'NetworkPolicy', 'openhands-sandbox-allow-dns').spec.egress).toEqual([{
      to: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'kube-system' } }, podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } } }],
      ports: [{ protocol: 'UDP', port: 53 }, { protocol: 'TCP', port: 53 }],
    }]);
  });

  test('internet egress excepts the private ranges by family', () => {
    const egress = find(synthChart(c => new SandboxNetworkPolicies(c, 'np')), 'NetworkPolicy', 'openhands-sandbox-allow-internet').spec.egress;
    expect(egress).toEqual([{ to: [
      { ipBlock: { cidr: '0.0.0.0/0', except: PRIVATE_CIDRS.filter(c => !c.includes(':')) } },
      { ipBlock: { cidr: '::/0', except: ['fc00::/7', 'fe80::/10'] } },
    ] }]);
  });

  test('every prop: gateway namespace, app ports, server peer, DNS peer, cluster CIDRs (contained ones dropped), names', async () => {
    let np!: SandboxNetworkPolicies;
    const build = (c: any) => {
      np = new SandboxNetworkPolicies(c, 'np', {
        config: { namespace: 'sandboxes' },
        controllerNamespace: 'traefik',
        appPorts: [30082, 30083],
        server: { namespace: 'openhands', podSelector: { 'app.kubernetes.io/name': 'openhands' } },
        dns: { namespace: 'kube-system', podSelector: { 'k8s-app': 'coredns' } },
        privateCidrs: ['10.0.0.0/8'],
        clusterCidrs: ['10.96.0.0/12', '198.18.0.0/15', 'fd00:10:96::/112'],
        namePrefix: 'sessions',
      });
    };
    const docs = synthChart(build);
    expect(names(docs)[0]).toBe('sessions-deny-all');
    expect(errorOf(c2 => new SandboxNetworkPolicies(c2, 'np', { appPorts: [8080] }))).toBe(
      `SandboxNetworkPolicies 'np' (test/np): appPorts[0] must be a port other than 8080 and 8081 (the action server's and VS Code's), got 8080`);
    expect(find(docs, 'NetworkPolicy', 'sessions-allow-controller').spec.ingress[0].ports.map((p: any) => p.port)).toEqual([8081, 30082, 30083]);
    expect(find(docs, 'NetworkPolicy', 'sessions-allow-internet').spec.egress[0].to).toEqual([
      { ipBlock: { cidr: '0.0.0.0/0', except: ['10.0.0.0/8', '198.18.0.0/15'] } },
      { ipBlock: { cidr: '::/0', except: ['fd00:10:96::/112'] } },
    ]);
    expect(np.podSelector).toEqual({ app: 'openhands-runtime' });
    expect(np.denyAll.name).toBe('sessions-deny-all');
    await expect(synthChartYaml(build)).toMatchFileSnapshot('../__snapshots__/sandbox-network-policies-every-prop.k8s.yaml');
  });

  test('no private ranges of a family leaves that block without except', () => {
    const to = find(synthChart(c => new SandboxNetworkPolicies(c, 'np', { privateCidrs: ['10.0.0.0/8'] })), 'NetworkPolicy', 'openhands-sandbox-allow-internet').spec.egress[0].to;
    expect(to[1]).toEqual({ ipBlock: { cidr: '::/0' } });
  });

  test('CIDRs that do not parse, are not canonical, or would block everything are refused, one line each', () => {
    expect(errorOf(c => new SandboxNetworkPolicies(c, 'np', { privateCidrs: ['10.0.0.1/8', 'FC00::/7', 'banana'], clusterCidrs: ['0.0.0.0/0', '::ffff:10.0.0.0/104'] }))).toBe([
      `SandboxNetworkPolicies 'np' (test/np): 5 problems`,
      `  - privateCidrs[0] must be an IPv4 or IPv6 CIDR in canonical form such as "10.0.0.0/8" or "fc00::/7" (bits set beyond the prefix length (the network is 10.0.0.0/8)), got "10.0.0.1/8"`,
      `  - privateCidrs[1] must be an IPv4 or IPv6 CIDR in canonical form such as "10.0.0.0/8" or "fc00::/7" (not in canonical form (fc00::/7)), got "FC00::/7"`,
      `  - privateCidrs[2] must be an IPv4 or IPv6 CIDR in canonical form such as "10.0.0.0/8" or "fc00::/7" (not an IPv4 or IPv6 CIDR), got "banana"`,
      `  - clusterCidrs[0] must be a CIDR with a prefix longer than 0 (it would block the whole internet), got "0.0.0.0/0"`,
      `  - clusterCidrs[1] must be an IPv4 or IPv6 CIDR in canonical form such as "10.0.0.0/8" or "fc00::/7" (not an IPv4 or IPv6 CIDR), got "::ffff:10.0.0.0/104"`,
    ].join('\n'));
  });

  test('bad peers, ports and names are refused', () => {
    expect(errorOf(c => new SandboxNetworkPolicies(c, 'np', {
      controllerNamespace: 'Ingress', appPorts: [0, 8081, 8081], server: { namespace: 'openhands', podSelector: { app: 'bad value!' }, port: 1 } as any, namePrefix: 'x'.repeat(201),
    }))).toBe([
      `SandboxNetworkPolicies 'np' (test/np): 6 problems`,
      `  - controllerNamespace must be a DNS-1123 label (at most 63 characters of a-z, 0-9 and "-", starting and ending with a letter or digit), got "Ingress"`,
      `  - appPorts[0] must be an integer in 1-65535, got 0`,
      `  - appPorts[2] must be unique (already used by appPorts[1]), got 8081`,
      `  - server.port must be absent (a peer has namespace and podSelector), got 1`,
      `  - server.podSelector["app"] must be a label value (a string of at most 63 characters of a-z, A-Z, 0-9, "-", "_", ".", starting and ending with a letter or digit, or empty), got "bad value!"`,
      `  - namePrefix must be at most 200 characters, got "${'x'.repeat(201)}"`,
    ].join('\n'));
  });
});
