import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App } from 'cdk8s';
import { describe, expect, test } from 'vitest';
import { IngressNginx, IngressNginxProps, KindCluster, KindClusterProps, addOpenHandsStack, synthToDir } from '../index';
import { REFERENCE, ROOT, errorOf, parseDocs, readDocs, testApp } from './util';

const REFERENCE_CLUSTER = path.join(REFERENCE, 'openhands-kind', 'cluster.yaml');

/** Builds an IngressNginx and a KindCluster checked against it; returns the error message or the cluster. */
function check(ingress: IngressNginxProps, kind: Omit<KindClusterProps, 'ingress'>): string {
  return errorOf(scope => {
    const i = new IngressNginx(scope, 'ingress', ingress);
    new KindCluster(scope, 'kind', { ...kind, ingress: i });
  });
}

describe('KindCluster', () => {
  test('defaults equal upstream kind/cluster.yaml as parsed data', () => {
    const cluster = new KindCluster(testApp(), 'kind');
    expect(parseDocs(cluster.toYaml())).toEqual(readDocs(REFERENCE_CLUSTER));
    expect(cluster.context).toBe('kind-local-hands');
  });

  test('the committed kind/cluster.yaml equals upstream as parsed data', () => {
    expect(readDocs(path.join(ROOT, 'kind', 'cluster.yaml'))).toEqual(readDocs(REFERENCE_CLUSTER));
  });

  test('with workers the stack labels the mapping node ingress-ready and appends the workers (snapshots)', async () => {
    await expect(new KindCluster(testApp(), 'kind').toYaml()).toMatchFileSnapshot('../__snapshots__/kind-cluster-defaults.yaml');
    const app = new App({ outdir: '/nonexistent' });
    const kind = addOpenHandsStack(app, { kind: { workers: 2 } }).kind;
    expect(kind.toJson().nodes).toEqual([
      { role: 'control-plane', labels: { 'ingress-ready': 'true' }, extraPortMappings: [{ containerPort: 80, hostPort: 80 }] },
      { role: 'worker' },
      { role: 'worker' },
    ]);
    await expect(kind.toYaml()).toMatchFileSnapshot('../__snapshots__/kind-cluster-workers.yaml');
  });

  test('workers, labels, listen address and protocol are rendered', () => {
    const cluster = new KindCluster(testApp(), 'kind', {
      name: 'dev',
      nodes: [{ role: 'control-plane', labels: { 'ingress-ready': 'true' }, extraPortMappings: [{ containerPort: 80, hostPort: 8080, listenAddress: '127.0.0.1', protocol: 'TCP' }] }],
      workers: 2,
    });
    expect(cluster.toJson()).toEqual({
      kind: 'Cluster',
      apiVersion: 'kind.x-k8s.io/v1alpha4',
      name: 'dev',
      nodes: [
        { role: 'control-plane', labels: { 'ingress-ready': 'true' }, extraPortMappings: [{ containerPort: 80, hostPort: 8080, listenAddress: '127.0.0.1', protocol: 'TCP' }] },
        { role: 'worker' },
        { role: 'worker' },
      ],
    });
  });

  describe('cross-checks with the ingress controller', () => {
    test('a controller host port that KIND does not map is an error', () => {
      expect(check({ hostPorts: { http: 8080 } }, { unmappedHostPortsAllowed: [443] }))
        .toMatch(/KindCluster 'kind' \(test\/kind\): ingress hostPorts\.http \(8080\) of the ingress controller \(test\/ingress\) is not mapped on nodes\[0\] \(control-plane\), where the controller can schedule: add extraPortMappings \{ containerPort: 8080, hostPort: 8080 \} to it/);
    });

    test('https 443 must be mapped unless explicitly allowed', () => {
      expect(check({}, {})).toMatch(/ingress hostPorts\.https \(443\) .* is not mapped on nodes\[0\]/);
      expect(() => check({}, { unmappedHostPortsAllowed: [443] })).toThrow('expected an error, got none');
    });

    test('a node selector no node carries is an error (1.12.1 kind default: ingress-ready)', () => {
      expect(check({ version: '1.12.1' }, { unmappedHostPortsAllowed: [443] }))
        .toMatch(/ingress nodeSelector ingress-ready="true" of the ingress controller \(test\/ingress\) is carried by no node: add labels: \{ "ingress-ready": "true" \} to the node with the port mappings/);
    });

    test('with workers, a controller that could land on a worker is an error', () => {
      expect(check({}, { workers: 1, unmappedHostPortsAllowed: [443] }))
        .toMatch(/ingress hostPorts\.http \(80\) .* is not mapped on nodes\[1\] \(worker\), where the controller can schedule: label the node that has the port mappings/);
    });

    test('with workers, pinning the controller to the labelled control plane passes', () => {
      expect(() => check({ nodeSelector: { 'ingress-ready': 'true' } }, {
        workers: 2,
        nodes: [{ role: 'control-plane', labels: { 'ingress-ready': 'true' }, extraPortMappings: [{ containerPort: 80, hostPort: 80 }, { containerPort: 443, hostPort: 443 }] }],
      })).toThrow('expected an error, got none');
    });

    test('with workers, a controller that does not tolerate the control-plane taint cannot schedule anywhere mapped', () => {
      expect(check({ nodeSelector: { 'ingress-ready': 'true' }, tolerations: [] }, {
        workers: 1,
        nodes: [{ role: 'control-plane', labels: { 'ingress-ready': 'true' }, extraPortMappings: [{ containerPort: 80, hostPort: 80 }] }],
        unmappedHostPortsAllowed: [443],
      })).toMatch(/can schedule on no node/);
    });

    test("KIND's own node labels count: a hostname selector picks one worker", () => {
      const nodes = [
        { role: 'control-plane' as const },
        { role: 'worker' as const },
        { role: 'worker' as const, extraPortMappings: [{ containerPort: 80, hostPort: 80 }, { containerPort: 443, hostPort: 443 }] },
      ];
      expect(() => check({ nodeSelector: { 'kubernetes.io/hostname': 'dev-worker2' } }, { name: 'dev', nodes }))
        .toThrow('expected an error, got none');
      expect(check({ nodeSelector: { 'kubernetes.io/hostname': 'dev-worker' } }, { name: 'dev', nodes }))
        .toMatch(/hostPorts\.http \(80\) .* is not mapped on nodes\[1\] \(worker\)/);
    });

    test('more replicas than nodes that can bind the host ports is an error', () => {
      expect(check({ replicas: 2 }, { unmappedHostPortsAllowed: [443] }))
        .toMatch(/has 2 replicas binding host ports, but only 1 node\(s\) can host them/);
      expect(() => check({ replicas: 2, hostPorts: false }, { nodes: [{ role: 'control-plane' }] })).toThrow('expected an error, got none');
    });

    test('hostPorts off needs no mapping', () => {
      expect(() => check({ hostPorts: false }, { nodes: [{ role: 'control-plane' }] })).toThrow('expected an error, got none');
    });
  });

  test.each([
    ['a host port mapped twice', { nodes: [{ role: 'control-plane', extraPortMappings: [{ containerPort: 80, hostPort: 80 }] }, { role: 'worker', extraPortMappings: [{ containerPort: 81, hostPort: 80 }] }] },
      /nodes\[1\]\.extraPortMappings\[0\]\.hostPort must be mapped once per address \(nodes\[0\]\.extraPortMappings\[0\] already maps host 0\.0\.0\.0:80\/TCP, and 0\.0\.0\.0 or :: takes every address\), got 80/],
    // kind's own rules (its config validation and `kind create cluster`), which it would refuse after a synth:
    ['a name longer than kind allows', { name: 'a'.repeat(51) }, /name must be a cluster name of a-z, 0-9 and "-" \(at most 50, as kind allows\)/],
    ['a listen address that is no address', { nodes: [{ role: 'control-plane', extraPortMappings: [{ containerPort: 80, hostPort: 80, listenAddress: '999.1.1.1' }] }] },
      /listenAddress must be an IPv4 or IPv6 address such as "127\.0\.0\.1" or "::1", got "999\.1\.1\.1"/],
    ['a port on :: and on 0.0.0.0 (one wildcard)', { nodes: [{ role: 'control-plane', extraPortMappings: [{ containerPort: 80, hostPort: 80, listenAddress: '::' }, { containerPort: 81, hostPort: 80, listenAddress: '0.0.0.0' }] }] },
      /extraPortMappings\[1\]\.hostPort must be mapped once per address/],
    ['a port on every address and on 127.0.0.1', { nodes: [{ role: 'control-plane', extraPortMappings: [{ containerPort: 80, hostPort: 80 }, { containerPort: 81, hostPort: 80, listenAddress: '127.0.0.1' }] }] },
      /extraPortMappings\[1\]\.hostPort must be mapped once per address \(nodes\[0\]\.extraPortMappings\[0\] already maps host 0\.0\.0\.0:80\/TCP/],
    ['no control plane', { nodes: [{ role: 'worker' }] }, /nodes must be a list with at least one control-plane node/],
    ['a bad role', { nodes: [{ role: 'control-plane' }, { role: 'master' }] }, /nodes\[1\]\.role must be one of "control-plane", "worker", got "master"/],
    ['a bad name', { name: 'Local_Hands' }, /name must be a cluster name .*, got "Local_Hands"/],
    ['an unknown prop', { worker: 2 }, /worker must be absent: KindCluster has no prop "worker"/],
    ['a bad port', { nodes: [{ role: 'control-plane', extraPortMappings: [{ containerPort: 0, hostPort: 80 }] }] }, /containerPort must be an integer in 1-65535, got 0/],
  ] as [string, any, RegExp][])('bad props: %s', (_n, props, pattern) => {
    expect(errorOf(scope => new KindCluster(scope, 'kind', props))).toMatch(pattern);
  });

  test('one port on two specific addresses, or over two protocols, is no clash (kind allows both)', () => {
    expect(() => errorOf(scope => new KindCluster(scope, 'kind', { nodes: [{ role: 'control-plane', extraPortMappings: [
      { containerPort: 80, hostPort: 80, listenAddress: '127.0.0.1' }, { containerPort: 81, hostPort: 80, listenAddress: '127.0.0.2' },
      { containerPort: 82, hostPort: 8000 }, { containerPort: 83, hostPort: 8000, protocol: 'UDP' },
    ] }] }))).toThrow('expected an error, got none');
  });

  test('two KindClusters writing the same file are refused before anything is written', () => {
    const parent = fs.mkdtempSync(path.join(os.tmpdir(), 'lh-kind-dup-'));
    expect(() => synthToDir(app => {
      new KindCluster(app, 'a');
      new KindCluster(app, 'b', { name: 'other' });
    }, path.join(parent, 'dist'), path.join(parent, 'kind'))).toThrow(/KindCluster 'b' \(b\): fileName must be unique, got "cluster\.yaml", which a also writes/);
    expect(fs.readdirSync(parent)).toEqual([]);
    fs.rmSync(parent, { recursive: true, force: true });
  });

  test('the OpenHands stack with workers labels the mapping node and pins the controller to it', () => {
    const app = new App({ outdir: '/nonexistent' });
    const stack = addOpenHandsStack(app, { kind: { workers: 2 } });
    expect(stack.kind.toJson().nodes).toEqual([
      { role: 'control-plane', labels: { 'ingress-ready': 'true' }, extraPortMappings: [{ containerPort: 80, hostPort: 80 }] },
      { role: 'worker' },
      { role: 'worker' },
    ]);
    expect(stack.ingressNginx.nodeSelector).toEqual({ 'kubernetes.io/os': 'linux', 'ingress-ready': 'true' });
  });

  test('the OpenHands stack refuses an ingress host port its KIND config does not map, before writing anything', () => {
    const app = new App({ outdir: '/nonexistent' });
    expect(() => addOpenHandsStack(app, { ingressNginx: { hostPorts: { http: 8080, https: 443 } } })).toThrow(/hostPorts\.http \(8080\)/);
  });
});
