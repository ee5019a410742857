import * as path from 'path';
import { Chart, Testing } from 'cdk8s';
import { describe, expect, test } from 'vitest';
import { INGRESS_NGINX_LATEST, INGRESS_NGINX_RELEASES, IngressNginx, IngressNginxProps } from '../index';
import { REFERENCE, byKey, find, readDocs, synthChart, synthChartYaml } from './util';

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
  test('defaults', async () => {
    await expect(synthChartYaml(c => new IngressNginx(c, 'ingress'))).toMatchFileSnapshot('../__snapshots__/ingress-nginx-defaults.k8s.yaml');
  });

  test('every prop set', async () => {
    const yaml = synthChartYaml(c => new IngressNginx(c, 'ingress', EVERY_PROP));
    await expect(yaml).toMatchFileSnapshot('../__snapshots__/ingress-nginx-every-prop.k8s.yaml');
  });

  test('webhook off', async () => {
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
    const app = Testing.app();
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
