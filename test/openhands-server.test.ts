import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, Chart } from 'cdk8s';
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { addGatewayStack } from '../app/gateway-stack';
import { addOpenHandsStack } from '../app/openhands-stack';
import { addProductionStack } from '../app/production-stack';
import { renderCharts } from '../app/synth';
import { OpenHandsServer, OpenHandsServerProps, SERVER_PORT, serverConfigToml } from '../constructs/server/openhands-server';
import { OpenHandsServiceAccount } from '../constructs/isolation/openhands-service-account';
import { DEFAULT_RUNTIME_IMAGE, SandboxRuntime } from '../constructs/sandbox/sandbox-runtime';
import { resourceOf } from '../src/rbac';
import { Traefik } from '../constructs/traefik-gateway/traefik';
import { KubernetesConfig, kubernetesConfigToml, loadKubernetesConfig, parseKubernetesConfig } from '../src/kubernetes-config';
import { sandboxYaml } from '../scripts/sandbox';
import { ROOT, errorOf, find, parseDocs, synthChart, synthChartYaml } from './util';

const EVERY_OPTION = path.join(ROOT, 'test', 'fixtures', 'every-option.toml');

const container = (docs: any[]) => find(docs, 'Deployment').spec.template.spec.containers[0];
const envOf = (docs: any[]) => Object.fromEntries(container(docs).env.map((e: any) => [e.name, e.value ?? e.valueFrom]));

describe('OpenHandsServer', () => {
  test('defaults: the 0.62 server with the Kubernetes runtime, its config, state, probes, restricted security (snapshot)', async () => {
    const build = (c: Chart) => new OpenHandsServer(c, 'server');
    const docs = synthChart(build);
    expect(docs.map(d => `${d.kind} ${d.metadata.name}`)).toEqual([
      'Namespace openhands', 'ConfigMap openhands-config', 'PersistentVolumeClaim openhands-state', 'Deployment openhands', 'Service openhands',
    ]);
    const c = container(docs);
    expect(c.image).toBe('docker.openhands.dev/openhands/openhands:0.62');
    expect(envOf(docs)).toEqual({ RUNTIME: 'kubernetes', NO_SETUP: 'true', OH_PERSISTENCE_DIR: '/.openhands' });
    expect(c.livenessProbe.httpGet).toEqual({ path: '/alive', port: 'http' });
    expect(c.readinessProbe.httpGet).toEqual({ path: '/', port: 'http' });
    expect(c.ports).toEqual([{ name: 'http', containerPort: 3000 }]);
    expect(find(docs, 'Service').spec.ports).toEqual([{ name: 'http', port: 3000, targetPort: 'http' }]);
    const pod = find(docs, 'Deployment').spec.template.spec;
    expect(pod.serviceAccountName).toBe('openhands');
    expect(pod.securityContext).toMatchObject({ runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } });
    expect(c.securityContext).toEqual({ allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } });
    expect(find(docs, 'Namespace').metadata.labels['pod-security.kubernetes.io/enforce']).toBe('restricted');
    expect(find(docs, 'Deployment').spec.replicas).toBe(1);
    await expect(synthChartYaml(build)).toMatchFileSnapshot('../__snapshots__/openhands-server-defaults.k8s.yaml');
  });

  test('every prop (snapshot): credentials only by reference, a route, a storage class, Recreate', async () => {
    let server: OpenHandsServer;
    const build = (c: Chart) => {
      const sa = new OpenHandsServiceAccount(c, 'sa', { namespace: 'oh', name: 'runner', config: { namespace: 'agents' } });
      server = new OpenHandsServer(c, 'server', {
        config: loadKubernetesConfig(EVERY_OPTION), namespace: 'oh', createNamespace: false, name: 'oh-server', image: 'registry.example.com/openhands:0.62.1',
        runtimeImage: 'registry.example.com/runtime:0.62.1', serviceAccount: sa, replicas: 0, strategy: 'Recreate',
        resources: { requests: { cpu: '2', memory: '4Gi' }, limits: { memory: '8Gi' } }, storage: { size: '50Gi', storageClass: 'fast' },
        llmApiKey: { name: 'llm', key: 'api-key' }, secretEnv: { GITHUB_TOKEN: { name: 'github', key: 'token' } },
        env: [{ name: 'LLM_MODEL', value: 'anthropic/claude-sonnet-4-5' }], route: { kind: 'Ingress' }, host: 'openhands.example.com', ingressClassName: 'traefik',
      });
    };
    const docs = synthChart(build);
    expect(envOf(docs)).toMatchObject({
      LLM_API_KEY: { secretKeyRef: { name: 'llm', key: 'api-key' } }, GITHUB_TOKEN: { secretKeyRef: { name: 'github', key: 'token' } }, LLM_MODEL: 'anthropic/claude-sonnet-4-5',
    });
    expect(find(docs, 'Deployment').spec.template.spec.serviceAccountName).toBe('runner');
    expect(find(docs, 'Ingress').spec).toEqual({
      ingressClassName: 'traefik',
      rules: [{ host: 'openhands.example.com', http: { paths: [{ path: '/', pathType: 'Prefix', backend: { service: { name: 'oh-server', port: { number: 3000 } } } }] } }],
    });
    expect(server!.url).toBe('http://openhands.example.com/');
    expect(docs.some(d => d.kind === 'Namespace')).toBe(false);
    await expect(synthChartYaml(build)).toMatchFileSnapshot('../__snapshots__/openhands-server-every-prop.k8s.yaml');
  });

  test('config.toml: the Kubernetes runtime, the runtime image, and a [kubernetes] section that reads back as the config given', () => {
    const config = loadKubernetesConfig(EVERY_OPTION);
    const server = new OpenHandsServer(new Chart(new App({ outdir: '/nonexistent' }), 'c'), 's', { config });
    expect(parseKubernetesConfig(server.configToml)).toEqual(config);
    expect(server.configToml).toContain('[core]\nruntime = "kubernetes"\n');
    expect(server.configToml).toContain(`[sandbox]\nruntime_container_image = "${DEFAULT_RUNTIME_IMAGE}"\n`);
    const cm = find(synthChart(c => new OpenHandsServer(c, 's', { config })), 'ConfigMap');
    expect(cm.data['config.toml']).toBe(server.configToml);
  });

  test('a changed config restarts the server: the pod template carries the config digest', () => {
    const digest = (config: Partial<KubernetesConfig>) => find(synthChart(c => new OpenHandsServer(c, 's', { config })), 'Deployment')
      .spec.template.metadata.annotations['local-hands.dev/config-sha256'];
    expect(digest({})).toMatch(/^[0-9a-f]{64}$/);
    expect(digest({ namespace: 'agents' })).not.toBe(digest({}));
    expect(digest({})).toBe(digest({}));
  });

  test('property: any config the checks accept is written so the loader reads back exactly that config', () => {
    const label = fc.stringMatching(/^[a-z0-9]([-a-z0-9]{0,10}[a-z0-9])?$/);
    const quantity = fc.tuple(fc.integer({ min: 1, max: 4096 }), fc.constantFrom('', 'm', 'Mi', 'Gi', 'k')).map(([n, u]) => `${n}${u}`);
    const text = fc.string({ unit: 'binary', maxLength: 12 }).filter(s => !/[\ud800-\udfff]/.test(s));
    const config = fc.record({
      namespace: label, ingressDomain: fc.tuple(label, label).map(([a, b]) => `${a}.${b}`), pvcStorageSize: quantity.filter(q => !q.endsWith('m')),
      pvcStorageClass: fc.option(label, { nil: undefined }), resourceCpuRequest: quantity, resourceMemoryRequest: fc.constant('1Gi'), resourceMemoryLimit: fc.constant('2Gi'),
      imagePullSecret: fc.option(label, { nil: undefined }), ingressTlsSecret: fc.option(label, { nil: undefined }),
      nodeSelector: fc.option(fc.record({ key: label, value: label }), { nil: undefined }),
      tolerations: fc.option(fc.array(fc.record({ key: label, operator: fc.constant('Equal' as const), value: label, effect: fc.constant('NoExecute' as const), tolerationSeconds: fc.nat() }), { maxLength: 3 }), { nil: undefined }),
      privileged: fc.boolean(),
    }).map(c => Object.fromEntries(Object.entries(c).filter(([, v]) => v !== undefined)) as unknown as KubernetesConfig);
    fc.assert(fc.property(config, c => {
      expect(parseKubernetesConfig(kubernetesConfigToml(c))).toEqual(c);
    }), { numRuns: 300, seed: 23 });
    // Strings with quotes, backslashes, newlines, control characters and DEL stay what they were.
    fc.assert(fc.property(text, image => {
      const toml = serverConfigToml(parseKubernetesConfig(''), image);
      expect(toml.split('\n').find(l => l.startsWith('runtime_container_image'))).toBeDefined();
      expect((require('smol-toml').parse(toml) as any).sandbox.runtime_container_image).toBe(image);
    }), { numRuns: 300, seed: 24 });
  });
});

describe('OpenHandsServer refuses bad props in one line each, before anything is written', () => {
  const bad = (props: unknown) => errorOf(c => new OpenHandsServer(c, 'server', props as OpenHandsServerProps));
  test.each<[string, unknown, string]>([
    ['a Secret reference without a name', { llmApiKey: { key: 'api-key' } }, 'llmApiKey.name must be a Secret name (a DNS-1123 subdomain), got undefined'],
    ['a Secret reference without a key', { llmApiKey: { name: 'llm' } }, 'llmApiKey.key must be a Secret data key (at most 253 of a-z, A-Z, 0-9, "-", "_", "."; not "." and not starting with ".."), got undefined'],
    // Found by the differential test: the API server refuses these keys (IsConfigMapKey).
    ['a key that is ".."', { secretEnv: { GITHUB_TOKEN: { name: 'github', key: '..' } } }, 'secretEnv["GITHUB_TOKEN"].key must be a Secret data key (at most 253 of a-z, A-Z, 0-9, "-", "_", "."; not "." and not starting with ".."), got ".."'],
    ['a key starting with ".."', { llmApiKey: { name: 'llm', key: '..data' } }, 'llmApiKey.key must be a Secret data key (at most 253 of a-z, A-Z, 0-9, "-", "_", "."; not "." and not starting with ".."), got "..data"'],
    ['an inline key value', { llmApiKey: 'sk-123' },
      'llmApiKey must be a Secret reference { name, key } (the Secret in the server\'s namespace; create it with kubectl create secret generic), got "sk-123"'],
    ['a value beside the reference', { llmApiKey: { name: 'llm', key: 'k', value: 'sk-123' } },
      'llmApiKey.value must be absent (a Secret reference has only name and key; values never go into the manifests), got "sk-123"'],
    ['a credential as a plain variable', { env: [{ name: 'GITHUB_TOKEN', value: 'ghp_x' }] },
      'env[0].name must be a name that is not a credential\'s: give GITHUB_TOKEN by reference, secretEnv: { GITHUB_TOKEN: { name, key } }, got "GITHUB_TOKEN"'],
    ['a [kubernetes] key in the environment', { env: [{ name: 'KUBERNETES_NAMESPACE', value: 'x' }] },
      'env[0].name must be a name not starting with KUBERNETES_ (the [kubernetes] section comes from config, the one source sessions are rendered from), got "KUBERNETES_NAMESPACE"'],
    ['the runtime in the environment', { env: [{ name: 'RUNTIME', value: 'docker' }] },
      'env[0].name must be a name other than RUNTIME, NO_SETUP, OH_PERSISTENCE_DIR, FILE_STORE, FILE_STORE_PATH, SANDBOX_RUNTIME_CONTAINER_IMAGE (set by the construct), got "RUNTIME"'],
    ['the LLM key as a plain variable', { env: [{ name: 'LLM_API_KEY', value: 'sk-live' }] },
      'env[0].name must be a name that is not a credential\'s: give the LLM key by reference, llmApiKey: { name, key }, got "LLM_API_KEY"'],
    ['the LLM key through secretEnv', { secretEnv: { LLM_API_KEY: { name: 'a', key: 'b' } } },
      'secretEnv key "LLM_API_KEY" must be a name other than RUNTIME, NO_SETUP, OH_PERSISTENCE_DIR, FILE_STORE, FILE_STORE_PATH, SANDBOX_RUNTIME_CONTAINER_IMAGE, LLM_API_KEY (use llmApiKey), got "LLM_API_KEY"'],
    ['two replicas of a stateful server', { replicas: 2 },
      'replicas must be 0 or 1 (the server keeps running conversations in memory and its state on a ReadWriteOnce volume: a second replica would split sessions and fight over the files), got 2'],
    ['a storage of nothing', { storage: { size: '0Gi' } }, 'storage.size must be a quantity above 0 such as "10Gi" (a volume claim must ask for some storage), got "0Gi"'],
    ['a class without an Ingress route', { ingressClassName: 'nginx' }, "ingressClassName must be absent unless route is { kind: 'Ingress' }, got \"nginx\""],
    ['a wildcard host', { host: '*.example.com' }, 'host must be a DNS name such as "localhost" or "openhands.example.com" (not an IP address: an Ingress or route host is a name), got "*.example.com"'],
    ['an IP address as host', { host: '192.168.1.10' }, 'host must be a DNS name such as "localhost" or "openhands.example.com" (not an IP address: an Ingress or route host is a name), got "192.168.1.10"'],
    ['an ingress domain that is an IP address (the default host)', { config: { ingressDomain: '10.0.0.1' } },
      'host must be a DNS name such as "localhost" or "openhands.example.com" (not an IP address: an Ingress or route host is a name), got "10.0.0.1"'],
    ['an unknown strategy', { strategy: 'BlueGreen' }, 'strategy must be one of "RollingUpdate", "Recreate", got "BlueGreen"'],
  ])('%s', (_n, props, message) => {
    const m = bad(props);
    expect(m).toBe(`OpenHandsServer 'server' (test/server): ${message}`);
  });

  test('a ServiceAccount of another namespace', () => {
    expect(errorOf(c => new OpenHandsServer(c, 'server', { serviceAccount: new OpenHandsServiceAccount(c, 'sa', { namespace: 'elsewhere' }) }))).toBe(
      'OpenHandsServer \'server\' (test/server): serviceAccount must be an OpenHandsServiceAccount in namespace "openhands" (a pod runs as a ServiceAccount of its own namespace; this one is in "elsewhere"), got "test/sa"');
  });

  test("a ServiceAccount whose Role grants httproutes: the server's runtime creates an Ingress per session", () => {
    expect(errorOf(c => new OpenHandsServer(c, 'server', { serviceAccount: new OpenHandsServiceAccount(c, 'sa', { routeKind: 'HTTPRoute' }) }))).toBe(
      'OpenHandsServer \'server\' (test/server): serviceAccount must be an OpenHandsServiceAccount with routeKind "Ingress" (the server\'s Kubernetes runtime creates an Ingress per session; its Role grants httproutes instead of ingresses), got "test/sa"');
  });

  test('an HTTPRoute on a listener that does not admit the server, checked at synth', () => {
    const app = new App({ outdir: '/nonexistent' });
    const chart = new Chart(app, 'c');
    const traefik = new Traefik(chart, 'traefik', { providers: { kubernetesGateway: true } });
    new OpenHandsServer(chart, 'server', { route: { kind: 'HTTPRoute', gateway: traefik } });
    expect(() => renderCharts(app)).toThrow(/OpenHandsServer 'server' \(c\/server\): namespace must be one listener "web" of Gateway traefik\/traefik-gateway admits routes from \(Same: traefik only\), got "openhands"/);
  });
});

describe('the server in the stacks', () => {
  const gateway = () => {
    const app = new App({ outdir: '/nonexistent' });
    const stack = addGatewayStack(app);
    const files = Object.fromEntries(renderCharts(app).map(f => [f.name, parseDocs(f.text)]));
    return { stack, files, all: Object.values(files).flat() };
  };

  test('gateway profile: a Deployment running the OpenHands image with RUNTIME=kubernetes, in its own namespace, as the isolation\'s ServiceAccount', () => {
    const { files, stack } = gateway();
    const docs = files['server.k8s.yaml'];
    expect(container(docs).image).toBe('docker.openhands.dev/openhands/openhands:0.62');
    expect(envOf(docs).RUNTIME).toBe('kubernetes');
    expect(docs.every(d => d.metadata.namespace === 'openhands')).toBe(true);
    expect(find(docs, 'Deployment').spec.template.spec.serviceAccountName).toBe(stack.serviceAccount.name);
    expect(stack.serviceAccount.namespace).toBe('openhands');
  });

  test('gateway profile: the ConfigMap\'s [kubernetes] section is what `npm run sandbox` reads from the same config, and the session lands where the stack isolates', () => {
    const { files, stack } = gateway();
    const toml = find(files['server.k8s.yaml'], 'ConfigMap').data['config.toml'];
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lh-server-config-'));
    try {
      const file = path.join(dir, 'config.toml');
      fs.writeFileSync(file, toml);
      expect(loadKubernetesConfig(file)).toEqual(stack.config);
      const session = parseDocs(sandboxYaml(file, 'abc', undefined, { kind: 'HTTPRoute' }));
      expect(new Set(session.map(d => d.metadata.namespace))).toEqual(new Set([stack.sandboxNamespace.name]));
      expect(find(session, 'HTTPRoute').spec.hostnames).toEqual(['abc.localhost']);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  test('gateway profile: an HTTPRoute for / to the server\'s Service port 3000, attached to the profile\'s Gateway on the listener for localhost', () => {
    const { files, stack } = gateway();
    const route = find(files['server.k8s.yaml'], 'HTTPRoute');
    const gw = find(files['traefik.k8s.yaml'], 'Gateway');
    expect(route.spec).toEqual({
      parentRefs: [{ group: 'gateway.networking.k8s.io', kind: 'Gateway', name: gw.metadata.name, namespace: gw.metadata.namespace, sectionName: 'server' }],
      hostnames: ['localhost'],
      rules: [{ matches: [{ path: { type: 'PathPrefix', value: '/' } }], backendRefs: [{ name: 'openhands', port: SERVER_PORT }] }],
    });
    expect(gw.spec.listeners.find((l: any) => l.name === 'server')).toMatchObject({ hostname: 'localhost', port: 8000 });
    expect(stack.server?.url).toBe('http://localhost/');
  });

  test('gateway profile: a namespace-wide default deny in the sandbox namespace, the server\'s namespace admitted to the action server only', () => {
    const { files, stack } = gateway();
    const policies = files['sandboxes.k8s.yaml'].filter(d => d.kind === 'NetworkPolicy');
    const deny = policies.find(d => d.spec.podSelector && Object.keys(d.spec.podSelector).length === 0);
    expect(deny).toMatchObject({ metadata: { namespace: stack.config.namespace }, spec: { policyTypes: ['Ingress', 'Egress'] } });
    expect(deny.spec.ingress).toBeUndefined();
    expect(deny.spec.egress).toBeUndefined();
    const fromServer = policies.find(d => d.metadata.name.endsWith('allow-server'));
    expect(fromServer.spec.ingress).toEqual([{
      from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'openhands' } }, podSelector: { matchLabels: { app: 'openhands' } } }],
      ports: [{ protocol: 'TCP', port: 8080 }],
    }]);
  });

  test('gateway profile without the server: no server chart, no server listener', () => {
    const app = new App({ outdir: '/nonexistent' });
    const stack = addGatewayStack(app, { server: false });
    expect(stack.server).toBeUndefined();
    expect(stack.traefik.listenerNames).toEqual(['web']);
    expect(renderCharts(app).map(f => f.name)).not.toContain('server.k8s.yaml');
  });

  test('default stack with `server: true`: isolation on, the server through the nginx class at localhost; the default profile is untouched', () => {
    const app = new App({ outdir: '/nonexistent' });
    const stack = addOpenHandsStack(app, { server: true });
    expect(stack.isolation?.config.namespace).toBe('openhands-sandboxes');
    const files = Object.fromEntries(renderCharts(app).map(f => [f.name, parseDocs(f.text)]));
    expect(Object.keys(files)).toEqual(['ingress-nginx.k8s.yaml', 'mirrord-rbac.k8s.yaml', 'ubuntu-dev.k8s.yaml', 'sandboxes.k8s.yaml', 'server.k8s.yaml']);
    expect(find(files['server.k8s.yaml'], 'Ingress').spec).toEqual({
      ingressClassName: 'nginx',
      rules: [{ host: 'localhost', http: { paths: [{ path: '/', pathType: 'Prefix', backend: { service: { name: 'openhands', port: { number: 3000 } } } }] } }],
    });
    const plain = new App({ outdir: '/nonexistent' });
    addOpenHandsStack(plain);
    expect(renderCharts(plain).map(f => f.name)).toEqual(['ingress-nginx.k8s.yaml', 'mirrord-rbac.k8s.yaml', 'ubuntu-dev.k8s.yaml']);
  });

  test("the session the server's runtime creates (a class-less Ingress) is what its ServiceAccount may create, and the profile's default IngressClass serves it", () => {
    const { stack, files } = gateway();
    const session = synthChart(c => new SandboxRuntime(c, 'session', { sid: 'abc', config: stack.config, ingressClassName: false }));
    const ingress = find(session, 'Ingress');
    expect(ingress.spec.ingressClassName).toBeUndefined();
    expect(ingress.metadata).toMatchObject({ name: 'openhands-runtime-abc-ingress-code', namespace: stack.config.namespace });
    const granted = stack.serviceAccount.rules.flatMap(r => r.apiGroups.flatMap(g => r.resources.flatMap(res => r.verbs.map(v => `${v} ${g}/${res}`))));
    for (const d of session) {
      const { apiGroup, resource } = resourceOf(d);
      for (const v of ['create', 'get', 'delete']) expect(granted).toContain(`${v} ${apiGroup}/${resource}`);
    }
    expect(granted.filter(g => g.includes('httproutes'))).toEqual([]);
    const ingressClass = find(files['traefik.k8s.yaml'], 'IngressClass');
    expect(ingressClass.metadata.annotations['ingressclass.kubernetes.io/is-default-class']).toBe('true');
    expect(stack.traefik.defaultIngressClassName).toBe('traefik');
  });

  test('the stacks refuse a Traefik that would not serve the sessions of the server they deploy; without the server it is allowed', () => {
    expect(() => addGatewayStack(new App({ outdir: '/nonexistent' }), { traefik: { providers: { kubernetesGateway: true, kubernetesIngress: false } } })).toThrow(
      /^addGatewayStack: traefik\.providers\.kubernetesIngress must be true while the stack deploys the server \(the server's Kubernetes runtime creates each session's Ingress without a class\), got false$/);
    expect(() => addGatewayStack(new App({ outdir: '/nonexistent' }), { traefik: { ingressClass: { name: 'traefik', default: false } } })).toThrow(
      /^addGatewayStack: traefik\.ingressClass must be an IngressClass with default: true while the stack deploys the server .*, got "traefik"$/);
    expect(() => addProductionStack(new App({ outdir: '/nonexistent' }), { domain: 'openhands.example.com', traefik: { ingressClass: false } })).toThrow(
      /^addProductionStack: traefik\.ingressClass must be an IngressClass with default: true .*, got false$/);
    expect(() => addGatewayStack(new App({ outdir: '/nonexistent' }), { server: false, traefik: { providers: { kubernetesGateway: true, kubernetesIngress: false } } })).not.toThrow();
    expect(() => addOpenHandsStack(new App({ outdir: '/nonexistent' }), { server: true, ingressNginx: { watchIngressWithoutClass: false } })).toThrow(
      /^addOpenHandsStack: ingressNginx\.watchIngressWithoutClass must be true while the stack deploys the server .*, got false$/);
    expect(() => addOpenHandsStack(new App({ outdir: '/nonexistent' }), { ingressNginx: { watchIngressWithoutClass: false } })).not.toThrow();
  });

  test('the stacks refuse a server placed or configured by hand', () => {
    expect(() => addGatewayStack(new App({ outdir: '/nonexistent' }), { server: { config: {} } as any })).toThrow(
      'addGatewayStack: server.config must be absent: the stack sets it (give the stack its config), got {}');
    expect(() => addOpenHandsStack(new App({ outdir: '/nonexistent' }), { server: 'yes' as any })).toThrow(
      'addOpenHandsStack: server must be true, false or OpenHandsServer props (an object), got "yes"');
  });
});

/** Every value under a key that names hosts (listener and route hostnames, Ingress hosts, certificate names, the config's domain). */
function hostnamesIn(v: unknown, key = ''): string[] {
  if (Array.isArray(v)) return v.flatMap(x => hostnamesIn(x, key));
  if (v && typeof v === 'object') return Object.entries(v).flatMap(([k, x]) => hostnamesIn(x, k));
  if (typeof v !== 'string') return [];
  if (['hostname', 'hostnames', 'host', 'hosts', 'dnsNames'].includes(key)) return [v];
  // The server's config.toml names the sessions' domain.
  if (key === 'config.toml') return [...v.matchAll(/^ingress_domain = "(.*)"$/gm)].map(m => m[1]);
  return [];
}

describe('npm run synth -- --profile production', () => {
  const synth = (args: string[]) => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lh-production-cli-'));
    try {
      const r = spawnSync(process.execPath, ['tools/launcher/run.cjs', 'main.ts', '--profile', 'production', ...args], {
        cwd: ROOT, encoding: 'utf8', env: { ...process.env, LOCAL_HANDS_QUIET_BUILD: '1', CDK8S_OUTDIR: path.join(dir, 'dist'), LOCAL_HANDS_KIND_DIR: path.join(dir, 'kind') },
      });
      const dist = path.join(dir, 'dist');
      const docs = fs.existsSync(dist) ? fs.readdirSync(dist).filter(f => f.endsWith('.yaml')).flatMap(f => parseDocs(fs.readFileSync(path.join(dist, f), 'utf8'))) : undefined;
      return { status: r.status, stderr: r.stderr, docs };
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  };

  test('without --domain: exit 2, one line that names the flag and the help, nothing written', () => {
    const r = synth([]);
    expect(r.status).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toBe('local-hands: --profile production needs --domain NAME (the DNS name OpenHands is served at, e.g. --domain openhands.example.com); npm run synth -- --help shows the usage\n');
    expect(r.docs).toBeUndefined();
  });

  test('a bad --domain: exit 1, the problem in one line, nothing written', () => {
    const r = synth(['--domain', 'localhost']);
    expect(r.status).toBe(1);
    expect(r.stderr.trim().split('\n').slice(-1)[0]).toBe(
      'addProductionStack: domain must be a DNS name such as "openhands.example.com" (at least two labels, not localhost nor an IP address, at most 220 characters; sessions are served at "<sid>.<domain>"), got "localhost"');
    expect(r.docs).toBeUndefined();
  });

  test('with --domain openhands.example.com: no hostname ends in .localhost, and plain HTTP only redirects to HTTPS', () => {
    const { status, docs } = synth(['--domain', 'openhands.example.com']);
    expect(status).toBe(0);
    const hosts = docs!.filter(d => d.kind !== 'CustomResourceDefinition').flatMap(d => hostnamesIn(d));
    expect(hosts.length).toBeGreaterThan(3);
    expect(hosts.filter(h => !/(^|\.)openhands\.example\.com$/.test(h))).toEqual([]);
    const gw = find(docs!, 'Gateway');
    const http = gw.spec.listeners.filter((l: any) => l.protocol === 'HTTP');
    expect(http.map((l: any) => l.allowedRoutes)).toEqual([{ namespaces: { from: 'Same' } }]);
    const onHttp = docs!.filter(d => d.kind === 'HTTPRoute' && d.spec.parentRefs.some((p: any) => http.some((l: any) => l.name === p.sectionName)));
    expect(onHttp.map(d => d.metadata.name)).toEqual(['https-redirect']);
    expect(onHttp[0].metadata.namespace).toBe(gw.metadata.namespace);
    expect(onHttp[0].spec.rules).toEqual([{ filters: [{ type: 'RequestRedirect', requestRedirect: { scheme: 'https', statusCode: 301 } }] }]);
    // Every other route names an HTTPS listener.
    for (const route of docs!.filter(d => d.kind === 'HTTPRoute' && d !== onHttp[0])) {
      for (const p of route.spec.parentRefs) expect(gw.spec.listeners.find((l: any) => l.name === p.sectionName).protocol).toBe('HTTPS');
    }
    expect(find(docs!, 'HTTPRoute', 'openhands').spec.hostnames).toEqual(['openhands.example.com']);
    expect(find(docs!, 'ResourceQuota').spec.hard.pods).toBe('20');
    expect(find(docs!, 'Deployment', 'openhands').spec.strategy).toEqual({ type: 'Recreate' });
    // Sessions get TLS: the runtime writes ingress_tls_secret into each session's Ingress (and hands out https://
    // links); Traefik's entry-point redirect keeps plain HTTP off them (test/dataplane shows both).
    expect(find(docs!, 'ConfigMap', 'openhands-config').data['config.toml']).toMatch(/^ingress_tls_secret = "openhands-sandboxes-tls"$/m);
    expect(find(docs!, 'Deployment', 'traefik').spec.template.spec.containers[0].args).toContain('--entryPoints.web.http.redirections.entryPoint.scheme=https');
  });
});
