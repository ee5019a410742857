import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Chart } from 'cdk8s';
import { describe, expect, test } from 'vitest';
import {
  IngressNginx, IngressNginxProps, LocalHandsValidationError, MirrordRbac, MirrordRbacProps, UbuntuDevWorkload,
  UbuntuDevWorkloadProps, synthToDir,
} from '../index';
import { ROOT, errorOf } from './util';

const ingress = (props: any) => errorOf(s => new IngressNginx(s, 'ingress', props as IngressNginxProps));
const rbac = (props: any) => errorOf(s => new MirrordRbac(s, 'mirrord', props as MirrordRbacProps));
const ubuntu = (props: any) => errorOf(s => new UbuntuDevWorkload(s, 'ubuntu', props as UbuntuDevWorkloadProps));

// Each case: the props, and what the message must say (field, bad value, what is allowed).
const CASES: [string, () => string, RegExp][] = [
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
  ['extraArgs key with dashes', () => ingress({ extraArgs: { '--v': '2' } }), /extraArgs key "--v" must be a flag name without leading dashes/],
  ['config value not a string', () => ingress({ config: { 'worker-processes': 2 } }), /config\["worker-processes"\] must be a string \(ConfigMap values are strings: quote numbers, e\.g\. "2"\), got 2/],
  ['webhook failure policy', () => ingress({ admissionWebhook: { failurePolicy: 'Retry' } }), /admissionWebhook\.failurePolicy must be one of "Fail", "Ignore", got "Retry"/],
  ['grace period negative', () => ingress({ terminationGracePeriodSeconds: -1 }), /terminationGracePeriodSeconds must be an integer in 0-2147483647, got -1/],
  ['ingress class name', () => ingress({ ingressClass: { name: 'Nginx!' } }), /ingressClass\.name must be a DNS-1123 subdomain .*, got "Nginx!"/],
  ['unknown prop', () => ingress({ hostPort: 80 }), /hostPort must be absent: IngressNginx has no prop "hostPort"/],
  ['image tag', () => ingress({ image: { tag: 'v1:2' } }), /image\.tag must be an image tag .*, got "v1:2"/],
  ['rbac unknown prop', () => rbac({ roleNmae: 'x' }), /roleNmae must be absent: MirrordRbac has no prop "roleNmae"/],
  ['ubuntu unknown prop', () => ubuntu({ replica: 2 }), /replica must be absent: UbuntuDevWorkload has no prop "replica" \(known: name, namespace, /],
  ['rbac verb', () => rbac({ extraRules: [{ apiGroups: [''], resources: ['secrets'], verbs: ['read'] }] }), /extraRules\[0\]\.verbs\[0\] must be one of "get", .*, got "read"/],
  ['rbac empty resources', () => rbac({ extraRules: [{ apiGroups: [''], resources: [], verbs: ['get'] }] }), /extraRules\[0\]\.resources must be a non-empty list of strings, got \[\]/],
  ['rbac namespace', () => rbac({ namespace: 'Default' }), /namespace must be a DNS-1123 label .*, got "Default"/],
  ['rbac subject namespace', () => rbac({ subject: { name: 'runner', namespace: 'a_b' } }), /subject\.namespace must be a DNS-1123 label .*, got "a_b"/],
  ['rbac preset', () => rbac({ preset: 'admin' }), /preset must be one of "openhands", "leastPrivilege", "mirrordCli", got "admin"/],
  ['ubuntu service port out of range', () => ubuntu({ ports: [{ port: 0 }] }), /ports\[0\]\.port must be an integer in 1-65535, got 0/],
  ['ubuntu duplicate ports', () => ubuntu({ ports: [{ port: 80, name: 'a' }, { port: 80, name: 'b' }] }), /ports\[1\]\.port must be unique per protocol \(ports\[0\] already uses 80\/TCP\), got 80/],
  ['ubuntu unnamed ports', () => ubuntu({ ports: [{ port: 80 }, { port: 81 }] }), /ports\[0\]\.name must be a name, since the Service has more than one port, got undefined/],
  ['ubuntu name', () => ubuntu({ name: 'ubuntu.dev' }), /name must be a DNS-1123 label .*, got "ubuntu\.dev"/],
  ['ubuntu image', () => ubuntu({ image: 'Ubuntu:22.04' }), /image must be an image reference .*, got "Ubuntu:22\.04"/],
  ['ubuntu command', () => ubuntu({ command: [] }), /command must be a non-empty list of strings, got \[\]/],
  ['ubuntu env name', () => ubuntu({ env: [{ name: '1X', value: 'y' }] }), /env\[0\]\.name must be a C identifier-like name .*, got "1X"/],
  ['ubuntu memory', () => ubuntu({ resources: { requests: { memory: 'lots' } } }), /resources\.requests\.memory must be a Kubernetes quantity .*, got "lots"/],
];

describe('bad props fail at synth time with the construct path, the field, the value and what is allowed', () => {
  test(`at least 20 cases (${CASES.length})`, () => expect(CASES.length).toBeGreaterThanOrEqual(20));

  test.each(CASES)('%s', (_name, run, pattern) => {
    const message = run();
    expect(message).toMatch(pattern);
    expect(message).toMatch(/^(IngressNginx 'ingress' \(test\/ingress\)|MirrordRbac 'mirrord' \(test\/mirrord\)|UbuntuDevWorkload 'ubuntu' \(test\/ubuntu\)): /);
  });

  test('all problems of a construct are reported together', () => {
    const message = ingress({ hostPorts: { http: 0 }, namespace: 'X', replicas: -2 });
    expect(message).toContain('3 problems');
    expect(message).toContain('hostPorts.http');
    expect(message).toContain('namespace');
    expect(message).toContain('replicas');
  });

  test('the error is a LocalHandsValidationError listing each problem', () => {
    try {
      new IngressNginx(new Chart(undefined as any, 'c'), 'i', { replicas: 0 });
    } catch (e) {
      expect(e).toBeInstanceOf(LocalHandsValidationError);
      expect((e as LocalHandsValidationError).problems).toEqual(['replicas must be an integer in 1-1000, got 0']);
      return;
    }
    throw new Error('no error');
  });
});

describe('a failed synth writes nothing', () => {
  test('synthToDir leaves the previous output untouched and no temporary folder behind', () => {
    const parent = fs.mkdtempSync(path.join(os.tmpdir(), 'lh-atomic-'));
    const out = path.join(parent, 'dist');
    fs.mkdirSync(out);
    fs.writeFileSync(path.join(out, 'old.k8s.yaml'), 'kept\n');
    expect(() => synthToDir(app => {
      new IngressNginx(new Chart(app, 'ok'), 'ingress');
      new IngressNginx(new Chart(app, 'bad'), 'ingress', { replicas: 0 });
    }, out)).toThrow(LocalHandsValidationError);
    expect(fs.readdirSync(parent)).toEqual(['dist']);
    expect(fs.readdirSync(out)).toEqual(['old.k8s.yaml']);
    fs.rmSync(parent, { recursive: true, force: true });
  });

  test('the synth process exits 1 with the message on stderr, and the output folder keeps its files', () => {
    const out = fs.mkdtempSync(path.join(os.tmpdir(), 'lh-bad-'));
    fs.writeFileSync(path.join(out, 'ingress-nginx.k8s.yaml'), 'previous\n');
    const kind = path.join(out, 'kind');
    const r = spawnSync(process.execPath, ['tools/launcher/run.cjs', 'test/fixtures/bad-app.ts'], {
      cwd: ROOT, env: { ...process.env, CDK8S_OUTDIR: out, LOCAL_HANDS_KIND_DIR: kind, LOCAL_HANDS_QUIET_BUILD: '1' }, encoding: 'utf8',
    });
    expect(r.status).toBe(1);
    expect(r.stderr).toContain("IngressNginx 'ingress' (ingress-nginx/ingress): hostPorts.http must be an integer in 1-65535, got 70000");
    expect(r.stderr).not.toMatch(/\n\s+at /); // a message, not a stack trace
    expect(fs.readdirSync(out)).toEqual(['ingress-nginx.k8s.yaml']);
    expect(fs.readFileSync(path.join(out, 'ingress-nginx.k8s.yaml'), 'utf8')).toBe('previous\n');
    fs.rmSync(out, { recursive: true, force: true });
  });
});
