// The layers of the project, checked from the sources: each file imports only from its own layer or the
// layers below, and no function in the library runs longer than a screen.
import * as fs from 'fs';
import * as path from 'path';
import * as ts from 'typescript';
import { describe, expect, test } from 'vitest';
import { ROOT } from './util';

/** Lowest first. A file may import from its own layer and any layer listed before it. */
const LAYERS: readonly { readonly name: string; readonly match: (file: string) => boolean }[] = [
  { name: 'imports', match: f => f.startsWith('imports/') },
  { name: 'ground (src)', match: f => f.startsWith('src/') },
  { name: 'constructs', match: f => f.startsWith('constructs/') },
  { name: 'app', match: f => f.startsWith('app/') },
  { name: 'package face and entry points', match: f => f === 'index.ts' || f === 'main.ts' },
  { name: 'CLIs, tools and bench', match: f => /^(scripts|tools|bench)\//.test(f) },
  { name: 'tests', match: f => f.startsWith('test/') },
];
const LIBRARY = ['src', 'constructs', 'app'];
const MAX_FUNCTION_LINES = 80;

function sources(dir = ROOT): string[] {
  const out: string[] = [];
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    if (['node_modules', '.git', '.build', '.cache', 'lib', 'dist', 'reference'].includes(e.name) || e.name.startsWith('.launcher-')) continue;
    const p = path.join(dir, e.name);
    if (e.isDirectory()) out.push(...sources(p));
    else if (/\.(ts|mts|cjs)$/.test(e.name) && !e.name.endsWith('.d.ts')) out.push(path.relative(ROOT, p).split(path.sep).join('/'));
  }
  return out.sort();
}

function layerOf(file: string): number {
  return LAYERS.findIndex(l => l.match(file));
}

/** The project files a source imports or requires (relative specifiers only). */
function localImports(file: string): string[] {
  const sf = ts.createSourceFile(file, fs.readFileSync(path.join(ROOT, file), 'utf8'), ts.ScriptTarget.ES2022, true);
  const specs: string[] = [];
  const visit = (n: ts.Node) => {
    if ((ts.isImportDeclaration(n) || ts.isExportDeclaration(n)) && n.moduleSpecifier && ts.isStringLiteral(n.moduleSpecifier)) specs.push(n.moduleSpecifier.text);
    if (ts.isCallExpression(n) && n.arguments.length === 1 && ts.isStringLiteral(n.arguments[0])
      && (n.expression.getText(sf) === 'require' || n.expression.kind === ts.SyntaxKind.ImportKeyword)) specs.push(n.arguments[0].text);
    ts.forEachChild(n, visit);
  };
  visit(sf);
  return specs.filter(s => s.startsWith('.')).map(s => path.posix.normalize(path.posix.join(path.posix.dirname(file), s)));
}

function upwardImports(file: string, targets: readonly string[]): string[] {
  const own = layerOf(file);
  return own < 0 ? [] : targets.flatMap(target => {
    const layer = layerOf(target.replace(/^(\.\.\/)+/, ''));
    return layer > own ? [`${file} (${LAYERS[own].name}) imports ${target} (${LAYERS[layer].name})`] : [];
  });
}

describe('layers', () => {
  const files = sources();

  test('every source file belongs to a layer', () => {
    expect(files.filter(f => layerOf(f) < 0 && !/^[^/]+\.config\.mts$/.test(f))).toEqual([]);
  });

  test('imports run downward only: no file imports from a layer above its own', () => {
    expect(files.flatMap(f => upwardImports(f, localImports(f)))).toEqual([]);
  });

  test('an import from the ground into a construct, or from a construct into the app, is reported', () => {
    expect(localImports('index.ts')).toContain('constructs/ingress-nginx/ingress-nginx');
    expect(upwardImports('src/rbac.ts', ['constructs/dev-workload/mirrord-rbac', 'imports/k8s'])).toEqual([
      'src/rbac.ts (ground (src)) imports constructs/dev-workload/mirrord-rbac (constructs)',
    ]);
    expect(upwardImports('constructs/kind/kind-cluster.ts', ['app/synth', 'constructs/ingress-nginx/ingress-nginx'])).toHaveLength(1);
  });
});

/** The first import circle among `files` (a list of files, back to its start), or undefined. */
function importCircle(files: readonly string[]): string[] | undefined {
  const known = new Set(files.map(f => f.replace(/\.(ts|mts|cjs)$/, '')));
  return circleIn(new Map(files.map(f => [f.replace(/\.(ts|mts|cjs)$/, ''), localImports(f).filter(i => known.has(i))])));
}

/** A depth-first search for a path that comes back to a node it is on. */
function circleIn(edges: ReadonlyMap<string, readonly string[]>): string[] | undefined {
  const state = new Map<string, 'open' | 'done'>();
  const stack: string[] = [];
  const visit = (n: string): string[] | undefined => {
    if (state.get(n) === 'done') return undefined;
    if (state.get(n) === 'open') return [...stack.slice(stack.indexOf(n)), n];
    state.set(n, 'open');
    stack.push(n);
    for (const m of edges.get(n) ?? []) {
      const found = visit(m);
      if (found) return found;
    }
    stack.pop();
    state.set(n, 'done');
    return undefined;
  };
  for (const n of edges.keys()) {
    const found = visit(n);
    if (found) return found;
  }
  return undefined;
}

test('no import circles in the library (type-only imports count: they tie the files together as much)', () => {
  expect(importCircle(sources().filter(f => LIBRARY.some(d => f.startsWith(`${d}/`)) || f === 'index.ts'))).toBeUndefined();
});

test('an import circle is found, with its path', () => {
  expect(circleIn(new Map([['a', ['b']], ['b', ['c']], ['c', ['a']], ['d', ['a']]]))).toEqual(['a', 'b', 'c', 'a']);
  expect(circleIn(new Map([['a', ['b']], ['b', ['c']], ['c', []]]))).toBeUndefined();
});

test(`no function, method or constructor in the library is longer than ${MAX_FUNCTION_LINES} lines`, () => {
  const long: string[] = [];
  for (const file of sources().filter(f => LIBRARY.some(d => f.startsWith(`${d}/`)))) {
    const sf = ts.createSourceFile(file, fs.readFileSync(path.join(ROOT, file), 'utf8'), ts.ScriptTarget.ES2022, true);
    const visit = (n: ts.Node) => {
      if (ts.isFunctionLike(n) && (n as ts.FunctionLikeDeclarationBase).body) {
        const lines = sf.getLineAndCharacterOfPosition(n.getEnd()).line - sf.getLineAndCharacterOfPosition(n.getStart(sf)).line + 1;
        if (lines > MAX_FUNCTION_LINES) long.push(`${file}:${sf.getLineAndCharacterOfPosition(n.getStart(sf)).line + 1} (${lines} lines)`);
      }
      ts.forEachChild(n, visit);
    };
    visit(sf);
  }
  expect(long).toEqual([]);
});
