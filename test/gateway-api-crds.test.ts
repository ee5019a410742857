import * as fs from 'fs';
import * as path from 'path';
import { ApiObject, App, Chart, Yaml } from 'cdk8s';
import { describe, expect, test } from 'vitest';
import { GATEWAY_API_BUNDLE, GatewayApiCrds, GatewayApiCrdsProps } from '../constructs/traefik-gateway/gateway-api-crds';
import { GATEWAY_API_CRDS_DATA } from '../constructs/traefik-gateway/gateway-api-crds-data';
import { stringifyManifests } from '../src/fast-yaml';
import { loadVendoredSet } from '../src/prerendered-api-object';
import { REFERENCE, byKey, errorOf, parseDocs, readDocs, synthChart, testApp } from './util';

const DIR = path.join(REFERENCE, 'gateway-api-v1.6.1');
const ref = () => fs.readdirSync(DIR).sort().flatMap(f => readDocs(path.join(DIR, f)));
const render = (props?: GatewayApiCrdsProps) => synthChart(c => new GatewayApiCrds(c, 'gateway-api', props));
/** The chart's YAML as the synth path writes it (`stringifyManifests` over `chart.toJson()`). */
const fastYaml = (chart: Chart) => stringifyManifests(Object.values(chart.toJson()));

describe('GatewayApiCrds equals upstream v1.6.1 standard channel as parsed data', () => {
  test('the 10 CRDs and the safe-upgrades policy and binding', () => {
    const docs = render();
    expect(docs).toHaveLength(12);
    expect(byKey(docs)).toEqual(byKey(ref()));
  });

  test('the YAML the synth path writes parses back to the reference', () => {
    const chart = new Chart(testApp(), 'crds');
    new GatewayApiCrds(chart, 'gateway-api');
    expect(byKey(parseDocs(fastYaml(chart)))).toEqual(byKey(ref()));
  });

  test('every CRD is the standard channel of the bundle version, served at v1', async () => {
    const crds = render().filter(d => d.kind === 'CustomResourceDefinition');
    expect(crds.map(d => d.spec.names.kind)).toEqual(['BackendTLSPolicy', 'GatewayClass', 'Gateway', 'GRPCRoute', 'HTTPRoute',
      'ListenerSet', 'ReferenceGrant', 'TCPRoute', 'TLSRoute', 'UDPRoute']);
    for (const d of crds) {
      expect(d.metadata.annotations['gateway.networking.k8s.io/bundle-version'], d.metadata.name).toBe(GATEWAY_API_BUNDLE.version);
      expect(d.metadata.annotations['gateway.networking.k8s.io/channel'], d.metadata.name).toBe('standard');
    }
    const summary = crds.map(d => `${d.metadata.name} ${d.spec.scope} ${d.spec.versions.map((v: any) => `${v.name}${v.storage ? '*' : ''}`).join(',')}`);
    await expect(`${summary.join('\n')}\n`).toMatchFileSnapshot('../__snapshots__/gateway-api-crds-summary.txt');
  });

  test('safeUpgrades false leaves the policy out', () => {
    const docs = render({ safeUpgrades: false });
    expect(docs).toHaveLength(10);
    expect(docs.every(d => d.kind === 'CustomResourceDefinition')).toBe(true);
  });

  test('typed handles', () => {
    let crds!: GatewayApiCrds;
    synthChart(c => { crds = new GatewayApiCrds(c, 'gateway-api'); });
    expect(crds.crdNames).toContain('httproutes.gateway.networking.k8s.io');
    expect(crds.crds).toHaveLength(10);
    expect(crds.safeUpgradesPolicy?.map(o => o.kind)).toEqual(['ValidatingAdmissionPolicy', 'ValidatingAdmissionPolicyBinding']);
  });
});

describe('the vendored YAML is what cdk8s writes', () => {
  test('each object\'s prerendered YAML equals Yaml.stringify of cdk8s\'s own rendering of the reference', () => {
    const chart = new Chart(testApp(), 'check');
    const byKind = new Map(ref().map(d => [`${d.kind} ${d.metadata.name}`, d]));
    expect(GATEWAY_API_CRDS_DATA.objects).toHaveLength(12);
    for (const m of loadVendoredSet(GATEWAY_API_CRDS_DATA)) {
      const key = `${m.kind} ${m.metadata.name}`;
      const own = new ApiObject(chart, key, byKind.get(key)).toJson();
      expect(m.bytes.toString(), key).toBe(Yaml.stringify(own));
    }
  });

  test('the synth path writes the same bytes as cdk8s\'s App.synthYaml', () => {
    const app = new App({ outdir: '/nonexistent' });
    const chart = new Chart(app, 'crds');
    new GatewayApiCrds(chart, 'gateway-api');
    expect(fastYaml(chart)).toBe(app.synthYaml());
  });

  test('a JSON patch, a chart label or a namespaced chart makes it render through cdk8s, changes included', () => {
    const chart = new Chart(testApp(), 'crds', { namespace: 'team', labels: { team: 'edge' } });
    const crds = new GatewayApiCrds(chart, 'gateway-api');
    crds.crds[0].metadata.addAnnotation('example.com/note', 'patched');
    const docs = parseDocs(fastYaml(chart));
    const upstream = ref();
    expect(docs).toHaveLength(12);
    docs.forEach((d, i) => {
      expect(d.metadata.namespace, d.metadata.name).toBeUndefined(); // cluster-scoped, despite the chart's namespace
      expect(d.metadata.labels, d.metadata.name).toEqual({ ...upstream[i].metadata.labels, team: 'edge' });
    });
    expect(docs[0].metadata.annotations['example.com/note']).toBe('patched');
    expect(docs[0].spec).toEqual(ref()[0].spec);
  });
});

describe('GatewayApiCrds refuses bad props', () => {
  const where = "GatewayApiCrds 'crds' (test/crds)";
  test('an unknown prop', () => {
    expect(errorOf(c => new GatewayApiCrds(c, 'crds', { channel: 'experimental' } as GatewayApiCrdsProps)))
      .toBe(`${where}: channel must be absent: GatewayApiCrds has no prop "channel" (known: safeUpgrades), got "experimental"`);
  });
  test('safeUpgrades not a boolean', () => {
    expect(errorOf(c => new GatewayApiCrds(c, 'crds', { safeUpgrades: 'no' } as unknown as GatewayApiCrdsProps)))
      .toBe(`${where}: safeUpgrades must be true or false, got "no"`);
  });
});
