/**
 * Differential test: our validation is at least as strict as the API server's. Random prop sets for every
 * construct that renders Kubernetes objects (differential-cases.ts) are built; what our validation refuses is
 * fine; what it accepts is synthesized through the synth path (`renderCharts`) and every object applied with
 * `kubectl apply --server-side --dry-run=server --validate=strict` to a real control plane with the CRDs the
 * objects need. Every object the server refuses after we accepted it is a discrepancy, and so is a construct
 * that crashes instead of refusing its props. Both make the test fail.
 *
 * The cases come from a fixed seed: LOCAL_HANDS_DIFF_SEED and LOCAL_HANDS_DIFF_RUNS (prop sets per construct)
 * change them. Objects are applied in batches, one multi-document kubectl call each, with no two objects of one
 * kind and name in a batch, so each line kubectl prints names exactly one object.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { App, Chart } from 'cdk8s';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseAllDocuments, stringify as stringifyYaml } from 'yaml';
import { renderCharts } from '../../app/synth';
import { GatewayApiCrds } from '../../constructs/traefik-gateway/gateway-api-crds';
import { SandboxRuntime } from '../../constructs/sandbox/sandbox-runtime';
import { TraefikCrds } from '../../constructs/traefik-gateway/traefik-crds';
import { LocalHandsValidationError } from '../../src/validation';
import { startControlPlane, type ControlPlane } from '../../tools/controlplane/controlplane';
import { REFERENCE } from '../util';
import { APPLY, START_TIMEOUT, mapLimit, tempDir } from './helpers';
import { generateCases } from './differential-cases';

const SEED = Number(process.env.LOCAL_HANDS_DIFF_SEED ?? 20260512);
const RUNS = Number(process.env.LOCAL_HANDS_DIFF_RUNS ?? 200);
const DRY_RUN = [...APPLY, '--dry-run=server'];
/** Objects per kubectl call: large enough to amortize kubectl's start, small enough to keep both cores busy. */
const BATCH_OBJECTS = 250;
const BATCH_BYTES = 4_000_000;
const PROMETHEUS_CRDS = path.join(REFERENCE, 'prometheus-operator-v0.93.0');

interface RenderedObject {
  readonly caseIndex: number;
  readonly kind: string;
  readonly group: string;
  readonly name: string;
  readonly namespace?: string;
  /** The document exactly as the synth wrote it. */
  readonly text: string;
  /** How kubectl names it on success: `kind.group/name`. */
  readonly key: string;
}

interface Outcome { construct: string; token: string; props: unknown; status: 'refused' | 'accepted' | 'crashed'; message?: string }
interface Discrepancy { construct: string; token: string; props: string; object: string; server: string }

/** Builds one case into its own app; the synthesized documents when our validation accepts it. */
function buildCase(c: ReturnType<typeof generateCases>[number]): { outcome: Outcome; docs: { json: any; text: string }[] } {
  const outcome: Outcome = { construct: c.construct, token: c.token, props: c.props, status: 'accepted' };
  // renderCharts writes nothing for a plain app, and a temporary folder of its own otherwise.
  const app = new App({ outdir: '/nonexistent' });
  const chart = new Chart(app, c.token);
  try {
    c.build(chart, c.props);
    const [file] = renderCharts(app);
    const texts = file ? file.text.split(/^---\n/m).filter(t => t.trim() !== '') : [];
    const json = Object.values(chart.toJson());
    if (json.length !== texts.length) throw new Error(`${json.length} objects but ${texts.length} documents`);
    return { outcome, docs: json.map((j, i) => ({ json: j, text: texts[i] })) };
  } catch (e) {
    outcome.status = e instanceof LocalHandsValidationError ? 'refused' : 'crashed';
    outcome.message = e instanceof Error ? (e.stack ?? e.message) : String(e);
    return { outcome, docs: [] };
  }
}

function toObject(caseIndex: number, doc: { json: any; text: string }): RenderedObject {
  const [group, version] = String(doc.json.apiVersion).includes('/') ? String(doc.json.apiVersion).split('/') : ['', doc.json.apiVersion];
  void version;
  const kind = String(doc.json.kind);
  const name = String(doc.json.metadata?.name);
  const key = `${kind.toLowerCase()}${group ? `.${group}` : ''}/${name}`;
  return { caseIndex, kind, group, name, namespace: doc.json.metadata?.namespace, text: doc.text.endsWith('\n') ? doc.text : `${doc.text}\n`, key };
}

/** Packs objects into batches in which every `kind.group/name` appears once (objects of one case stay together). */
function packBatches(objects: readonly RenderedObject[]): RenderedObject[][] {
  const byCase = new Map<number, RenderedObject[]>();
  for (const o of objects) byCase.set(o.caseIndex, [...(byCase.get(o.caseIndex) ?? []), o]);
  const batches: { objects: RenderedObject[]; keys: Set<string>; bytes: number }[] = [];
  for (const group of byCase.values()) {
    const bytes = group.reduce((n, o) => n + o.text.length, 0);
    const fits = (b: typeof batches[number]) => b.objects.length + group.length <= BATCH_OBJECTS && b.bytes + bytes <= BATCH_BYTES
      && group.every(o => !b.keys.has(o.key));
    let batch = batches.find(b => b.objects.length === 0 || fits(b));
    if (!batch) batches.push(batch = { objects: [], keys: new Set(), bytes: 0 });
    batch.objects.push(...group);
    batch.bytes += bytes;
    for (const o of group) batch.keys.add(o.key);
  }
  return batches.map(b => b.objects);
}

/** kubectl's error lines: one entry per refused object, in the order the objects were applied. */
function errorEntries(stderr: string): string[] {
  const entries: string[] = [];
  for (const line of stderr.split('\n')) {
    if (/^(Error from server|error:|Error:)/.test(line)) entries.push(line);
    else if (entries.length > 0 && line !== '') entries[entries.length - 1] += `\n${line}`;
  }
  return entries;
}

describe('our validation is at least as strict as the API server (differential, property-based)', () => {
  let cp: ControlPlane;
  const dir = tempDir('local-hands-differential-');
  let clusterScopedKinds = new Set<string>();
  let fileCount = 0;

  /** Applies documents (dry run, strict) and returns kubectl's result. */
  async function dryRun(objects: readonly RenderedObject[]) {
    const file = path.join(dir, `batch-${fileCount++}.yaml`);
    fs.writeFileSync(file, objects.map(o => o.text).join('---\n'));
    try {
      return await cp.kubectl([...DRY_RUN, '-f', file], { allowFail: true, timeoutMs: 180_000 });
    } finally {
      fs.rmSync(file, { force: true });
    }
  }

  /** Each object of a batch the server refused, with its message. */
  async function refusedIn(objects: readonly RenderedObject[]): Promise<{ object: RenderedObject; message: string }[]> {
    const r = await dryRun(objects);
    const applied = new Map<string, number>();
    for (const line of r.stdout.split('\n')) {
      const m = /^(.+) serverside-applied \(server dry run\)$/.exec(line);
      if (m) applied.set(m[1], (applied.get(m[1]) ?? 0) + 1);
    }
    const wanted = new Map<string, number>();
    for (const o of objects) wanted.set(o.key, (wanted.get(o.key) ?? 0) + 1);
    const failed = objects.filter(o => (applied.get(o.key) ?? 0) === 0);
    const partly = objects.filter(o => { const a = applied.get(o.key) ?? 0; return a > 0 && a < wanted.get(o.key)!; });
    const errors = errorEntries(r.stderr);
    if (partly.length === 0 && errors.length === failed.length && (r.code === 0) === (failed.length === 0)) {
      return failed.map((object, i) => ({ object, message: errors[i] }));
    }
    // Ambiguous (an object kubectl named twice, an error it printed for no single object): each object alone.
    if (objects.length === 1) return r.code === 0 ? [] : [{ object: objects[0], message: r.stderr.trim() || r.stdout.trim() }];
    return (await mapLimit([...objects], 2, o => refusedIn([o]))).flat();
  }

  beforeAll(async () => {
    cp = await startControlPlane({ nodes: 0 });
    // The CRDs every custom object needs, from the constructs themselves (and the Prometheus Operator's).
    const app = new App({ outdir: path.join(dir, 'crds') });
    new GatewayApiCrds(new Chart(app, 'gateway-api-crds'), 'crds');
    new TraefikCrds(new Chart(app, 'traefik-crds'), 'crds');
    const crdFiles = [...renderCharts(app).map(f => {
      fs.writeFileSync(path.join(dir, f.name), f.text);
      return path.join(dir, f.name);
    }), PROMETHEUS_CRDS];
    for (const f of crdFiles) await cp.kubectl([...APPLY, '-f', f], { timeoutMs: 180_000 });
    await cp.kubectl(['wait', '--for=condition=Established', '--timeout=120s', 'crd', '--all'], { timeoutMs: 150_000 });
    const resources = await cp.kubectl(['api-resources', '--namespaced=false', '--no-headers']);
    clusterScopedKinds = new Set(resources.stdout.trim().split('\n').map(l => l.trim().split(/\s+/).pop()!));
  }, START_TIMEOUT);

  afterAll(async () => {
    await cp?.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('finds what a refused object looks like (the detector can fail)', async () => {
    const canary = (name: string, data: string) => toObject(-1, {
      json: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: 'default' } },
      text: `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${name}\n  namespace: default\ndata:\n  ${JSON.stringify(data)}: x\n`,
    });
    const refused = await refusedIn([canary('canary-ok', 'a'), canary('canary-bad', '..'), canary('canary-ok-2', 'b')]);
    expect(refused.map(r => [r.object.name, r.message])).toEqual([['canary-bad', expect.stringMatching(/ConfigMap "canary-bad" is invalid: data\[\.\.\]/)]]);
  });

  it('refuses an HTTPRoute against the Gateway API CRD: its OpenAPI schema and its CEL rules (the detector can fail for routes)', async () => {
    // A session's HTTPRoute as the synth writes it, and two copies each broken in one way only the CRD refuses.
    const app = new App({ outdir: '/nonexistent' });
    new SandboxRuntime(new Chart(app, 'canary'), 'r', { sid: 'canary', route: { kind: 'HTTPRoute', gateway: { namespace: 'default', name: 'gw', listener: 'web' } } });
    const route = parseAllDocuments(renderCharts(app)[0].text).map(d => d.toJSON()).find(d => d.kind === 'HTTPRoute');
    const variant = (name: string, spec: object) => {
      const json = { ...route, metadata: { ...route.metadata, name }, spec };
      return toObject(-1, { json, text: stringifyYaml(json) });
    };
    const { sectionName: _, ...anyListener } = route.spec.parentRefs[0];
    const refused = await refusedIn([
      variant('route-ok', route.spec),
      variant('route-upper', { ...route.spec, hostnames: ['Canary.localhost'] }),
      variant('route-twice', { ...route.spec, parentRefs: [route.spec.parentRefs[0], anyListener] }),
    ]);
    expect(refused.map(r => [r.object.name, r.message])).toEqual([
      ['route-upper', expect.stringMatching(/HTTPRoute.*"route-upper" is invalid: spec\.hostnames\[0\]/)],
      ['route-twice', expect.stringMatching(/"route-twice" is invalid: spec\.parentRefs: Invalid value: .*sectionName must be specified/)],
    ]);
  });

  it('every object built from props we accept is accepted by the API server', async () => {
    const started = Date.now();
    const cases = generateCases(SEED, RUNS);
    const outcomes: Outcome[] = [];
    const objects: RenderedObject[] = [];
    cases.forEach((c, i) => {
      const { outcome, docs } = buildCase(c);
      outcomes.push(outcome);
      for (const d of docs) objects.push(toObject(i, d));
    });
    const built = Date.now();

    // Namespaced objects need their namespace to exist (a dry run creates none): create them for real, each with
    // the `default` ServiceAccount that Pod admission looks up (the controller manager would add it a little later).
    const namespaces = [...new Set(objects.filter(o => !clusterScopedKinds.has(o.kind)).map(o => o.namespace ?? 'default'))].filter(n => n !== 'default');
    fs.writeFileSync(path.join(dir, 'namespaces.yaml'), namespaces.map(n => `apiVersion: v1\nkind: Namespace\nmetadata:\n  name: ${JSON.stringify(n)}\n`
      + `---\napiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: default\n  namespace: ${JSON.stringify(n)}\n`).join('---\n'));
    if (namespaces.length > 0) await cp.kubectl([...APPLY, '-f', path.join(dir, 'namespaces.yaml')], { allowFail: true, timeoutMs: 180_000 });

    const batches = packBatches(objects);
    const refused = (await mapLimit(batches, 2, refusedIn)).flat();
    const discrepancies: Discrepancy[] = refused.map(({ object, message }) => {
      const c = outcomes[object.caseIndex];
      return {
        construct: c.construct, token: c.token, props: JSON.stringify(c.props),
        object: `${object.kind} ${object.namespace ? `${object.namespace}/` : ''}${object.name}`, server: message,
      };
    });
    const crashes = outcomes.filter(o => o.status === 'crashed').map(o => ({ construct: o.construct, props: JSON.stringify(o.props), error: o.message }));
    report(outcomes, objects.length, batches.length, discrepancies, { build: built - started, apply: Date.now() - built });

    for (const construct of new Set(outcomes.map(o => o.construct))) {
      const mine = outcomes.filter(o => o.construct === construct);
      // Generators that never produce an accepted (or never a refused) prop set would test nothing.
      expect(mine.some(o => o.status === 'accepted'), `${construct}: some prop sets accepted`).toBe(true);
      if (!construct.endsWith('Crds')) expect(mine.some(o => o.status === 'refused'), `${construct}: some prop sets refused`).toBe(true);
    }
    // The route constructs test nothing unless HTTPRoutes (and Traefik Gateways they attach to) reach the server.
    const routed = (kind: string) => objects.filter(o => o.kind === kind && outcomes[o.caseIndex].construct.endsWith('+HTTPRoute')).length;
    console.log(`differential: route cases dry-ran ${routed('HTTPRoute')} HTTPRoutes and ${routed('Gateway')} Gateways`);
    expect(routed('HTTPRoute'), 'HTTPRoutes dry-run').toBeGreaterThan(0);
    expect(routed('Gateway'), 'Gateways of route cases dry-run').toBeGreaterThan(0);
    expect(crashes, 'constructs that threw something other than LocalHandsValidationError').toEqual([]);
    expect(discrepancies, 'objects we accepted and the API server refused').toEqual([]);
  }, 600_000);
});

function report(outcomes: readonly Outcome[], objects: number, batches: number, discrepancies: readonly Discrepancy[], ms: { build: number; apply: number }): void {
  const count = (s: Outcome['status'], construct?: string) => outcomes.filter(o => o.status === s && (!construct || o.construct === construct)).length;
  const lines = [
    `differential: seed ${SEED} (LOCAL_HANDS_DIFF_SEED), ${RUNS} prop sets per construct (LOCAL_HANDS_DIFF_RUNS)`,
    `differential: ${outcomes.length} cases: ${count('refused')} refused by our validation, ${count('accepted')} accepted, ${count('crashed')} crashed; `
      + `${objects} objects applied in ${batches} kubectl calls, ${discrepancies.length} refused by the API server `
      + `(build ${(ms.build / 1000).toFixed(1)} s, apply ${(ms.apply / 1000).toFixed(1)} s)`,
    ...[...new Set(outcomes.map(o => o.construct))].map(c => `  ${c.padEnd(27)} accepted ${String(count('accepted', c)).padStart(3)}  refused ${String(count('refused', c)).padStart(3)}  crashed ${count('crashed', c)}`),
    ...discrepancies.map(d => `  REFUSED BY THE SERVER: ${d.construct} ${d.object}\n    props: ${d.props.slice(0, 600)}\n    ${d.server.split('\n')[0].slice(0, 600)}`),
  ];
  console.log(lines.join('\n'));
}
