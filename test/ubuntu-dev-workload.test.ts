import * as path from 'path';
import { describe, expect, test } from 'vitest';
import { UbuntuDevWorkload, UbuntuDevWorkloadProps } from '../index';
import { REFERENCE, byKey, errorOf, find, readDocs, synthChart, synthChartYaml } from './util';

const MANIFESTS = path.join(REFERENCE, 'openhands-kind', 'manifests');

describe('UbuntuDevWorkload', () => {
  test('defaults equal upstream deployment.yaml and service.yaml as parsed data', () => {
    const expected = [...readDocs(path.join(MANIFESTS, 'deployment.yaml')), ...readDocs(path.join(MANIFESTS, 'service.yaml'))];
    expect(byKey(synthChart(c => new UbuntuDevWorkload(c, 'ubuntu')))).toEqual(byKey(expected));
  });

  test('with no props it runs ubuntu:22.04 sleeping forever behind port 8099 -> 3000 (snapshot)', async () => {
    const docs = synthChart(c => new UbuntuDevWorkload(c, 'ubuntu'));
    expect(find(docs, 'Deployment').spec.template.spec.containers[0]).toEqual({ name: 'ubuntu', image: 'ubuntu:22.04', command: ['sleep', 'infinity'] });
    expect(find(docs, 'Service').spec.ports).toEqual([{ port: 8099, targetPort: 3000, protocol: 'TCP' }]);
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

const ubuntu = (props: any) => errorOf(s => new UbuntuDevWorkload(s, 'ubuntu', props as UbuntuDevWorkloadProps));

// Each case: the props, and what the message must say (field, bad value, what is allowed).
const BAD_PROPS: [string, () => string, RegExp][] = [
  ['unknown prop', () => ubuntu({ replica: 2 }), /replica must be absent: UbuntuDevWorkload has no prop "replica" \(known: name, namespace, /],
  ['service port out of range', () => ubuntu({ ports: [{ port: 0 }] }), /ports\[0\]\.port must be an integer in 1-65535, got 0/],
  ['duplicate ports', () => ubuntu({ ports: [{ port: 80, name: 'a' }, { port: 80, name: 'b' }] }), /ports\[1\]\.port must be unique per protocol \(ports\[0\] already uses 80\/TCP\), got 80/],
  ['unnamed ports', () => ubuntu({ ports: [{ port: 80 }, { port: 81 }] }), /ports\[0\]\.name must be a name, since the Service has more than one port, got undefined/],
  ['name', () => ubuntu({ name: 'ubuntu.dev' }), /name must be a DNS-1035 label .*, got "ubuntu\.dev"/],
  // The API server refuses a Service whose name starts with a digit.
  ['name starting with a digit', () => ubuntu({ name: '1ubuntu' }),
    /: name must be a DNS-1035 label \(at most 63 characters of a-z, 0-9 and "-", starting with a letter and ending with a letter or digit\), got "1ubuntu"$/],
  // The API server refuses a container whose request exceeds its limit.
  ['cpu request above its limit', () => ubuntu({ resources: { requests: { cpu: '1500m' }, limits: { cpu: '1' } } }),
    /: resources\.limits\.cpu must be at least resources\.requests\.cpu \("1500m"\), got "1"$/],
  // The API server stores "9Ei" as 2^63-1, below a "1e19" request: amounts past 2^63-1 are refused.
  ['a limit the API server would cap', () => ubuntu({ resources: { requests: { cpu: '1' }, limits: { cpu: '9Ei' } } }),
    /: resources\.limits\.cpu must be a quantity of at most 2\^63-1 \(about 8Ei; the API server caps larger amounts\), got "9Ei"$/],
  ['memory request above its limit, in other units', () => ubuntu({ resources: { requests: { memory: '1G' }, limits: { memory: '512Mi' } } }),
    /: resources\.limits\.memory must be at least resources\.requests\.memory \("1G"\), got "512Mi"$/],
  ['image', () => ubuntu({ image: 'Ubuntu:22.04' }), /image must be an image reference .*, got "Ubuntu:22\.04"/],
  ['command', () => ubuntu({ command: [] }), /command must be a non-empty list of strings, got \[\]/],
  ['env name', () => ubuntu({ env: [{ name: '1X', value: 'y' }] }), /env\[0\]\.name must be a C identifier-like name .*, got "1X"/],
  ['memory', () => ubuntu({ resources: { requests: { memory: 'lots' } } }), /resources\.requests\.memory must be a Kubernetes quantity .*, got "lots"/],
];

describe('bad props fail at synth time with the construct path, the field, the value and what is allowed', () => {
  test.each(BAD_PROPS)('%s', (_name, run, pattern) => {
    const message = run();
    expect(message).toMatch(pattern);
    expect(message).toMatch(/^UbuntuDevWorkload 'ubuntu' \(test\/ubuntu\): /);
  });
});
