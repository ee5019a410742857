import * as path from 'path';
import { Chart, Testing } from 'cdk8s';
import { describe, expect, test } from 'vitest';
import { Traefik, TraefikProps } from '../constructs/traefik-gateway/traefik';
import { TRAEFIK_VERSION } from '../constructs/traefik-gateway/traefik-chart';
import { REFERENCE, byKey, errorOf, find, readDocs, synthChart, synthChartYaml, testApp } from './util';

const ref = (name: 'kind' | 'kind-gateway' | 'kind-ingress-nginx') =>
  readDocs(path.join(REFERENCE, 'traefik-kind', `traefik-41.3.0-${name}.yaml`));
const render = (props?: TraefikProps) => synthChart(c => new Traefik(c, 'traefik', props));
const handles = (props?: TraefikProps) => {
  let t!: Traefik;
  synthChart(c => { t = new Traefik(c, 'traefik', props); });
  return t;
};

/**
 * Helm's bookkeeping, which `Traefik` leaves out (see its doc comment): the `helm.sh/chart` and
 * `app.kubernetes.io/managed-by: Helm` labels, wherever labels are, and empty (null) `annotations:` keys.
 */
function withoutHelmBookkeeping(v: any): any {
  if (Array.isArray(v)) return v.map(withoutHelmBookkeeping);
  if (!v || typeof v !== 'object') return v;
  const out: Record<string, any> = {};
  for (const [k, x] of Object.entries(v)) {
    if (k === 'annotations' && x === null) continue;
    if (k === 'labels' && x && typeof x === 'object') {
      const { 'helm.sh/chart': _chart, ...rest } = x as Record<string, string>;
      if (rest['app.kubernetes.io/managed-by'] === 'Helm') delete rest['app.kubernetes.io/managed-by'];
      out[k] = rest;
      continue;
    }
    out[k] = withoutHelmBookkeeping(x);
  }
  return out;
}

/**
 * The reference as the construct renders it: Helm's bookkeeping out, Helm's `--create-namespace` Namespace in.
 * (`byKey` also drops nulls, as for every reference: the chart's container has `lifecycle: null` and
 * `resources: null`, which the API server stores as absent.)
 */
const expected = (name: Parameters<typeof ref>[0]) => byKey([
  { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'traefik' } },
  ...ref(name).map(withoutHelmBookkeeping),
]);

const CONFIGS: [Parameters<typeof ref>[0], TraefikProps | undefined][] = [
  ['kind', undefined],
  ['kind-gateway', { providers: { kubernetesGateway: true } }],
  ['kind-ingress-nginx', { providers: { kubernetesIngressNGINX: true } }],
];

describe('Traefik equals the chart rendered with OpenHands values, as parsed data', () => {
  test.each(CONFIGS)('%s', (name, props) => {
    expect(byKey(render(props))).toEqual(expected(name));
  });

  test('the reference really carries the bookkeeping that is stripped, and nothing else differs', () => {
    const raw = ref('kind');
    expect(raw.every(d => d.metadata.labels['helm.sh/chart'] === 'traefik-41.3.0')).toBe(true);
    expect(find(raw, 'Deployment').spec.template.metadata.labels['app.kubernetes.io/managed-by']).toBe('Helm');
    // Stripping only touches labels and null annotations: the object count and kinds stay.
    expect(raw.map(withoutHelmBookkeeping).map(d => d.kind)).toEqual(raw.map(d => d.kind));
  });

  test('the Namespace comes first, then the objects in the chart order', () => {
    expect(render({ providers: { kubernetesGateway: true } }).map(d => d.kind)).toEqual([
      'Namespace', 'ServiceAccount', 'ClusterRole', 'ClusterRoleBinding', 'Service', 'Deployment', 'IngressClass', 'Gateway', 'GatewayClass',
    ]);
  });
});

describe('Traefik snapshots', () => {
  test.each(CONFIGS)('%s', async (name, props) => {
    await expect(synthChartYaml(c => new Traefik(c, 'traefik', props))).toMatchFileSnapshot(`../__snapshots__/traefik-${name}.k8s.yaml`);
  });

  test('every prop set', async () => {
    await expect(synthChartYaml(c => new Traefik(c, 'traefik', EVERY_PROP))).toMatchFileSnapshot('../__snapshots__/traefik-every-prop.k8s.yaml');
  });
});

const EVERY_PROP: TraefikProps = {
  namespace: 'edge',
  createNamespace: false,
  service: { type: 'LoadBalancer', nodePorts: { web: 31080, websecure: 31443 } },
  hostPorts: { web: 80, websecure: 443 },
  replicas: 2,
  resources: { requests: { cpu: '100m', memory: '64Mi' }, limits: { memory: '256Mi' } },
  providers: { kubernetesIngress: true, kubernetesGateway: true, kubernetesIngressNGINX: true, kubernetesCRD: false },
  ingressClass: { name: 'edge', default: false },
  redirectToHttps: true,
  logLevel: 'DEBUG',
  image: { registry: 'localhost:5000', repository: 'mirror/traefik', tag: 'v3.7.11-local' },
  gateway: {
    name: 'shared',
    className: 'edge',
    listeners: [
      { name: 'http', port: 8000, protocol: 'HTTP', hostname: '*.sandboxes.localhost', allowedRoutes: { namespaces: { from: 'All' } } },
      {
        name: 'https',
        port: 8443,
        protocol: 'HTTPS',
        hostname: '*.sandboxes.localhost',
        allowedRoutes: { namespaces: { from: 'Selector', selector: { matchLabels: { 'local-hands/sandboxes': 'true' } } } },
        tls: { certificateRefs: [{ name: 'sandboxes-tls' }] },
      },
    ],
  },
};

describe('Traefik props', () => {
  test('the defaults are OpenHands\' KIND install: NodePort 30080/30443, Ingress and CRD providers, default class traefik', () => {
    const docs = render();
    const svc = find(docs, 'Service');
    expect(svc.spec.type).toBe('NodePort');
    expect(svc.spec.ports.map((p: any) => [p.name, p.port, p.nodePort])).toEqual([['web', 80, 30080], ['websecure', 443, 30443]]);
    const ctl = find(docs, 'Deployment').spec.template.spec.containers[0];
    expect(ctl.image).toBe(`docker.io/traefik:${TRAEFIK_VERSION}`);
    expect(ctl.args).toContain('--providers.kubernetesingress');
    expect(ctl.args).toContain('--providers.kubernetescrd');
    expect(ctl.args).not.toContain('--providers.kubernetesgateway');
    expect(find(docs, 'IngressClass').metadata.annotations).toEqual({ 'ingressclass.kubernetes.io/is-default-class': 'true' });
    expect(docs.some(d => d.kind === 'Gateway' || d.kind === 'PodDisruptionBudget')).toBe(false);
  });

  test('every prop lands where the chart puts it', () => {
    const docs = render(EVERY_PROP);
    expect(docs.some(d => d.kind === 'Namespace')).toBe(false);
    const deploy = find(docs, 'Deployment');
    const ctl = deploy.spec.template.spec.containers[0];
    expect(deploy.metadata.namespace).toBe('edge');
    expect(deploy.spec.replicas).toBe(2);
    expect(ctl.image).toBe('localhost:5000/mirror/traefik:v3.7.11-local');
    expect(ctl.resources).toEqual({ requests: { cpu: '100m', memory: '64Mi' }, limits: { memory: '256Mi' } });
    expect(ctl.ports.map((p: any) => [p.name, p.containerPort, p.hostPort])).toEqual([
      ['metrics', 9100, undefined], ['traefik', 8080, undefined], ['web', 8000, 80], ['websecure', 8443, 443],
    ]);
    expect(ctl.args.filter((a: string) => a.startsWith('--providers.') && !a.includes('.', '--providers.'.length))).toEqual([
      '--providers.kubernetesingress', '--providers.kubernetesgateway', '--providers.kubernetesingressnginx',
    ]);
    expect(ctl.args).toContain('--providers.kubernetesingress.ingressendpoint.publishedservice=edge/traefik');
    expect(ctl.args).toContain('--providers.kubernetesgateway.statusaddress.service.namespace=edge');
    expect(ctl.args[ctl.args.length - 1]).toBe('--log.level=DEBUG');
    const svc = find(docs, 'Service');
    expect(svc.spec.type).toBe('LoadBalancer');
    expect(svc.spec.ports.map((p: any) => p.nodePort)).toEqual([31080, 31443]);
    expect(find(docs, 'PodDisruptionBudget').spec).toEqual({ minAvailable: 1, selector: deploy.spec.selector });
    const cls = find(docs, 'IngressClass');
    expect(cls.metadata.name).toBe('edge');
    expect(cls.metadata.annotations).toEqual({ 'ingressclass.kubernetes.io/is-default-class': 'false' });
    expect(find(docs, 'GatewayClass').metadata.name).toBe('edge');
    const gw = find(docs, 'Gateway');
    expect(gw.metadata).toMatchObject({ name: 'shared', namespace: 'edge' });
    expect(gw.spec.gatewayClassName).toBe('edge');
    expect(gw.spec.listeners).toEqual(EVERY_PROP.gateway!.listeners);
    expect(find(docs, 'ClusterRole').metadata.name).toBe('traefik-edge');
    expect(find(docs, 'ClusterRoleBinding').subjects).toEqual([{ kind: 'ServiceAccount', name: 'traefik', namespace: 'edge' }]);
    expect(deploy.spec.selector.matchLabels['app.kubernetes.io/instance']).toBe('traefik-edge');
  });

  test('the CRD provider off drops its flags and its traefik.io rules', () => {
    const docs = render({ providers: { kubernetesCRD: false } });
    expect(find(docs, 'Deployment').spec.template.spec.containers[0].args.some((a: string) => a.includes('kubernetescrd'))).toBe(false);
    expect(find(docs, 'ClusterRole').rules.some((r: any) => r.apiGroups.includes('traefik.io'))).toBe(false);
  });

  test('only the CRD provider still lets it read IngressClasses, as the chart does', () => {
    const rules = find(render({ providers: { kubernetesIngress: false } }), 'ClusterRole').rules;
    expect(rules.filter((r: any) => r.resources.includes('ingressclasses'))).toEqual([
      { apiGroups: ['extensions', 'networking.k8s.io'], resources: ['ingressclasses'], verbs: ['get', 'list', 'watch'] },
    ]);
    expect(rules.some((r: any) => r.resources.includes('ingresses'))).toBe(false);
  });

  test('ClusterIP opens no node port; LoadBalancer without nodePorts lets the API server pick', () => {
    expect(find(render({ service: { type: 'ClusterIP' } }), 'Service').spec.ports.every((p: any) => p.nodePort === undefined)).toBe(true);
    expect(find(render({ service: { type: 'LoadBalancer' } }), 'Service').spec.ports.every((p: any) => p.nodePort === undefined)).toBe(true);
  });

  test('ingressClass false renders none', () => {
    const t = handles({ ingressClass: false });
    expect(t.ingressClass).toBeUndefined();
    expect(t.ingressClassName).toBeUndefined();
    expect(render({ ingressClass: false }).some(d => d.kind === 'IngressClass')).toBe(false);
  });

  test("redirectToHttps: the chart's web-to-websecure redirect flags, before websecure's TLS; none by default", () => {
    const args = (props: TraefikProps) => find(render(props), 'Deployment').spec.template.spec.containers[0].args as string[];
    const redirect = args({ redirectToHttps: true }).filter(a => a.includes('.redirections.'));
    expect(redirect).toEqual([
      '--entryPoints.web.http.redirections.entryPoint.to=:443',
      '--entryPoints.web.http.redirections.entryPoint.scheme=https',
      '--entryPoints.web.http.redirections.entryPoint.permanent=true',
    ]);
    expect(args({ redirectToHttps: true }).slice(-5, -2)).toEqual(redirect);
    expect(args({}).some(a => a.includes('.redirections.'))).toBe(false);
  });

  test('one replica adds no PodDisruptionBudget', () => {
    expect(render({ replicas: 1 }).some(d => d.kind === 'PodDisruptionBudget')).toBe(false);
  });

  test('typed handles point at the objects made', () => {
    const t = handles({ providers: { kubernetesGateway: true } });
    expect(t.namespace).toBe('traefik');
    expect(t.namespaceObject?.name).toBe('traefik');
    expect([t.deployment.kind, t.deployment.name]).toEqual(['Deployment', 'traefik']);
    expect([t.service.kind, t.service.name]).toEqual(['Service', 'traefik']);
    expect(t.ingressClass?.name).toBe('traefik');
    expect(t.ingressClassName).toBe('traefik');
    expect([t.gatewayClass?.kind, t.gatewayClass?.name]).toEqual(['GatewayClass', 'traefik']);
    expect([t.gateway?.kind, t.gateway?.name, t.gateway?.metadata.namespace]).toEqual(['Gateway', 'traefik-gateway', 'traefik']);
    expect(t.listenerNames).toEqual(['web']);
    expect(t.providers).toEqual({ kubernetesIngress: true, kubernetesGateway: true, kubernetesIngressNGINX: false, kubernetesCRD: true });
  });

  test('hostTraffic says how host traffic reaches the controller', () => {
    expect(handles().hostTraffic).toEqual({
      nodePorts: { web: 30080, websecure: 30443 },
      hostPorts: {},
      pods: { replicas: 1, nodeSelector: {}, tolerations: [] },
    });
    expect(handles({ service: { type: 'ClusterIP' }, hostPorts: { web: 80, websecure: 443 } }).hostTraffic).toEqual({
      nodePorts: {},
      hostPorts: { web: 80, websecure: 443 },
      pods: { replicas: 1, nodeSelector: {}, tolerations: [] },
    });
  });

  test("a namespaced chart's namespace stays off the cluster-scoped objects", () => {
    const chart = new Chart(testApp(), 'c', { namespace: 'team' });
    new Traefik(chart, 'traefik', { providers: { kubernetesGateway: true } });
    const docs = Testing.synth(chart);
    const clusterScoped = docs.filter(d => ['Namespace', 'ClusterRole', 'ClusterRoleBinding', 'IngressClass', 'GatewayClass'].includes(d.kind));
    expect(clusterScoped).toHaveLength(5);
    for (const d of clusterScoped) expect(d.metadata.namespace, d.kind).toBeUndefined();
    expect(find(docs, 'Gateway').metadata.namespace).toBe('traefik');
  });
});

const bad = (props: unknown) => errorOf(c => new Traefik(c, 'traefik', props as TraefikProps));
const where = "Traefik 'traefik' (test/traefik)";
const gw = (listeners: unknown) => ({ providers: { kubernetesGateway: true }, gateway: { listeners } });

describe('Traefik refuses bad props with one line naming the field', () => {
  test.each<[string, unknown, string]>([
    ['node port below the range', { service: { nodePorts: { web: 80 } } }, 'service.nodePorts.web must be an integer in 30000-32767, got 80'],
    ['node port above the range', { service: { nodePorts: { websecure: 32768 } } }, 'service.nodePorts.websecure must be an integer in 30000-32767, got 32768'],
    ['the same node port twice', { service: { nodePorts: { web: 30080, websecure: 30080 } } }, 'service.nodePorts.websecure must be different from service.nodePorts.web (30080), got 30080'],
    ['node ports on ClusterIP', { service: { type: 'ClusterIP', nodePorts: { web: 30080 } } }, 'service.nodePorts must be absent for service type \'ClusterIP\' (it opens no node port), got {"web":30080}'],
    ['unknown service type', { service: { type: 'ExternalName' } }, 'service.type must be one of "ClusterIP", "NodePort", "LoadBalancer", got "ExternalName"'],
    ['host port out of range', { hostPorts: { web: 0 } }, 'hostPorts.web must be an integer in 1-65535, got 0'],
    ['unknown entry point', { hostPorts: { metrics: 9100 } }, 'hostPorts.metrics must be absent (only web and websecure), got 9100'],
    ['replicas below 1', { replicas: 0 }, 'replicas must be an integer in 1-1000, got 0'],
    ['fractional replicas', { replicas: 1.5 }, 'replicas must be an integer in 1-1000, got 1.5'],
    ['bad log level', { logLevel: 'VERBOSE' }, 'logLevel must be one of "TRACE", "DEBUG", "INFO", "WARN", "ERROR", "FATAL", "PANIC", got "VERBOSE"'],
    ['lowercase log level', { logLevel: 'info' }, 'logLevel must be one of "TRACE", "DEBUG", "INFO", "WARN", "ERROR", "FATAL", "PANIC", got "info"'],
    ['unknown prop', { replica: 2 }, 'replica must be absent: Traefik has no prop "replica" (known: namespace, createNamespace, service, hostPorts, replicas, autoscaling, podDisruptionBudget, topologySpread, resources, providers, ingressClass, redirectToHttps, logLevel, image, gateway), got 2'],
    ['unknown provider', { providers: { file: true } }, 'providers.file must be absent (the providers are kubernetesIngress, kubernetesGateway, kubernetesIngressNGINX, kubernetesCRD), got true'],
    ['provider not a boolean', { providers: { kubernetesGateway: 'yes' } }, 'providers.kubernetesGateway must be true or false, got "yes"'],
    ['every provider off', { providers: { kubernetesIngress: false, kubernetesCRD: false } }, 'providers must be an object turning at least one provider on (Traefik would serve nothing), got {"kubernetesIngress":false,"kubernetesCRD":false}'],
    ['bad namespace', { namespace: 'Traefik' }, 'namespace must be a DNS-1123 label (at most 63 characters of a-z, 0-9 and "-", starting and ending with a letter or digit), got "Traefik"'],
    // The chart labels objects "traefik-<namespace>", which the API server refuses above 63 characters.
    ['namespace too long for the instance label', { namespace: 'a'.repeat(56) },
      `namespace must be at most 55 characters (objects are labelled "app.kubernetes.io/instance: traefik-<namespace>", a label value of at most 63), got "${'a'.repeat(56)}"`],
    ['requests above limits', { resources: { requests: { memory: '1Gi' }, limits: { memory: '1000Mi' } } },
      'resources.limits.memory must be at least resources.requests.memory ("1Gi"), got "1000Mi"'],
    ['bad IngressClass name', { ingressClass: { name: 'Traefik!' } }, 'ingressClass.name must be a DNS-1123 subdomain (at most 253 characters of a-z, 0-9, "-" and ".", each part starting and ending with a letter or digit), got "Traefik!"'],
    ['default flag not a boolean', { ingressClass: { default: 'true' } }, 'ingressClass.default must be true or false, got "true"'],
    ['redirect flag not a boolean', { redirectToHttps: 'yes' }, 'redirectToHttps must be true or false, got "yes"'],
    ['bad image tag', { image: { tag: 'v3 latest' } }, 'image.tag must be an image tag (letters, digits, "_", ".", "-"; at most 128), got "v3 latest"'],
    ['bad image registry', { image: { registry: 'https://docker.io' } }, 'image.registry must be a registry host with an optional port, e.g. "docker.io" or "localhost:5000", got "https://docker.io"'],
    ['bad resources', { resources: { requests: { cpu: 'lots' } } }, 'resources.requests.cpu must be a Kubernetes quantity such as "500m", "1", "256Mi" or "2Gi" (a non-negative number with an optional suffix n, u, m, k, M, G, T, P, E, Ki, Mi, Gi, Ti, Pi, Ei), got "lots"'],
    ['a gateway without its provider', { gateway: { name: 'g' } }, 'gateway must be absent unless providers.kubernetesGateway is true (no provider would serve it), got {"name":"g"}'],
    ['no listeners', gw([]), 'gateway.listeners must be a list of 1-64 listeners { name, port, protocol, hostname, allowedRoutes, tls }, got []'],
    ['duplicate listener names', gw([{ name: 'web', port: 8000, protocol: 'HTTP' }, { name: 'web', port: 8000, protocol: 'HTTP', hostname: 'a.example.com' }]),
      'gateway.listeners[1].name must be unique among listener names (gateway.listeners[0] has it too), got "web"'],
    ['duplicate port, protocol and hostname', gw([{ name: 'a', port: 8000, protocol: 'HTTP' }, { name: 'b', port: 8000, protocol: 'HTTP' }]),
      'gateway.listeners[1].port must be unique with its protocol and hostname (gateway.listeners[0] also listens on 8000 HTTP for every hostname), got 8000'],
    ['two protocols on one port', gw([{ name: 'a', port: 8443, protocol: 'TLS', tls: { mode: 'Passthrough' } }, { name: 'b', port: 8443, protocol: 'HTTPS', tls: { certificateRefs: [{ name: 'c' }] } }]),
      'gateway.listeners[1].protocol must be "TLS" like gateway.listeners[0] on the same port 8443 (one port speaks one protocol), got "HTTPS"'],
    ['listener port not an entry point', gw([{ name: 'web', port: 80, protocol: 'HTTP' }]),
      "gateway.listeners[0].port must be an entry point's container port (web 8000 or websecure 8443), since Traefik serves a listener on the entry point of its port, got 80"],
    ['listener port out of range', gw([{ name: 'web', port: 70000, protocol: 'HTTP' }]), 'gateway.listeners[0].port must be an integer in 1-65535, got 70000'],
    ['hostname not a DNS name', gw([{ name: 'web', port: 8000, protocol: 'HTTP', hostname: 'Sandbox_1.localhost' }]),
      'gateway.listeners[0].hostname must be a DNS name such as "example.com", or a wildcard such as "*.example.com" (lowercase, at most 253), got "Sandbox_1.localhost"'],
    ['wildcard not leading', gw([{ name: 'web', port: 8000, protocol: 'HTTP', hostname: 'a.*.localhost' }]),
      'gateway.listeners[0].hostname must be a DNS name such as "example.com", or a wildcard such as "*.example.com" (lowercase, at most 253), got "a.*.localhost"'],
    ['a bare wildcard', gw([{ name: 'web', port: 8000, protocol: 'HTTP', hostname: '*' }]),
      'gateway.listeners[0].hostname must be a DNS name such as "example.com", or a wildcard such as "*.example.com" (lowercase, at most 253), got "*"'],
    ['hostname on TCP', gw([{ name: 'db', port: 8000, protocol: 'TCP', hostname: 'db.localhost' }]), 'gateway.listeners[0].hostname must be absent for protocol TCP, got "db.localhost"'],
    ['protocol not in the list', gw([{ name: 'web', port: 8000, protocol: 'GRPC' }]), 'gateway.listeners[0].protocol must be one of "HTTP", "HTTPS", "TLS", "TCP", "UDP", got "GRPC"'],
    ['lowercase protocol', gw([{ name: 'web', port: 8000, protocol: 'http' }]), 'gateway.listeners[0].protocol must be one of "HTTP", "HTTPS", "TLS", "TCP", "UDP", got "http"'],
    ['HTTPS without certificateRefs', gw([{ name: 'https', port: 8443, protocol: 'HTTPS' }]),
      'gateway.listeners[0].tls must be an object { certificateRefs: [{ name }] } for protocol HTTPS, got undefined'],
    ['HTTPS with empty certificateRefs', gw([{ name: 'https', port: 8443, protocol: 'HTTPS', tls: { certificateRefs: [] } }]),
      'gateway.listeners[0].tls.certificateRefs must be a list of 1-64 Secret references { name, namespace } (a terminating listener needs a certificate), got []'],
    ['HTTPS passthrough', gw([{ name: 'https', port: 8443, protocol: 'HTTPS', tls: { mode: 'Passthrough', certificateRefs: [{ name: 'c' }] } }]),
      'gateway.listeners[0].tls.mode must be \'Terminate\' (or absent) for protocol HTTPS, got "Passthrough"'],
    ['TLS without mode', gw([{ name: 'tls', port: 8443, protocol: 'TLS', tls: { certificateRefs: [{ name: 'c' }] } }]),
      'gateway.listeners[0].tls.mode must be one of "Terminate", "Passthrough", got undefined'],
    ['tls on HTTP', gw([{ name: 'web', port: 8000, protocol: 'HTTP', tls: { certificateRefs: [{ name: 'c' }] } }]),
      'gateway.listeners[0].tls must be absent for protocol HTTP, got {"certificateRefs":[{"name":"c"}]}'],
    ['certificate not a Secret', gw([{ name: 'https', port: 8443, protocol: 'HTTPS', tls: { certificateRefs: [{ name: 'c', kind: 'ConfigMap' }] } }]),
      'gateway.listeners[0].tls.certificateRefs[0].kind must be absent (only name and namespace: the certificate is a Secret), got "ConfigMap"'],
    ['bad listener name', gw([{ name: 'Web', port: 8000, protocol: 'HTTP' }]),
      'gateway.listeners[0].name must be a listener name (at most 253 of a-z, 0-9, "-" and ".", each part starting and ending with a letter or digit), got "Web"'],
    ['unknown allowedRoutes from', gw([{ name: 'web', port: 8000, protocol: 'HTTP', allowedRoutes: { namespaces: { from: 'Any' } } }]),
      'gateway.listeners[0].allowedRoutes.namespaces.from must be one of "All", "Same", "Selector", got "Any"'],
    ['Selector without a selector', gw([{ name: 'web', port: 8000, protocol: 'HTTP', allowedRoutes: { namespaces: { from: 'Selector' } } }]),
      "gateway.listeners[0].allowedRoutes.namespaces.selector must be a label selector { matchLabels, matchExpressions } with at least one of them (required with from: 'Selector'), got undefined"],
    ['a selector with from All', gw([{ name: 'web', port: 8000, protocol: 'HTTP', allowedRoutes: { namespaces: { from: 'All', selector: { matchLabels: { a: 'b' } } } } }]),
      'gateway.listeners[0].allowedRoutes.namespaces.selector must be absent unless from is \'Selector\', got {"matchLabels":{"a":"b"}}'],
    ['a bad selector operator', gw([{ name: 'web', port: 8000, protocol: 'HTTP', allowedRoutes: { namespaces: { from: 'Selector', selector: { matchExpressions: [{ key: 'a', operator: 'Equals', values: ['b'] }] } } } }]),
      'gateway.listeners[0].allowedRoutes.namespaces.selector.matchExpressions[0].operator must be one of "In", "NotIn", "Exists", "DoesNotExist", got "Equals"'],
    ['an unknown listener field', gw([{ name: 'web', port: 8000, protocol: 'HTTP', hostnames: ['a.localhost'] }]),
      'gateway.listeners[0].hostnames must be absent (a listener has only name, port, protocol, hostname, allowedRoutes, tls), got ["a.localhost"]'],
  ])('%s', (_name, props, message) => {
    expect(bad(props)).toBe(`${where}: ${message}`);
  });

  test('several problems come together, one per line', () => {
    expect(bad({ replicas: 0, logLevel: 'LOUD' })).toBe(`${where}: 2 problems\n`
      + '  - replicas must be an integer in 1-1000, got 0\n'
      + '  - logLevel must be one of "TRACE", "DEBUG", "INFO", "WARN", "ERROR", "FATAL", "PANIC", got "LOUD"');
  });
});

/** What a multi-node cluster asks of the controller: spread, an autoscaler, a budget, resources, no host ports. */
const HIGHLY_AVAILABLE: TraefikProps = {
  service: { type: 'LoadBalancer' },
  resources: { requests: { cpu: '100m', memory: '128Mi' }, limits: { memory: '256Mi' } },
  autoscaling: { minReplicas: 3, maxReplicas: 6, targetCpuUtilization: 60 },
  podDisruptionBudget: { minAvailable: 2 },
  topologySpread: { zoneKey: 'example.com/rack' },
};

describe('Traefik on several nodes: spread, autoscaler, disruption budget', () => {
  test('snapshot', async () => {
    await expect(synthChartYaml(c => new Traefik(c, 'traefik', HIGHLY_AVAILABLE))).toMatchFileSnapshot('../__snapshots__/traefik-highly-available.k8s.yaml');
  });

  test('the HPA targets the Deployment on CPU, and the Deployment leaves the replica count to it', () => {
    const docs = render(HIGHLY_AVAILABLE);
    const deploy = find(docs, 'Deployment');
    expect(deploy.spec.replicas).toBeUndefined();
    expect(find(docs, 'HorizontalPodAutoscaler')).toEqual({
      apiVersion: 'autoscaling/v2',
      kind: 'HorizontalPodAutoscaler',
      metadata: { name: 'traefik', namespace: 'traefik', labels: deploy.metadata.labels },
      spec: {
        scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'traefik' },
        minReplicas: 3,
        maxReplicas: 6,
        metrics: [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 60 } } }],
      },
    });
    expect(find(docs, 'PodDisruptionBudget').spec).toEqual({ minAvailable: 2, selector: deploy.spec.selector });
  });

  test('spread: one replica per node (DoNotSchedule), zones when they can be (ScheduleAnyway), tainted nodes left out', () => {
    const deploy = find(render(HIGHLY_AVAILABLE), 'Deployment');
    const selector = deploy.spec.selector;
    expect(deploy.spec.template.spec.topologySpreadConstraints).toEqual([
      { maxSkew: 1, topologyKey: 'kubernetes.io/hostname', whenUnsatisfiable: 'DoNotSchedule', nodeTaintsPolicy: 'Honor', labelSelector: selector },
      { maxSkew: 1, topologyKey: 'example.com/rack', whenUnsatisfiable: 'ScheduleAnyway', nodeTaintsPolicy: 'Honor', labelSelector: selector },
    ]);
    const zoneDefault = find(render({ topologySpread: {} }), 'Deployment').spec.template.spec.topologySpreadConstraints;
    expect(zoneDefault.map((c: any) => c.topologyKey)).toEqual(['kubernetes.io/hostname', 'topology.kubernetes.io/zone']);
    expect(find(render({ topologySpread: { nodes: false, zoneKey: false } }), 'Deployment').spec.template.spec.topologySpreadConstraints).toBeUndefined();
  });

  test('the rollout surges one and never drops a Ready replica (the chart\'s strategy, kept)', () => {
    expect(find(render(HIGHLY_AVAILABLE), 'Deployment').spec.strategy).toEqual({ type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 0, maxSurge: 1 } });
  });

  test('handles: hpa and podDisruptionBudget; hostTraffic counts the autoscaler\'s floor', () => {
    const t = handles(HIGHLY_AVAILABLE);
    expect([t.hpa?.kind, t.hpa?.name]).toEqual(['HorizontalPodAutoscaler', 'traefik']);
    expect([t.podDisruptionBudget?.kind, t.podDisruptionBudget?.name]).toEqual(['PodDisruptionBudget', 'traefik']);
    expect(t.hostTraffic.pods.replicas).toBe(3);
    expect(handles().hpa).toBeUndefined();
  });

  test('autoscaling defaults: 2 to 5 replicas at 70% CPU, a budget of 1', () => {
    const docs = render({ resources: { requests: { cpu: '50m' } }, autoscaling: {} });
    expect(find(docs, 'HorizontalPodAutoscaler').spec).toMatchObject({ minReplicas: 2, maxReplicas: 5 });
    expect(find(docs, 'HorizontalPodAutoscaler').spec.metrics[0].resource.target.averageUtilization).toBe(70);
    expect(find(docs, 'PodDisruptionBudget').spec.minAvailable).toBe(1);
  });

  test('podDisruptionBudget false renders none; a fixed count above 1 takes a chosen minAvailable', () => {
    expect(render({ replicas: 3, podDisruptionBudget: false }).some(d => d.kind === 'PodDisruptionBudget')).toBe(false);
    expect(find(render({ replicas: 3, podDisruptionBudget: { minAvailable: 2 } }), 'PodDisruptionBudget').spec.minAvailable).toBe(2);
    expect(render({ autoscaling: false, replicas: 2 }).some(d => d.kind === 'HorizontalPodAutoscaler')).toBe(false);
  });

  const CPU = { resources: { requests: { cpu: '100m' } } };
  test.each<[string, unknown, string]>([
    ['a zone key that is no label key', { topologySpread: { zoneKey: 'zone key' } },
      'topologySpread.zoneKey must be a node label key such as "topology.kubernetes.io/zone" (an optional DNS subdomain prefix and "/", then at most 63 of a-z, A-Z, 0-9, "-", "_", ".") or false, got "zone key"'],
    ['the hostname as the zone key', { topologySpread: { zoneKey: 'kubernetes.io/hostname' } },
      'topologySpread.zoneKey must be a zone label key, not "kubernetes.io/hostname" (topologySpread.nodes spreads over nodes), got "kubernetes.io/hostname"'],
    ['spread nodes not a boolean', { topologySpread: { nodes: 'yes' } }, 'topologySpread.nodes must be true or false, got "yes"'],
    ['an unknown spread field', { topologySpread: { maxSkew: 2 } }, 'topologySpread.maxSkew must be absent (only nodes and zoneKey), got 2'],
    ['min above max', { ...CPU, autoscaling: { minReplicas: 4, maxReplicas: 3 } }, 'autoscaling.maxReplicas must be at least autoscaling.minReplicas (4), got 3'],
    ['min 0', { ...CPU, autoscaling: { minReplicas: 0 } }, 'autoscaling.minReplicas must be an integer in 1-1000, got 0'],
    ['a zero CPU target', { ...CPU, autoscaling: { targetCpuUtilization: 0 } }, 'autoscaling.targetCpuUtilization must be an integer in 1-2147483647, got 0'],
    ['autoscaling without a CPU request', { autoscaling: {} },
      'resources.requests.cpu must be a CPU request when autoscaling is on (the autoscaler targets a share of it), got undefined'],
    ['replicas with autoscaling', { ...CPU, replicas: 3, autoscaling: {} },
      'replicas must be absent with autoscaling (the HorizontalPodAutoscaler owns the count; autoscaling.minReplicas sets the floor), got 3'],
    ['an unknown autoscaling field', { ...CPU, autoscaling: { targetMemoryUtilization: 80 } },
      'autoscaling.targetMemoryUtilization must be absent (only minReplicas, maxReplicas, targetCpuUtilization), got 80'],
    ['a budget as large as the replicas', { replicas: 2, podDisruptionBudget: { minAvailable: 2 } },
      'podDisruptionBudget.minAvailable must be an integer in 1-1 (below replicas, or no replica could ever be evicted), got 2'],
    ['a budget as large as the autoscaler\'s floor', { ...CPU, autoscaling: { minReplicas: 3 }, podDisruptionBudget: { minAvailable: 3 } },
      'podDisruptionBudget.minAvailable must be an integer in 1-2 (below autoscaling.minReplicas, or no replica could ever be evicted), got 3'],
    ['a budget on one replica', { podDisruptionBudget: { minAvailable: 1 } },
      'podDisruptionBudget must be false or absent with replicas 1 (a budget leaving one replica up would block every drain of its node), got {"minAvailable":1}'],
    ['a budget given as a percentage', { replicas: 3, podDisruptionBudget: { minAvailable: '50%' } },
      'podDisruptionBudget.minAvailable must be an integer in 1-2 (below replicas, or no replica could ever be evicted), got "50%"'],
  ])('refuses %s', (_name, props, message) => {
    expect(bad(props)).toBe(`${where}: ${message}`);
  });
});
