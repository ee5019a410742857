import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { ApiObject, App, AppProps, Chart, IResolver, JsonPatch, Lazy, ResolutionContext, Yaml } from 'cdk8s';
import { Construct } from 'constructs';
import { KubeConfigMap } from '../imports/k8s';
import { describe, expect, test } from 'vitest';
import { GatewayApiCrds, IngressNginx, SandboxFleet, TraefikCrds, UbuntuDevWorkload, addOpenHandsStack } from '../index';
import { manifestParts, stringifyManifests } from '../src/fast-yaml';
import { renderCharts } from '../app/synth';
import { readTree } from './util';

/** Renders the same app through renderCharts and through cdk8s's own app.synth(). */
function both(build: (app: App) => void, props: AppProps = {}): [Record<string, string>, Record<string, string>] {
  const top = fs.mkdtempSync(path.join(os.tmpdir(), 'lh-fastyaml-'));
  try {
    const a = new App({ ...props, outdir: path.join(top, 'fast') });
    build(a);
    const fast = Object.fromEntries(renderCharts(a).map(f => [f.name, f.text]));
    const b = new App({ ...props, outdir: path.join(top, 'cdk8s') });
    build(b);
    b.synth();
    return [fast, readTree(b.outdir)];
  } finally {
    fs.rmSync(top, { recursive: true, force: true });
  }
}

const APPS: [string, (app: App) => void][] = [
  ['the default app', app => { addOpenHandsStack(app); }],
  ['every IngressNginx prop, webhook off, a namespaced chart', app => {
    new IngressNginx(new Chart(app, 'a'), 'i', {
      namespace: 'edge', replicas: 3, config: { 'use-forwarded-headers': 'true', 'log-format-upstream': '$remote_addr - [$time_local] "$request"', 'ssl-ciphers': 'A:B:!C', 'empty': '' },
      extraArgs: { 'v': '2', 'enable-ssl-passthrough': '' }, labels: { yes: 'no', 'example.com/team': 'on' },
      ingressClass: { name: 'edge', default: true }, image: { digest: `sha256:${'0'.repeat(64)}` },
    });
    new IngressNginx(new Chart(app, 'b', { namespace: 'team' }), 'i', { instance: 'team', admissionWebhook: { enabled: false }, hostPorts: false });
  }],
  ['a fleet with every option', app => {
    new SandboxFleet(new Chart(app, 'fleet'), 'f', {
      count: 25,
      config: {
        namespace: 'sandboxes', ingressDomain: 'sandbox.example.com', pvcStorageSize: '10Gi', pvcStorageClass: 'fast',
        resourceCpuRequest: '0.5', resourceMemoryRequest: '1e9', resourceMemoryLimit: '4Gi', imagePullSecret: 'regcred',
        ingressTlsSecret: 'tls', nodeSelector: { key: 'pool', value: 'true' }, privileged: true,
        tolerations: [{ key: 'pool', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 30 }],
      },
      env: [{ name: 'JSON', value: '{"a": [1, 2]}' }, { name: 'MULTI', value: 'line one\nline two' }, { name: 'HASH', value: '# not a comment' }],
      command: ['sh', '-c', 'echo "$PATH" && sleep 1'],
    });
  }],
  ['ubuntu with quotes and numbers', app => {
    new UbuntuDevWorkload(new Chart(app, 'u'), 'u', { env: [{ name: 'A', value: '0123' }, { name: 'B', value: '1.5' }, { name: 'C', value: 'null' }, { name: 'D', value: '-x' }, { name: 'E', value: "it's" }] });
  }],
];

const configMap = (scope: Construct, id: string, data: Record<string, any>) => new KubeConfigMap(scope, id, { metadata: { name: id.toLowerCase() }, data });

// renderCharts' own shortcuts: the chart order cdk8s derives from an object keyed by path (array-index ids
// first), objects of a chart below a plain construct left to that chart, tokens resolved without cdk8s's resolve.
const SHORTCUTS: [string, (app: App) => void][] = [
  ['charts with array-index ids first, in numeric order, then the others in construct order', app => {
    for (const id of ['b', '10', 'a', '2', '01', '4294967295', '0']) configMap(new Chart(app, id), `Cm${id}`, { id });
  }],
  ['a chart below a plain construct of another chart', app => {
    const outer = new Chart(app, 'outer');
    configMap(outer, 'Outer', { where: 'outer' });
    configMap(new Chart(new Construct(outer, 'group'), 'inner'), 'Inner', { where: 'inner' });
  }],
  ['vendored CRDs (written from their bytes) between other objects, one of them patched, one relabelled', app => {
    const chart = new Chart(app, 'crds');
    configMap(chart, 'Before', { text: 'ünï 日本' });
    const crds = new GatewayApiCrds(chart, 'gateway-api');
    crds.crds[1].addJsonPatch();
    crds.crds[2].metadata.addLabel('team', 'edge');
    configMap(chart, 'After', { text: 'é' });
    new TraefikCrds(new Chart(app, 'traefik-crds'), 'traefik');
  }],
  ['null and undefined values, empty lists and objects, lists holding null, an own __proto__ key, JSON patches', app => {
    const chart = new Chart(app, 'sanitized');
    configMap(chart, 'Nulls', {
      gone: null, alsoGone: undefined, empty: {}, none: [], list: [1, null, 'x', undefined, { z: 1, a: null }],
      nested: { b: Lazy.any({ produce: () => null }), a: { c: [] } }, ...JSON.parse('{"__proto__": {"hidden": 1}}'),
    });
    const patched = configMap(chart, 'Patched', { b: '2', a: '1' });
    patched.addJsonPatch(JsonPatch.add('/data/c', '3'), JsonPatch.remove('/data/a'));
  }],
  ['keys inserted out of order at every level, with Lazy values produced in insertion order', app => {
    const produced: string[] = [];
    const lazy = (name: string) => Lazy.any({ produce: () => { produced.push(name); return produced.join(','); } });
    configMap(new Chart(app, 'order'), 'Order', { z: lazy('z'), a: lazy('a'), m: { y: lazy('y'), b: lazy('b') } });
    // More keys than are found again by a scan.
    configMap(new Chart(app, 'many'), 'Many', Object.fromEntries(Array.from({ length: 40 }, (_, i) => [`k${(i * 7) % 40}`, i % 5 === 0 ? null : `v${i}`])));
  }],
  ['Lazy values, tokens with resolve(), and number-or-string unions', app => {
    configMap(new Chart(app, 'tokens'), 'Tokens', {
      lazy: Lazy.any({ produce: () => 'produced' }),
      nested: Lazy.any({ produce: () => Lazy.any({ produce: () => 'twice' }) }),
      token: { resolve: () => 'resolved' },
    });
  }],
];

describe('renderCharts renders what cdk8s app.synth() writes, byte for byte', () => {
  test.each([...APPS, ...SHORTCUTS])('%s', (_name, build) => {
    const [fast, slow] = both(build);
    expect(Object.keys(fast).length).toBeGreaterThan(0);
    expect(fast).toEqual(slow);
  });

  test('with CDK8S_DISABLE_SORT set, keys keep their order as cdk8s keeps it', () => {
    process.env.CDK8S_DISABLE_SORT = '1';
    try {
      const [fast, slow] = both(app => { configMap(new Chart(app, 'unsorted'), 'Unsorted', { z: '1', a: null, m: { y: '2', b: '3' } }); });
      expect(fast).toEqual(slow);
      expect(fast['unsorted.k8s.yaml']).toMatch(/z: "1"\n {2}m:\n {4}"y": "2"\n {4}b: "3"/);
    } finally {
      delete process.env.CDK8S_DISABLE_SORT;
    }
  });

  test('an ApiObject.toJson replaced by the app itself is the one that runs', () => {
    const own = ApiObject.prototype.toJson;
    ApiObject.prototype.toJson = function (this: ApiObject) {
      return { ...own.call(this), extra: 'added by the app' };
    };
    try {
      // A plain ApiObject: a Kube* class would keep only its own fields of what ApiObject.toJson gives.
      const [fast, slow] = both(app => { new ApiObject(new Chart(app, 'replaced'), 'Replaced', { apiVersion: 'v1', kind: 'ConfigMap', data: { a: '1' } }); });
      expect(fast).toEqual(slow);
      expect(fast['replaced.k8s.yaml']).toContain('extra: added by the app');
    } finally {
      ApiObject.prototype.toJson = own;
    }
  });

  test('an object of a class that is not plain data is refused with cdk8s\'s own message', () => {
    class Opaque { constructor(readonly x = 1) {} }
    const build = (app: App) => { configMap(new Chart(app, 'opaque'), 'Opaque', { thing: new Opaque() as any }); };
    const fast = new App({ outdir: '/nonexistent/local-hands-test-app' });
    build(fast);
    const slow = new App({ outdir: '/nonexistent/local-hands-test-app' });
    build(slow);
    const message = (f: () => unknown) => { try { f(); } catch (e) { return (e as Error).message; } return 'no error'; };
    expect(message(() => renderCharts(fast))).toBe(message(() => slow.synthYaml()));
    expect(message(() => renderCharts(fast))).toMatch(/can't render non-simple object of type 'Opaque'/);
  });

  test('with a custom resolver (which may read the key path), cdk8s\'s own resolution runs', () => {
    const seen: string[] = [];
    const upper: IResolver = {
      resolve: (c: ResolutionContext) => {
        seen.push(c.key.join('.'));
        if (typeof c.value === 'string' && c.key[c.key.length - 1] === 'shout' && c.value !== c.value.toUpperCase()) c.replaceValue(c.value.toUpperCase());
      },
    };
    const [fast, slow] = both(app => { configMap(new Chart(app, 'c'), 'Custom', { shout: 'quiet', keep: 'quiet' }); }, { resolvers: [upper] });
    expect(fast).toEqual(slow);
    expect(fast['c.k8s.yaml']).toContain('shout: QUIET');
    expect(seen).toContain('data.shout');
  });
});

describe('strings only the library can judge, gathered in one batch per call', () => {
  test('documents that meet them, beside documents that do not and one the library lays out whole, render as Yaml.stringify', () => {
    const docs = [
      // Strings no other test renders, so that no cache holds them yet.
      { apiVersion: 'v1', kind: 'ConfigMap', data: { plain: 'value', number: '31415e9', time: '16:18:03' } },
      { apiVersion: 'v1', kind: 'ConfigMap', data: { only: 'plain-strings' } },
      { apiVersion: 'v1', kind: 'ConfigMap', data: { '0x1F2E': 'key the library judges', again: '31415e9' } },
      { apiVersion: 'v1', kind: 'ConfigMap', data: { 'multi\nline key': 'a', other: '27182e8' } },
      { apiVersion: 'v1', kind: 'ConfigMap', data: { list: ['.NaN', '1999-09-09', 'fine'] } },
    ];
    const yaml = docs.map(d => Yaml.stringify(d)).join('---\n');
    expect(stringifyManifests(docs)).toBe(yaml);
    expect(Buffer.concat(manifestParts(docs)).equals(Buffer.from(yaml))).toBe(true);
  });
});
