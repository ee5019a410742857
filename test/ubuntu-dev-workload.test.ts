import * as path from 'path';
import { describe, expect, test } from 'vitest';
import { UbuntuDevWorkload } from '../index';
import { REFERENCE, byKey, find, readDocs, synthChart, synthChartYaml } from './util';

const MANIFESTS = path.join(REFERENCE, 'openhands-kind', 'manifests');

describe('UbuntuDevWorkload', () => {
  test('defaults equal upstream deployment.yaml and service.yaml as parsed data', () => {
    const expected = [...readDocs(path.join(MANIFESTS, 'deployment.yaml')), ...readDocs(path.join(MANIFESTS, 'service.yaml'))];
    expect(byKey(synthChart(c => new UbuntuDevWorkload(c, 'ubuntu')))).toEqual(byKey(expected));
  });

  test('defaults snapshot', async () => {
    await expect(synthChartYaml(c => new UbuntuDevWorkload(c, 'ubuntu'))).toMatchFileSnapshot('../__snapshots__/ubuntu-dev-defaults.k8s.yaml');
  });

  test('no cdk8s-plus workload defaults leak in: root, writable, no CPU request, no pull policy, no hashed names', () => {
    const docs = synthChart(c => new UbuntuDevWorkload(c, 'ubuntu'));
    const deploy = find(docs, 'Deployment');
    const pod = deploy.spec.template.spec;
    expect(pod.securityContext).toBeUndefined();
    expect(pod.containers[0].securityContext).toBeUndefined();
    expect(pod.containers[0].resources).toBeUndefined();
    expect(pod.containers[0].imagePullPolicy).toBeUndefined();
    expect(deploy.spec.replicas).toBe(1);
    expect(deploy.spec.selector.matchLabels).toEqual({ app: 'ubuntu-dev' });
    expect(JSON.stringify(docs)).not.toContain('cdk8s.io/metadata.addr');
    expect(docs.map(d => d.metadata.name)).toEqual(['ubuntu-dev', 'ubuntu-dev']);
  });

  test('every prop set', async () => {
    const build = (c: any) => new UbuntuDevWorkload(c, 'ubuntu', {
      name: 'dev-box',
      namespace: 'dev',
      image: 'ubuntu:24.04',
      command: ['/bin/sh', '-c', 'sleep infinity'],
      replicas: 2,
      ports: [{ port: 8099, targetPort: 3000, name: 'app' }, { port: 53, protocol: 'UDP', name: 'dns' }],
      env: [{ name: 'TZ', value: 'UTC' }],
      resources: { requests: { cpu: '100m', memory: '64Mi' }, limits: { memory: '256Mi' } },
    });
    const docs = synthChart(build);
    const deploy = find(docs, 'Deployment');
    const ctr = deploy.spec.template.spec.containers[0];
    expect(deploy.metadata).toEqual({ name: 'dev-box', namespace: 'dev' });
    expect(deploy.spec.replicas).toBe(2);
    expect(ctr).toEqual({
      name: 'ubuntu',
      image: 'ubuntu:24.04',
      command: ['/bin/sh', '-c', 'sleep infinity'],
      env: [{ name: 'TZ', value: 'UTC' }],
      resources: { requests: { cpu: '100m', memory: '64Mi' }, limits: { memory: '256Mi' } },
    });
    const svc = find(docs, 'Service');
    expect(svc.spec.selector).toEqual({ app: 'dev-box' });
    expect(svc.spec.ports).toEqual([
      { name: 'app', port: 8099, protocol: 'TCP', targetPort: 3000 },
      { name: 'dns', port: 53, protocol: 'UDP', targetPort: 53 },
    ]);
    await expect(synthChartYaml(build)).toMatchFileSnapshot('../__snapshots__/ubuntu-dev-every-prop.k8s.yaml');
  });

  test('handles expose the Deployment, the Service and the selector', () => {
    let w!: UbuntuDevWorkload;
    synthChart(c => { w = new UbuntuDevWorkload(c, 'u', { name: 'box' }); });
    expect(w.deployment.name).toBe('box');
    expect(w.service.name).toBe('box');
    expect(w.selector).toEqual({ app: 'box' });
  });
});
