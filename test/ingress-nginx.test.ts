import * as path from 'path';
import { Chart, Testing } from 'cdk8s';
import { describe, expect, test } from 'vitest';
import { INGRESS_NGINX_LATEST, INGRESS_NGINX_RELEASES, IngressNginx, IngressNginxProps, LocalHandsValidationError } from '../index';
import { REFERENCE, byKey, errorOf, find, readDocs, synthChart, synthChartYaml, testApp } from './util';

const ref = (v: string) => readDocs(path.join(REFERENCE, 'ingress-nginx-kind', `ingress-nginx-kind-v${v}.yaml`));
const render = (props?: IngressNginxProps) => synthChart(c => new IngressNginx(c, 'ingress', props));

describe('IngressNginx equals upstream kind manifests as parsed data', () => {
  test.each(['1.12.1', '1.15.1'] as const)('version %s with no other props', version => {
    const docs = render({ version });
    expect(docs).toHaveLength(19);
    expect(byKey(docs)).toEqual(byKey(ref(version)));
  });

  test.each(['1.13.0', '1.14.0'] as const)('version %s equals 1.15.1 but for images and version labels', version => {
    // Upstream's kind defaults changed at 1.13.0; 1.13.0 through 1.15.1 differ only in images and version labels.
    const release = INGRESS_NGINX_RELEASES[version];
    const latest = INGRESS_NGINX_RELEASES['1.15.1'];
    const expected = JSON.parse(JSON.stringify(ref('1.15.1'))
      .replaceAll(`controller:${latest.controller.tag}@${latest.controller.digest}`, `controller:${release.controller.tag}@${release.controller.digest}`)
      .replaceAll(`kube-webhook-certgen:${latest.certgen.tag}@${latest.certgen.digest}`, `kube-webhook-certgen:${release.certgen.tag}@${release.certgen.digest}`)
      .replaceAll('"app.kubernetes.io/version":"1.15.1"', `"app.kubernetes.io/version":"${version}"`));
    expect(byKey(render({ version }))).toEqual(byKey(expected));
  });

  test('no version renders the newest release', () => {
    expect(INGRESS_NGINX_LATEST).toBe('1.15.1');
    expect(byKey(render())).toEqual(byKey(ref('1.15.1')));
  });

  test('objects come out in upstream order, Namespace first', () => {
    expect(render({ version: '1.12.1' }).map(d => `${d.kind}/${d.metadata.name}`)).toEqual(ref('1.12.1').map(d => `${d.kind}/${d.metadata.name}`));
  });
});

describe('IngressNginx snapshots', () => {
  test('with no props it renders the newest release: 19 objects, its images, host ports 80 and 443', async () => {
    const docs = render();
    expect(docs).toHaveLength(19);
    const container = find(docs, 'Deployment').spec.template.spec.containers[0];
    expect(container.image).toContain(`controller:${INGRESS_NGINX_RELEASES[INGRESS_NGINX_LATEST].controller.tag}@`);
    expect(container.ports.map((p: any) => p.hostPort)).toEqual([80, 443, undefined]);
    await expect(synthChartYaml(c => new IngressNginx(c, 'ingress'))).toMatchFileSnapshot('../__snapshots__/ingress-nginx-defaults.k8s.yaml');
  });

  test('every prop set lands in the objects it controls', async () => {
    const docs = render(EVERY_PROP);
    const deployment = find(docs, 'Deployment');
    expect(deployment.metadata.namespace).toBe(EVERY_PROP.namespace);
    expect(deployment.spec.replicas).toBe(EVERY_PROP.replicas);
    expect(deployment.spec.template.spec.nodeSelector).toEqual(EVERY_PROP.nodeSelector);
    expect(find(docs, 'IngressClass').metadata.name).toBe(EVERY_PROP.ingressClass?.name);
    expect(find(docs, 'PodDisruptionBudget').spec.minAvailable).toBe(1);
    const yaml = synthChartYaml(c => new IngressNginx(c, 'ingress', EVERY_PROP));
    await expect(yaml).toMatchFileSnapshot('../__snapshots__/ingress-nginx-every-prop.k8s.yaml');
  });

  test('webhook off drops its Jobs, Service, RBAC and webhook configuration, and the controller\'s webhook port', async () => {
    const docs = render({ admissionWebhook: { enabled: false } });
    expect(docs).toHaveLength(10);
    expect(docs.filter(d => JSON.stringify(d).includes('admission'))).toEqual([]);
    expect(find(docs, 'Deployment').spec.template.spec.containers[0].ports.map((p: any) => p.name)).toEqual(['http', 'https']);
    const yaml = synthChartYaml(c => new IngressNginx(c, 'ingress', { admissionWebhook: { enabled: false } }));
    await expect(yaml).toMatchFileSnapshot('../__snapshots__/ingress-nginx-webhook-off.k8s.yaml');
  });
});

const EVERY_PROP: IngressNginxProps = {
  version: '1.14.0',
  namespace: 'edge',
  config: { 'use-forwarded-headers': 'true' },
  resources: { requests: { cpu: '200m', memory: '128Mi' }, limits: { cpu: '1', memory: '1Gi' } },
  replicas: 3,
  serviceType: 'NodePort',
  hostPorts: { http: 8080, https: 8443 },
  nodeSelector: { 'ingress-ready': 'true' },
  tolerations: [{ key: 'dedicated', operator: 'Equal', value: 'edge', effect: 'NoExecute', tolerationSeconds: 30 }],
  extraArgs: { 'enable-ssl-passthrough': '', 'publish-status-address': '127.0.0.1' },
  ingressClass: { name: 'edge', controllerValue: 'example.com/edge', default: true },
  watchIngressWithoutClass: false,
  admissionWebhook: { enabled: true, failurePolicy: 'Ignore' },
  terminationGracePeriodSeconds: 30,
  image: { registry: 'localhost:5000/mirror', tag: 'v1.14.0-custom', digest: `sha256:${'ab'.repeat(32)}` },
  labels: { team: 'platform' },
};

describe('IngressNginx props', () => {
  test('every prop lands where the chart puts it', () => {
    const docs = render(EVERY_PROP);
    const deploy = find(docs, 'Deployment');
    const pod = deploy.spec.template.spec;
    const ctl = pod.containers[0];
    expect(deploy.metadata.namespace).toBe('edge');
    expect(deploy.spec.replicas).toBe(3);
    expect(ctl.image).toBe(`localhost:5000/mirror/ingress-nginx/controller:v1.14.0-custom@sha256:${'ab'.repeat(32)}`);
    expect(find(docs, 'Job', 'ingress-nginx-admission-create').spec.template.spec.containers[0].image)
      .toBe(`localhost:5000/mirror/ingress-nginx/kube-webhook-certgen:${INGRESS_NGINX_RELEASES['1.14.0'].certgen.tag}@${INGRESS_NGINX_RELEASES['1.14.0'].certgen.digest}`);
    expect(ctl.resources).toEqual({ requests: { cpu: '200m', memory: '128Mi' }, limits: { cpu: '1', memory: '1Gi' } });
    expect(ctl.ports.map((p: any) => [p.name, p.hostPort])).toEqual([['http', 8080], ['https', 8443], ['webhook', undefined]]);
    expect(pod.nodeSelector).toEqual({ 'ingress-ready': 'true' });
    expect(pod.tolerations).toEqual(EVERY_PROP.tolerations);
    expect(pod.terminationGracePeriodSeconds).toBe(30);
    expect(ctl.args).toEqual([
      '/nginx-ingress-controller',
      '--election-id=ingress-nginx-leader',
      '--controller-class=example.com/edge',
      '--ingress-class=edge',
      '--configmap=$(POD_NAMESPACE)/ingress-nginx-controller',
      '--validating-webhook=:8443',
      '--validating-webhook-certificate=/usr/local/certificates/cert',
      '--validating-webhook-key=/usr/local/certificates/key',
      '--publish-status-address=127.0.0.1',
      '--enable-ssl-passthrough',
    ]);
    expect(find(docs, 'ConfigMap').data).toEqual({ 'use-forwarded-headers': 'true' });
    expect(find(docs, 'Service', 'ingress-nginx-controller').spec.type).toBe('NodePort');
    const cls = find(docs, 'IngressClass');
    expect(cls.metadata.name).toBe('edge');
    expect(cls.metadata.annotations).toEqual({ 'ingressclass.kubernetes.io/is-default-class': 'true' });
    expect(cls.spec.controller).toBe('example.com/edge');
    const vwc = find(docs, 'ValidatingWebhookConfiguration');
    expect(vwc.webhooks[0].failurePolicy).toBe('Ignore');
    expect(vwc.webhooks[0].clientConfig.service.namespace).toBe('edge');
    expect(find(docs, 'Job', 'ingress-nginx-admission-patch').spec.template.spec.containers[0].args).toContain('--patch-failure-policy=Ignore');
    for (const d of docs) expect(d.metadata.labels?.team, `${d.kind} ${d.metadata.name}`).toBe('platform');
    expect(find(docs, 'Namespace').metadata.name).toBe('edge');
    for (const d of docs.filter(x => x.subjects)) expect(d.subjects[0].namespace).toBe('edge');
  });

  test('replicas above 1 add a PodDisruptionBudget with minAvailable 1 over the controller pods', () => {
    const docs = render({ replicas: 2 });
    expect(docs).toHaveLength(20);
    const pdb = find(docs, 'PodDisruptionBudget');
    expect(pdb.spec).toEqual({ minAvailable: 1, selector: find(docs, 'Deployment').spec.selector });
    expect(pdb.metadata.namespace).toBe('ingress-nginx');
  });

  test('one replica adds no PodDisruptionBudget', () => {
    expect(render({ replicas: 1 }).some(d => d.kind === 'PodDisruptionBudget')).toBe(false);
  });

  test('webhook off drops the admission objects, flags, port and certificate volume', () => {
    const docs = render({ admissionWebhook: { enabled: false } });
    expect(docs).toHaveLength(10); // 19 less SA, Role, ClusterRole, RoleBinding, ClusterRoleBinding, Service, 2 Jobs, webhook config
    expect(docs.some(d => /admission/.test(d.metadata.name))).toBe(false);
    const pod = find(docs, 'Deployment').spec.template.spec;
    expect(pod.containers[0].args.some((a: string) => a.includes('validating-webhook'))).toBe(false);
    expect(pod.containers[0].ports.map((p: any) => p.name)).toEqual(['http', 'https']);
    expect(pod.volumes).toBeUndefined();
    expect(pod.containers[0].volumeMounts).toBeUndefined();
  });

  test('hostPorts false binds no host port', () => {
    const ports = find(render({ hostPorts: false }), 'Deployment').spec.template.spec.containers[0].ports;
    expect(ports.every((p: any) => p.hostPort === undefined)).toBe(true);
  });

  test('a custom tag without a digest drops the release digest', () => {
    const image = find(render({ image: { tag: 'v9.9.9' } }), 'Deployment').spec.template.spec.containers[0].image;
    expect(image).toBe('registry.k8s.io/ingress-nginx/controller:v9.9.9');
  });

  test("a namespaced chart's namespace stays off the cluster-scoped objects", () => {
    const app = testApp();
    const docs = Testing.synth(new IngressNginx(new Chart(app, 'c', { namespace: 'team' }), 'ingress').node.scope as Chart);
    const clusterScoped = docs.filter(d => ['Namespace', 'ClusterRole', 'ClusterRoleBinding', 'IngressClass', 'ValidatingWebhookConfiguration'].includes(d.kind));
    expect(clusterScoped).toHaveLength(7);
    for (const d of clusterScoped) expect(d.metadata.namespace, `${d.kind} ${d.metadata.name}`).toBeUndefined();
    expect(find(docs, 'Deployment').metadata.namespace).toBe('ingress-nginx');
  });

  test('typed handles point at the objects made', () => {
    let ingress!: IngressNginx;
    synthChart(c => { ingress = new IngressNginx(c, 'ingress', { ingressClass: { name: 'public' } }); });
    expect(ingress.ingressClassName).toBe('public');
    expect(ingress.deployment.name).toBe('ingress-nginx-controller');
    expect(ingress.service.name).toBe('ingress-nginx-controller');
    expect(ingress.deployment.kind).toBe('Deployment');
    expect(ingress.service.kind).toBe('Service');
    expect(ingress.hostPorts).toEqual({ http: 80, https: 443 });
  });
});

/**
 * What the chart's `controller.metrics.enabled=true` adds to upstream's kind manifest, written as an edit of the
 * reference data (charts/ingress-nginx/templates at controller-v1.12.1 and v1.15.1: `_params.tpl`,
 * `controller-deployment.yaml`, `controller-service-metrics.yaml`, values `controller.metrics.*`).
 */
function referenceWithMetrics(version: '1.12.1' | '1.15.1'): any[] {
  const docs = structuredClone(ref(version));
  const deployment = find(docs, 'Deployment');
  const container = deployment.spec.template.spec.containers[0];
  container.args.splice(container.args.indexOf('--watch-ingress-without-class=true') + 1, 0, '--enable-metrics=true');
  container.ports.splice(container.ports.findIndex((p: any) => p.name === 'https') + 1, 0, { containerPort: 10254, name: 'metrics', protocol: 'TCP' });
  const controllerService = find(docs, 'Service', 'ingress-nginx-controller');
  const metricsService = {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { labels: controllerService.metadata.labels, name: 'ingress-nginx-controller-metrics', namespace: 'ingress-nginx' },
    spec: {
      ports: [{ name: 'metrics', port: 10254, protocol: 'TCP', targetPort: 'metrics' }],
      selector: deployment.spec.selector.matchLabels,
      type: 'ClusterIP',
    },
  };
  // kustomize, which upstream pipes `helm template` through, writes one kind's objects in name order.
  docs.splice(docs.indexOf(find(docs, 'Service', 'ingress-nginx-controller-admission')) + 1, 0, metricsService);
  return docs;
}

describe('IngressNginx metrics switch', () => {
  test.each(['1.12.1', '1.15.1'] as const)('metrics on equals what the chart renders for %s: the kind manifest plus flag, port and Service', version => {
    const docs = render({ version, metrics: true });
    expect(docs).toHaveLength(20);
    expect(byKey(docs)).toEqual(byKey(referenceWithMetrics(version)));
    expect(docs.map(d => `${d.kind}/${d.metadata.name}`)).toEqual(referenceWithMetrics(version).map(d => `${d.kind}/${d.metadata.name}`));
  });

  test('metrics on: flag after --watch-ingress-without-class, port between https and webhook, Service selecting the controller pods', async () => {
    const docs = render({ metrics: true });
    const container = find(docs, 'Deployment').spec.template.spec.containers[0];
    expect(container.args.slice(-3)).toEqual(['--watch-ingress-without-class=true', '--enable-metrics=true', '--publish-status-address=localhost']);
    expect(container.ports.map((p: any) => `${p.name}:${p.containerPort}`)).toEqual(['http:80', 'https:443', 'metrics:10254', 'webhook:8443']);
    const service = find(docs, 'Service', 'ingress-nginx-controller-metrics');
    expect(service.spec).toEqual({
      ports: [{ name: 'metrics', port: 10254, protocol: 'TCP', targetPort: 'metrics' }],
      selector: find(docs, 'Deployment').spec.selector.matchLabels,
      type: 'ClusterIP',
    });
    expect(service.metadata.labels['app.kubernetes.io/component']).toBe('controller');
    await expect(synthChartYaml(c => new IngressNginx(c, 'ingress', { metrics: true }))).toMatchFileSnapshot('../__snapshots__/ingress-nginx-metrics.k8s.yaml');
  });

  test('metrics on with another instance, namespace, extra args and no webhook: names follow the instance, user flags stay last', () => {
    const docs = render({ instance: 'team', namespace: 'edge', metrics: true, admissionWebhook: { enabled: false }, extraArgs: { v: '2' }, labels: { team: 'a' } });
    const service = find(docs, 'Service', 'team-ingress-nginx-controller-metrics');
    expect(service.metadata.namespace).toBe('edge');
    expect(service.metadata.labels.team).toBe('a');
    expect(service.spec.selector).toEqual({ 'app.kubernetes.io/component': 'controller', 'app.kubernetes.io/instance': 'team', 'app.kubernetes.io/name': 'ingress-nginx' });
    const container = find(docs, 'Deployment').spec.template.spec.containers[0];
    expect(container.args.slice(-3)).toEqual(['--enable-metrics=true', '--publish-status-address=localhost', '--v=2']);
    expect(container.ports.map((p: any) => p.name)).toEqual(['http', 'https', 'metrics']);
    expect(docs.filter(d => d.kind === 'Service').map(d => d.metadata.name)).toEqual(['team-ingress-nginx-controller', 'team-ingress-nginx-controller-metrics']);
  });

  test('metrics off (the default) renders no metrics flag, port or Service', () => {
    for (const docs of [render(), render({ metrics: false })]) {
      expect(docs).toHaveLength(19);
      expect(JSON.stringify(docs)).not.toMatch(/enable-metrics|"metrics"|-metrics"/);
    }
  });

  test('typed handles: metricsService when on, none when off; controllerSelector is the metrics Service selector', () => {
    let on!: IngressNginx;
    let off!: IngressNginx;
    synthChart(c => { on = new IngressNginx(c, 'on', { metrics: true }); });
    synthChart(c => { off = new IngressNginx(c, 'off'); });
    expect(on.metricsService?.name).toBe('ingress-nginx-controller-metrics');
    expect(on.metricsService?.kind).toBe('Service');
    expect(on.controllerSelector).toEqual(on.deployment.toJson().spec.selector.matchLabels);
    expect(on.metricsService?.toJson().spec.selector).toEqual(on.controllerSelector);
    expect(off.metricsService).toBeUndefined();
  });
});

const ingress = (props: any) => errorOf(s => new IngressNginx(s, 'ingress', props as IngressNginxProps));

// Each case: the props, and what the message must say (field, bad value, what is allowed).
const BAD_PROPS: [string, () => string, RegExp][] = [
  ['host port out of range', () => ingress({ hostPorts: { http: 70000 } }), /hostPorts\.http must be an integer in 1-65535, got 70000/],
  ['host port not an integer', () => ingress({ hostPorts: { https: 80.5 } }), /hostPorts\.https must be an integer in 1-65535, got 80\.5/],
  ['the same host port twice', () => ingress({ hostPorts: { http: 8080, https: 8080 } }), /hostPorts\.https must be different from hostPorts\.http \(8080\), got 8080/],
  ['unknown release', () => ingress({ version: '1.11.0' }), /version must be a release in the table: "1\.12\.1", "1\.13\.0", "1\.14\.0", "1\.15\.1", got "1\.11\.0"/],
  ['namespace not a DNS label', () => ingress({ namespace: 'Ingress_Nginx' }), /namespace must be a DNS-1123 label .*, got "Ingress_Nginx"/],
  ['namespace too long', () => ingress({ namespace: 'a'.repeat(64) }), /namespace must be a DNS-1123 label/],
  ['bad CPU quantity', () => ingress({ resources: { requests: { cpu: '300 m' } } }), /resources\.requests\.cpu must be a Kubernetes quantity .*, got "300 m"/],
  ['bad memory quantity', () => ingress({ resources: { limits: { memory: '512MB' } } }), /resources\.limits\.memory must be a Kubernetes quantity .*, got "512MB"/],
  ['negative quantity', () => ingress({ resources: { limits: { memory: '-1Gi' } } }), /resources\.limits\.memory .* got "-1Gi"/],
  ['digest of the wrong form', () => ingress({ image: { digest: 'sha256:abc' } }), /image\.digest must be a digest "sha256:" followed by 64 lowercase hex digits, got "sha256:abc"/],
  ['digest with another algorithm', () => ingress({ image: { digest: `md5:${'a'.repeat(64)}` } }), /image\.digest must be/],
  ['toleration operator', () => ingress({ tolerations: [{ key: 'a', operator: 'In' }] }), /tolerations\[0\]\.operator must be one of "Exists", "Equal", got "In"/],
  ['toleration effect', () => ingress({ tolerations: [{ key: 'a', effect: 'NoRun' }] }), /tolerations\[0\]\.effect must be one of "NoSchedule", "PreferNoSchedule", "NoExecute", got "NoRun"/],
  ['toleration value with Exists', () => ingress({ tolerations: [{ key: 'a', operator: 'Exists', value: 'x' }] }), /tolerations\[0\]\.value must be empty when operator is "Exists", got "x"/],
  ['toleration unknown field', () => ingress({ tolerations: [{ key: 'a', effects: 'NoSchedule' }] }), /tolerations\[0\]\.effects must be absent/],
  ['node selector label value', () => ingress({ nodeSelector: { 'ingress-ready': 'yes please' } }), /nodeSelector\["ingress-ready"\] must be a label value .*, got "yes please"/],
  ['extra label with a bad key', () => ingress({ labels: { 'bad key': 'x' } }), /labels key "bad key" must be a qualified name/],
  ['extra label overriding a managed one', () => ingress({ labels: { 'app.kubernetes.io/name': 'x' } }), /labels key "app\.kubernetes\.io\/name" must be a key outside app\.kubernetes\.io\//],
  ['service type', () => ingress({ serviceType: 'ExternalName' }), /serviceType must be one of "ClusterIP", "NodePort", "LoadBalancer", got "ExternalName"/],
  ['replicas zero', () => ingress({ replicas: 0 }), /replicas must be an integer in 1-1000, got 0/],
  ['extraArgs owning flag', () => ingress({ extraArgs: { 'ingress-class': 'x' } }), /extraArgs\["ingress-class"\] must be absent: --ingress-class is set by the ingressClass\.name prop, got "x"/],
  ['extraArgs owning the metrics flag', () => ingress({ extraArgs: { 'enable-metrics': 'true' } }), /extraArgs\["enable-metrics"\] must be absent: --enable-metrics is set by the metrics prop, got "true"/],
  ['metrics not a boolean', () => ingress({ metrics: 'yes' }), /metrics must be true or false, got "yes"/],
  ['extraArgs key with dashes', () => ingress({ extraArgs: { '--v': '2' } }), /extraArgs key "--v" must be a flag name without leading dashes/],
  ['config key "." (a ConfigMap key the API server refuses)', () => ingress({ config: { '.': 'x' } }),
    /: config key "\." must be a ConfigMap key \(at most 253 letters, digits, "-", "_", "\."; not "\." and not starting with "\.\."\), got "\."$/],
  ['config over the 1 MiB a ConfigMap may hold', () => ingress({ config: { a: 'x'.repeat(1024 * 1024) } }),
    /: config must hold at most 1048576 bytes of keys and values \(a ConfigMap's limit\), got 1048577$/],
  ['config key starting with ".."', () => ingress({ config: { '..data': 'x' } }), /: config key "\.\.data" must be a ConfigMap key .*, got "\.\.data"$/],
  ['config value not a string', () => ingress({ config: { 'worker-processes': 2 } }), /config\["worker-processes"\] must be a string \(ConfigMap values are strings: quote numbers, e\.g\. "2"\), got 2/],
  ['webhook failure policy', () => ingress({ admissionWebhook: { failurePolicy: 'Retry' } }), /admissionWebhook\.failurePolicy must be one of "Fail", "Ignore", got "Retry"/],
  ['grace period negative', () => ingress({ terminationGracePeriodSeconds: -1 }), /terminationGracePeriodSeconds must be an integer in 0-2147483647, got -1/],
  ['ingress class name', () => ingress({ ingressClass: { name: 'Nginx!' } }), /ingressClass\.name must be a DNS-1123 subdomain .*, got "Nginx!"/],
  ['unknown prop', () => ingress({ hostPort: 80 }), /hostPort must be absent: IngressNginx has no prop "hostPort"/],
  ['image tag', () => ingress({ image: { tag: 'v1:2' } }), /image\.tag must be an image tag .*, got "v1:2"/],
  // What the API server refuses, found by the differential test (test/cluster/differential.test.ts):
  ['memory limit below the default request', () => ingress({ resources: { limits: { memory: '64Mi' } } }),
    /: resources\.limits\.memory must be at least resources\.requests\.memory \("90Mi"\), got "64Mi"$/],
  ['cpu limit below the request', () => ingress({ resources: { requests: { cpu: '1' }, limits: { cpu: '999m' } } }),
    /: resources\.limits\.cpu must be at least resources\.requests\.cpu \("1"\), got "999m"$/],
  ['instance too long for the admission Service name', () => ingress({ instance: 'a'.repeat(29) }),
    /: instance must be a DNS-1035 label \(a-z, 0-9 and "-", starting with a letter\) short enough that "<instance>-ingress-nginx-controller-admission" fits in 63 characters, got "a{29}"$/],
  ['instance starting with a digit (Service names start with a letter)', () => ingress({ instance: '1st' }), /: instance must be a DNS-1035 label .*, got "1st"$/],
  ['controller class with a bad domain', () => ingress({ ingressClass: { controllerValue: 'k8s..io/x' } }),
    /: ingressClass\.controllerValue must be a domain-prefixed path of at most 250 characters such as "k8s\.io\/ingress-nginx" .*, got "k8s\.\.io\/x"$/],
  ['controller class over 250 characters', () => ingress({ ingressClass: { controllerValue: `example.com/${'a'.repeat(239)}` } }),
    /: ingressClass\.controllerValue must be a domain-prefixed path of at most 250 characters/],
];

describe('bad props fail at synth time with the construct path, the field, the value and what is allowed', () => {
  test.each(BAD_PROPS)('%s', (_name, run, pattern) => {
    const message = run();
    expect(message).toMatch(pattern);
    expect(message).toMatch(/^IngressNginx 'ingress' \(test\/ingress\): /);
  });

  test('the longest instance that fits, and a controller class of exactly 250 characters, are accepted', () => {
    const docs = synthChart(c => new IngressNginx(c, 'ingress', { instance: 'a'.repeat(28), ingressClass: { controllerValue: `example.com/${'a'.repeat(238)}` } }));
    expect(find(docs, 'Service', `${'a'.repeat(28)}-ingress-nginx-controller-admission`).metadata.name).toHaveLength(63);
    expect(find(docs, 'IngressClass').spec.controller).toHaveLength(250);
  });

  test('all problems of a construct are reported together', () => {
    const message = ingress({ hostPorts: { http: 0 }, namespace: 'X', replicas: -2 });
    expect(message).toContain('3 problems');
    expect(message).toContain('hostPorts.http');
    expect(message).toContain('namespace');
    expect(message).toContain('replicas');
  });

  test('the error is a LocalHandsValidationError listing each problem', () => {
    expect(() => new IngressNginx(new Chart(undefined as any, 'c'), 'i', { replicas: 0 })).toThrow(LocalHandsValidationError);
    try {
      new IngressNginx(new Chart(undefined as any, 'c'), 'i', { replicas: 0 });
    } catch (e) {
      expect((e as LocalHandsValidationError).problems).toEqual(['replicas must be an integer in 1-1000, got 0']);
    }
  });
});
