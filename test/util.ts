import * as fs from 'fs';
import * as path from 'path';
import { App, Chart, Testing } from 'cdk8s';
import { Construct } from 'constructs';

export const ROOT = path.resolve(__dirname, '..');
/** The upstream reference data as the workplace publishes it, beside the project. */
export const SHARED_REFERENCE = path.resolve(ROOT, '..', 'shared', 'reference');
/** A byte-for-byte copy, so a clone elsewhere still has it (test/reference.test.ts keeps it identical). */
export const VENDORED_REFERENCE = path.join(ROOT, 'test', 'reference');
/** The reference data: ../shared/reference when present, else the vendored copy. */
export const REFERENCE = fs.existsSync(SHARED_REFERENCE) ? SHARED_REFERENCE : VENDORED_REFERENCE;

export { parseDocs, readTree } from '../src/files';
import { parseDocs } from '../src/files';


export function readDocs(file: string): any[] {
  return parseDocs(fs.readFileSync(file, 'utf8'));
}

/**
 * Drops `null` values: the API server treats `data: null` (as in upstream's kind manifests) the same as
 * an absent field, and cdk8s never writes nulls.
 */
export function dropNulls(v: any): any {
  if (Array.isArray(v)) return v.map(dropNulls);
  if (v && typeof v === 'object') {
    return Object.fromEntries(Object.entries(v).filter(([, x]) => x !== null).map(([k, x]) => [k, dropNulls(x)]));
  }
  return v;
}

export function objectKey(o: any): string {
  return `${o.kind} ${o.metadata?.namespace ? `${o.metadata.namespace}/` : ''}${o.metadata?.name}`;
}

/** Objects by `Kind namespace/name`, null-free, for comparing as parsed data. */
export function byKey(docs: any[]): Record<string, any> {
  const out: Record<string, any> = {};
  for (const d of docs) {
    const k = objectKey(d);
    if (out[k]) throw new Error(`duplicate object ${k}`);
    out[k] = dropNulls(d);
  }
  return out;
}

/**
 * A fresh app for a test, as `Testing.app()` makes it but without the temporary folder that `Testing.app()`
 * creates for every app and never removes: these apps are rendered in memory, and one that tried to write
 * would fail here loudly.
 */
export function testApp(): App {
  return Testing.app({ outdir: '/nonexistent/local-hands-test-app' });
}

/** Builds constructs in a fresh chart and returns its objects as plain JSON. */
export function synthChart(build: (chart: Chart) => void): any[] {
  const app = testApp();
  const chart = new Chart(app, 'test');
  build(chart);
  return Testing.synth(chart);
}

/** Builds constructs in a fresh chart and returns the chart's YAML, as `dist/` would hold it. */
export function synthChartYaml(build: (chart: Chart) => void): string {
  const app = new App({ outdir: '/nonexistent' });
  build(new Chart(app, 'test'));
  return app.synthYaml();
}

/** Calls `build` and returns the message of the error it throws. */
export function errorOf(build: (scope: Construct) => void): string {
  const app = testApp();
  const chart = new Chart(app, 'test');
  try {
    build(chart);
  } catch (e) {
    return (e as Error).message;
  }
  throw new Error('expected an error, got none');
}

export function find(docs: any[], kind: string, name?: string): any {
  const hit = docs.find(d => d.kind === kind && (name === undefined || d.metadata.name === name));
  if (!hit) throw new Error(`no ${kind} ${name ?? ''}`);
  return hit;
}
