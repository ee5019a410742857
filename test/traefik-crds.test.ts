import * as path from 'path';
import { ApiObject, App, Chart, Yaml } from 'cdk8s';
import { describe, expect, test } from 'vitest';
import { TraefikCrds, TraefikCrdsProps } from '../constructs/traefik-gateway/traefik-crds';
import { TRAEFIK_CRDS_DATA } from '../constructs/traefik-gateway/traefik-crds-data';
import { stringifyManifests } from '../src/fast-yaml';
import { loadVendoredSet } from '../src/prerendered-api-object';
import { REFERENCE, byKey, errorOf, parseDocs, readDocs, synthChart, testApp } from './util';

const ref = () => readDocs(path.join(REFERENCE, 'traefik-kind', 'traefik-41.3.0-crds.yaml'));
const render = (props?: TraefikCrdsProps) => synthChart(c => new TraefikCrds(c, 'traefik-crds', props));

describe('TraefikCrds equals the chart\'s CRDs as parsed data', () => {
  test('all 25, in the chart\'s order', async () => {
    const docs = render();
    expect(docs).toHaveLength(25);
    expect(byKey(docs)).toEqual(byKey(ref()));
    expect(docs.map(d => d.metadata.name)).toEqual(ref().map(d => d.metadata.name));
    await expect(`${docs.map(d => `${d.metadata.name} ${d.spec.scope} ${d.spec.versions.map((v: any) => v.name).join(',')}`).join('\n')}\n`)
      .toMatchFileSnapshot('../__snapshots__/traefik-crds-summary.txt');
  });

  test('the YAML the synth path writes parses back to the reference, byte-equal to cdk8s\'s own', () => {
    const app = new App({ outdir: '/nonexistent' });
    const chart = new Chart(app, 'crds');
    new TraefikCrds(chart, 'traefik-crds');
    const fast = stringifyManifests(Object.values(chart.toJson()));
    expect(byKey(parseDocs(fast))).toEqual(byKey(ref()));
    expect(fast).toBe(app.synthYaml());
  });

  test('each object\'s prerendered YAML equals Yaml.stringify of cdk8s\'s rendering of the reference', () => {
    const chart = new Chart(testApp(), 'check');
    const byName = new Map(ref().map(d => [d.metadata.name, d]));
    for (const m of loadVendoredSet(TRAEFIK_CRDS_DATA)) {
      expect(m.bytes.toString(), String(m.metadata.name)).toBe(Yaml.stringify(new ApiObject(chart, String(m.metadata.name), byName.get(m.metadata.name)).toJson()));
    }
  });

  test('hub false keeps the 10 traefik.io CRDs', () => {
    const docs = render({ hub: false });
    expect(docs).toHaveLength(10);
    expect(docs.every(d => d.spec.group === 'traefik.io')).toBe(true);
  });

  test('typed handles', () => {
    let crds!: TraefikCrds;
    synthChart(c => { crds = new TraefikCrds(c, 'traefik-crds'); });
    expect(crds.crdNames).toContain('ingressroutes.traefik.io');
    expect(crds.crds).toHaveLength(25);
  });

  test('an unknown prop is refused', () => {
    expect(errorOf(c => new TraefikCrds(c, 'crds', { version: '41' } as TraefikCrdsProps)))
      .toBe("TraefikCrds 'crds' (test/crds): version must be absent: TraefikCrds has no prop \"version\" (known: hub), got \"41\"");
  });
});
