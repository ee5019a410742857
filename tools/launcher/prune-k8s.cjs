// Keeps, of cdk8s-plus-27's generated k8s bindings (2.5 MB, ~700 classes and
// ~1,000 toJson functions), only what imports/k8s.ts re-exports and what that reaches.
//
// The generated file is a flat list of top-level declarations (class, function, enum var), each followed
// by expression statements that belong to it (`exports.X = X`, the jsii type symbol, `X.GVK = ...`).
// Groups are kept when reachable from the exported names by identifier references; the preamble
// (imports, helper vars) is kept whole; the `exports.a = exports.b = ... = void 0` line is dropped.
// tools/launcher/run.cjs writes the result to .build/k8s.pruned.js and bundles that instead of the original, only
// when a bundle is rebuilt; TypeScript's parser is loaded then and only then.
'use strict';
const fs = require('node:fs');

function exportedNames(importsFile) {
  const text = fs.readFileSync(importsFile, 'utf8');
  const names = new Set();
  for (const m of text.matchAll(/export\s*\{([^}]*)\}\s*from\s*'cdk8s-plus-27\/lib\/imports\/k8s'/g)) {
    for (const n of m[1].split(',')) if (n.trim()) names.add(n.trim());
  }
  if (names.size === 0) throw new Error(`prune-k8s: no names re-exported by ${importsFile}`);
  return names;
}

function prune(source, roots) {
  const ts = require('typescript');
  const sf = ts.createSourceFile('k8s.js', source, ts.ScriptTarget.ES2022, false, ts.ScriptKind.JS);
  const declared = node => {
    if ((ts.isClassDeclaration(node) || ts.isFunctionDeclaration(node)) && node.name) return [node.name.text];
    if (ts.isVariableStatement(node)) return node.declarationList.declarations.map(d => d.name.getText(sf));
    return [];
  };
  const refs = node => {
    const out = new Set();
    const walk = n => {
      if (ts.isIdentifier(n)) out.add(n.text);
      ts.forEachChild(n, walk);
    };
    walk(node);
    return out;
  };
  const preamble = [];
  const groups = [];
  for (const stmt of sf.statements) {
    const names = declared(stmt);
    if (groups.length === 0 && !ts.isClassDeclaration(stmt) && !ts.isFunctionDeclaration(stmt)) {
      if (!/^exports\.\w+ = exports\./.test(stmt.getText(sf))) preamble.push(stmt);
    } else if (names.length > 0) {
      groups.push({ names, stmts: [stmt] });
    } else {
      groups[groups.length - 1].stmts.push(stmt);
    }
  }
  const byName = new Map();
  for (const g of groups) for (const n of g.names) byName.set(n, g);
  const keep = new Set();
  const queue = [...roots];
  while (queue.length > 0) {
    const name = queue.pop();
    const g = byName.get(name);
    if (!g || keep.has(g)) continue;
    keep.add(g);
    for (const s of g.stmts) for (const r of refs(s)) if (byName.has(r)) queue.push(r);
  }
  const missing = [...roots].filter(n => !byName.has(n));
  if (missing.length > 0) throw new Error(`prune-k8s: not in cdk8s-plus-27's k8s bindings: ${missing.join(', ')}`);
  const text = s => source.slice(s.getFullStart(), s.getEnd());
  const kept = [...preamble.map(text), ...groups.filter(g => keep.has(g)).flatMap(g => g.stmts.map(text))].join('');
  return `${kept}\n${PUT_HELPER}\n${DEFINED_HELPER}\n`
    .replace(SPREAD_PUT, (_m, value) => `(i[1] === undefined) ? r : ${PUT_NAME}(r, i[0], ${value})`)
    .replace(ENTRIES_PUT, (_m, object, field) => `${DEFINED_NAME}(${object}${field === undefined ? '' : `, v => v?.${field}`})`);
}

// Every toJson function drops undefined fields with `.reduce((r, i) => ... ({ ...r, [i[0]]: value }), {})`, which
// copies the accumulator once per field. The accumulator is the reduce's own fresh object, so setting the field
// on it gives the same object (same keys, same order) without the copies. A `__proto__` key is defined as an own
// property, as the spread's computed key would.
const PUT_NAME = '__localHandsPut';
const PUT_HELPER = `function ${PUT_NAME}(r, k, v) {
  if (k === '__proto__') Object.defineProperty(r, k, { value: v, writable: true, enumerable: true, configurable: true });
  else r[k] = v;
  return r;
}`;
// Then the reduce itself: `Object.entries(o).reduce(...)` makes an array and a [key, value] pair per field of every
// object rendered (at 10,000 sessions, millions of arrays for the garbage collector). The same keys, in the same
// order, each value read once, come from a loop over `Object.keys`.
const DEFINED_NAME = '__localHandsDefined';
const DEFINED_HELPER = `function ${DEFINED_NAME}(o, f) {
  const r = {};
  for (const k of Object.keys(o)) {
    const v = o[k];
    if (v !== undefined) ${PUT_NAME}(r, k, f === undefined ? v : f(v));
  }
  return r;
}`;
const ENTRIES_PUT = /Object\.entries\(([\w$.]+)\)\.reduce\(\(r, i\) => \(i\[1\] === undefined\) \? r : __localHandsPut\(r, i\[0\], i\[1\](?:\?\.(\w+))?\), \{\}\)/g;
const SPREAD_PUT = /\(i\[1\] === undefined\) \? r : \(\{ \.\.\.r, \[i\[0\]\]: ((?:[^{}()]|\((?:[^{}()]|\([^{}()]*\))*\))*) \}\)/g;

module.exports = { prune, exportedNames };
