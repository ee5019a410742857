// tools/launcher/prune-k8s.cjs: the pruned k8s bindings the bundle carries render as cdk8s-plus-27's own do.
import * as fs from 'fs';
import Module from 'module';
import * as path from 'path';
import { App } from 'cdk8s';
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { PROFILES, ProfileName, exampleBuild } from '../app/profiles';
import { renderCharts } from '../app/synth';
import { parseDocs, ROOT } from './util';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { prune, exportedNames } = require('../tools/launcher/prune-k8s.cjs');

const ORIGINAL_FILE = path.join(ROOT, 'node_modules', 'cdk8s-plus-27', 'lib', 'imports', 'k8s.js');

/** The pruned source, loaded as a module of its own (beside the original, so it finds the same cdk8s). */
function loadPruned(): Record<string, any> {
  const code = prune(fs.readFileSync(ORIGINAL_FILE, 'utf8'), exportedNames(path.join(ROOT, 'imports', 'k8s.ts')));
  const m = new Module(ORIGINAL_FILE) as Module & { _compile(code: string, file: string): void };
  m.filename = ORIGINAL_FILE;
  m.paths = (Module as unknown as { _nodeModulePaths(dir: string): string[] })._nodeModulePaths(path.dirname(ORIGINAL_FILE));
  m._compile(code, ORIGINAL_FILE);
  return m.exports;
}

const pruned = loadPruned();
// eslint-disable-next-line @typescript-eslint/no-require-imports
const original: Record<string, any> = require(ORIGINAL_FILE);

/** Own keys in order, each value, and the prototype: what tells two results apart. */
function shape(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(shape);
  if (typeof v !== 'object' || v === null) return v;
  return { proto: Object.getPrototypeOf(v) === Object.prototype, entries: Reflect.ownKeys(v).map(k => [String(k), shape((v as any)[k])]) };
}

describe('the pruned k8s bindings', () => {
  test('drop undefined fields as the generated reduce does: same keys in the same order, __proto__ and index keys included', () => {
    const key = fc.oneof(fc.constantFrom('__proto__', '0', '10', '2', 'a', 'b', 'constructor', ''), fc.string({ maxLength: 3 }));
    const value = fc.oneof(fc.constant(undefined), fc.string({ maxLength: 2 }), fc.integer(), fc.record({ value: fc.oneof(fc.string(), fc.constant(undefined)) }));
    const map = fc.array(fc.tuple(key, value), { maxLength: 8 }).map(pairs => {
      const o: Record<string, unknown> = {};
      for (const [k, v] of pairs) Object.defineProperty(o, k, { value: v, enumerable: true, writable: true, configurable: true });
      return o;
    });
    // ObjectMeta's labels (a map of strings) and ResourceQuotaSpec's hard (a map of quantities, rendered as their value).
    fc.assert(fc.property(map, map, (labels, hard) => {
      expect(shape(pruned.toJson_ObjectMeta({ labels, annotations: labels }))).toEqual(shape(original.toJson_ObjectMeta({ labels, annotations: labels })));
      expect(shape(pruned.toJson_ResourceQuotaSpec({ hard }))).toEqual(shape(original.toJson_ResourceQuotaSpec({ hard })));
    }), { numRuns: 3_000, seed: 15 });
  });

  test('every profile\'s objects, given to the props converter of their kind, render as cdk8s-plus-27 renders them', () => {
    let checked = 0;
    for (const name of Object.keys(PROFILES) as ProfileName[]) {
      const app = new App({ outdir: '/nonexistent/local-hands-test-app' });
      exampleBuild(name)(app);
      for (const file of renderCharts(app)) {
        for (const doc of parseDocs(file.text)) {
          const convert = `toJson_Kube${doc.kind}Props`;
          if (typeof pruned[convert] !== 'function') continue;
          expect(shape(pruned[convert](doc)), `${file.name} ${doc.kind} ${doc.metadata?.name}`).toEqual(shape(original[convert](doc)));
          checked++;
        }
      }
    }
    // The three profiles hold 65 objects of the bindings' kinds (the others are CRDs and Gateway API objects).
    expect(checked).toBeGreaterThanOrEqual(65);
  });

  test('keep no Object.entries reduce: each was rewritten', () => {
    const code = prune(fs.readFileSync(ORIGINAL_FILE, 'utf8'), exportedNames(path.join(ROOT, 'imports', 'k8s.ts')));
    expect(code).not.toMatch(/Object\.entries\(/);
  });
});
