#!/usr/bin/env node
// Runs a TypeScript entry point of this project without compiling it on every run.
//
//   node tools/launcher/run.cjs <entry.ts> [args...]
//
// The entry is bundled by esbuild, with its dependencies, into one file .build/<entry>.cjs, next to
// a manifest of every input file and a copy of our own sources. Each run checks the inputs: our sources
// are compared byte for byte with that copy; a file under node_modules is re-hashed when its size or
// mtime differs (or it changed too close to the build to trust its mtime). Any change, a missing input,
// or another esbuild version triggers a rebuild first, so running stale JavaScript is impossible;
// esbuild itself is only loaded to rebuild.
//
// The bundle runs from a V8 code cache (.build/<entry>.v8cache) so that a warm run neither parses nor
// compiles the ~3 MB of JavaScript again. V8 rejects a cache that does not match the source, the V8
// version or its flags; the launcher then simply writes a new one.
//
// CommonJS on purpose: the ESM loader costs a few milliseconds at start-up that the main job need not pay.
'use strict';
const { existsSync, mkdirSync, readFileSync, renameSync, statSync, writeFileSync } = require('node:fs');
const { createRequire } = require('node:module');
const { dirname, join, relative, resolve } = require('node:path');
const { Script } = require('node:vm');

const root = resolve(__dirname, '..', '..');

/** Bump when the bundle options below change, so old bundles are rebuilt. */
const RECIPE = 'cjs-node20-full-bundle-v5';
/** Files that shape every bundle without being bundled as such: a change to them rebuilds too. */
const TOOLING = [
  'tools/launcher/run.cjs',
  'tools/launcher/prune-k8s.cjs',
  // esbuild reads compiler options (class fields, decorators, paths) from here.
  'tsconfig.json',
  'node_modules/cdk8s-plus-27/lib/imports/k8s.js',
  'node_modules/esbuild/package.json',
];
/** An input modified this close to the build start (ms) is always re-hashed: its mtime cannot prove it unchanged. */
const RACY_MS = 2000;

function bundlePaths(entry) {
  const abs = resolve(root, entry);
  const key = relative(root, abs).replace(/\.ts$/, '').replace(/[\\/]/g, '__');
  const dir = join(root, '.build');
  return {
    abs,
    dir,
    out: join(dir, `${key}.cjs`),
    manifest: join(dir, `${key}.inputs.json`),
    sources: join(dir, `${key}.sources`),
    cache: join(dir, `${key}.v8cache`),
  };
}

// node:crypto is loaded only when a file must be hashed.
const hashFile = file => require('node:crypto').createHash('sha1').update(readFileSync(file)).digest('hex');

/** Returns why the bundle must be rebuilt, or undefined when it is fresh. */
function staleReason(entry) {
  const { out, manifest, sources } = bundlePaths(entry);
  let m;
  let snapshot;
  try {
    m = JSON.parse(readFileSync(manifest, 'utf8'));
    snapshot = readFileSync(sources);
  } catch {
    return 'no bundle yet';
  }
  if (m.recipe !== RECIPE) return 'bundle recipe changed';
  if (!existsSync(out)) return 'bundle missing';
  for (const [file, rec] of Object.entries(m.inputs)) {
    const abs = join(root, file);
    if (rec.offset !== undefined) {
      // Our own sources: compared byte for byte with the copy taken at build time.
      let now;
      try {
        now = readFileSync(abs);
      } catch {
        return `${file} was removed`;
      }
      if (now.length !== rec.size || !now.equals(snapshot.subarray(rec.offset, rec.offset + rec.size))) return `${file} changed`;
      continue;
    }
    // Installed packages: trusted on size and mtime unless they changed too close to the build (as git
    // trusts its index), else re-hashed.
    let st;
    try {
      st = statSync(abs);
    } catch {
      return `${file} was removed`;
    }
    const trusted = st.size === rec.size && st.mtimeMs === rec.mtimeMs && rec.mtimeMs < m.started - RACY_MS;
    if (!trusted && hashFile(abs) !== rec.sha1) return `${file} changed`;
  }
  return undefined;
}

function build(entry) {
  const { abs, dir, out, manifest, cache, sources } = bundlePaths(entry);
  const esbuild = require('esbuild');
  mkdirSync(dir, { recursive: true });
  const started = Date.now();
  const tmp = `${out}.${process.pid}.tmp`;
  const result = esbuild.buildSync({
    entryPoints: [abs],
    outfile: tmp,
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    alias: {
      // One copy of `yaml`: cdk8s bundles its own, and so would we.
      yaml: dirname(require.resolve('cdk8s/node_modules/yaml/package.json')),
      // Only the k8s bindings imports/k8s.ts names, and what they reach.
      'cdk8s-plus-27/lib/imports/k8s': writePrunedK8s(dir),
      // Builtins that cdk8s and constructs load at start-up but a synth rarely calls.
      ...Object.fromEntries(LAZY_BUILTINS.map(name => [name, writeLazyBuiltin(dir, name)])),
    },
    sourcemap: 'linked',
    sourcesContent: false,
    metafile: true,
    logLevel: 'error',
    absWorkingDir: root,
  });
  const inputs = {};
  const copies = [];
  let offset = 0;
  const bundled = Object.keys(result.metafile.inputs).filter(file => !file.startsWith('.build/'));
  for (const file of [...new Set([...TOOLING, ...bundled])].sort()) {
    const abs = join(root, file);
    if (file.startsWith('node_modules/')) {
      const st = statSync(abs);
      inputs[file] = { size: st.size, mtimeMs: st.mtimeMs, sha1: hashFile(abs) };
    } else {
      const data = readFileSync(abs);
      inputs[file] = { size: data.length, offset };
      copies.push(data);
      offset += data.length;
    }
  }
  // The bundle is renamed into place before the manifest that vouches for it, each atomically, so a
  // concurrent or interrupted run never pairs a manifest with another bundle.
  renameSync(`${tmp}.map`, `${out}.map`);
  renameSync(tmp, out);
  writeAtomic(sources, Buffer.concat(copies));
  writeAtomic(manifest, `${JSON.stringify({ recipe: RECIPE, started, inputs }, null, 1)}\n`);
  writeAtomic(cache, Buffer.alloc(0));
  return out;
}

/**
 * `constructs` and cdk8s require node:crypto (for hashing construct addresses and generated names) and
 * node:child_process (for Helm charts and URLs) when they load, which costs milliseconds at start-up;
 * a synth with explicit names never calls them. These shims stand in for the bare module names and load
 * the real module on first use: each function export becomes a forwarding function, anything else a
 * getter. The list of exports is read from this Node.js when the bundle is built.
 */
const LAZY_BUILTINS = ['crypto', 'child_process'];

function writeLazyBuiltin(dir, name) {
  const real = require(`node:${name}`);
  const lines = [
    `'use strict';`,
    `// Generated by tools/launcher/run.cjs: node:${name}, loaded on first use.`,
    `let real;`,
    `const load = () => (real ??= require('node:${name}'));`,
    `const shim = { __esModule: true };`,
  ];
  for (const key of Object.keys(real).sort()) {
    const v = real[key];
    const plainFunction = typeof v === 'function' && !/^[A-Z]/.test(key) && !/^class\b/.test(Function.prototype.toString.call(v));
    lines.push(plainFunction
      ? `shim[${JSON.stringify(key)}] = function (...args) { return load()[${JSON.stringify(key)}].apply(this, args); };`
      : `Object.defineProperty(shim, ${JSON.stringify(key)}, { enumerable: true, get: () => load()[${JSON.stringify(key)}] });`);
  }
  lines.push('shim.default = shim;', 'module.exports = shim;', '');
  const file = join(dir, `lazy-${name}.cjs`);
  writeAtomic(file, lines.join('\n'));
  return file;
}

/** Writes the pruned k8s bindings into the build folder and returns their path. */
function writePrunedK8s(dir) {
  const { prune, exportedNames } = require('./prune-k8s.cjs');
  const file = join(dir, 'k8s.pruned.js');
  const source = readFileSync(join(root, 'node_modules', 'cdk8s-plus-27', 'lib', 'imports', 'k8s.js'), 'utf8');
  writeAtomic(file, prune(source, exportedNames(join(root, 'imports', 'k8s.ts'))));
  return file;
}

function writeAtomic(file, data) {
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, data);
  renameSync(tmp, file);
}

/** Makes sure the entry's bundle is fresh and returns its paths. */
function ensureBundle(entry) {
  const reason = staleReason(entry);
  if (reason !== undefined) {
    if (process.env.LOCAL_HANDS_QUIET_BUILD !== '1') process.stderr.write(`local-hands: bundling ${entry} (${reason})\n`);
    build(entry);
  }
  return bundlePaths(entry);
}

/** Runs a CommonJS bundle as the main module, from (and refreshing) its V8 code cache. */
function runBundle({ out, cache }) {
  const source = readFileSync(out, 'utf8');
  let cachedData;
  try {
    cachedData = readFileSync(cache);
    if (cachedData.length === 0) cachedData = undefined;
  } catch {
    cachedData = undefined;
  }
  const wrapped = `(function (exports, require, module, __filename, __dirname) {${source}\n})`;
  const script = new Script(wrapped, { filename: out, cachedData });
  if (cachedData === undefined || script.cachedDataRejected) {
    // Written at exit, so the cache holds the functions this run compiled, not just the top level.
    process.once('exit', () => {
      try {
        writeAtomic(cache, script.createCachedData());
      } catch {
        // A read-only checkout runs fine without a cache.
      }
    });
  }
  const module = { exports: {}, filename: out, id: '.', loaded: false, children: [], paths: [] };
  const req = createRequire(out);
  module.require = req;
  req.main = module;
  script.runInThisContext()(module.exports, req, module, out, dirname(out));
  module.loaded = true;
}

if (require.main === module) {
  const [entry, ...args] = process.argv.slice(2);
  if (!entry) {
    process.stderr.write('usage: node tools/launcher/run.cjs <entry.ts> [args...]\n');
    process.exit(2);
  }
  const paths = ensureBundle(entry);
  process.argv = [process.argv[0], paths.out, ...args];
  runBundle(paths);
}
