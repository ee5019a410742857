#!/usr/bin/env node
// Runs a TypeScript entry point of this project without compiling it on every run.
//
//   node tools/launcher/run.cjs <entry.ts> [args...]
//
// The entry is bundled by esbuild, with its dependencies, into one file .build/<entry>.cjs, next to
// a manifest of every input file: its size, mtime, ctime, inode and SHA-1. Each run stats the inputs,
// as git checks its index: a file whose stat matches is unchanged, because any write moves its ctime,
// which no tool can set back; a file whose stat differs, or that changed too close to the build for
// its timestamps to tell two writes apart, is re-hashed. Any change, a missing input, or another
// esbuild version triggers a rebuild first, so running stale JavaScript is impossible; esbuild itself
// is only loaded to rebuild.
//
// The bundle runs from a V8 code cache (.build/<entry>.v8cache) so that a warm run neither parses nor
// compiles the half megabyte of JavaScript again. The cache holds the functions its runs compiled, and is
// extended at the exit of a run with new arguments (another profile runs other code). A header binds it
// to the bundle file it was made for; V8 rejects one that does not match the V8 version or its flags. Either
// way the launcher simply writes a new one.
//
// CommonJS on purpose: the ESM loader costs a few milliseconds at start-up that the main job need not pay.
'use strict';
const { accessSync, constants, lstatSync, mkdirSync, readFileSync, renameSync, statSync, writeFileSync } = require('node:fs');
const { dirname, extname, join, relative, resolve, sep } = require('node:path');
const { Script } = require('node:vm');
// node:module's createRequire, from the CommonJS loader itself: loading the node:module wrapper costs 0.2 ms.
const { createRequire } = module.constructor;

const root = resolve(__dirname, '..', '..');

/** Bump when the bundle options below change, so old bundles are rebuilt. */
const RECIPE = 'cjs-node20-full-bundle-v10';
/** Files that shape every bundle without being bundled as such: a change to them rebuilds too. */
const TOOLING = [
  'tools/launcher/run.cjs',
  'tools/launcher/prune-k8s.cjs',
  'tools/launcher/memo-esm.cjs',
  // esbuild reads compiler options (class fields, decorators, paths) from here.
  'tsconfig.json',
  'node_modules/cdk8s-plus-27/lib/imports/k8s.js',
  'node_modules/esbuild/package.json',
];
/**
 * An input whose ctime is this close to the build start (ms), or later, is always re-hashed: timestamps are
 * only as fine as the kernel's clock tick (or the file system's), so a second write in the same tick could
 * leave the very stat recorded.
 */
const RACY_MS = 2000;

function bundlePaths(entry, dir = join(root, '.build')) {
  const abs = resolve(root, entry);
  const key = relative(root, abs).replace(/\.ts$/, '').replace(/[\\/]/g, '__');
  return {
    abs,
    dir,
    out: join(dir, `${key}.cjs`),
    manifest: join(dir, `${key}.inputs.json`),
    cache: join(dir, `${key}.v8cache`),
  };
}

// node:crypto is loaded only when a file must be hashed.
const digest = data => require('node:crypto').createHash('sha1').update(data).digest('hex');

/** The stat fields that prove a file unchanged since it was hashed. */
const statRecord = st => ({ size: st.size, mtimeMs: st.mtimeMs, ctimeMs: st.ctimeMs, ino: st.ino });

/** Reads the bundle's manifest: undefined when there is none. */
function readManifest(file) {
  try {
    return JSON.parse(readFileSync(file, 'utf8'));
  } catch {
    return undefined;
  }
}

/** Returns why the bundle must be rebuilt, or undefined when it is fresh. */
function staleReason(paths, m) {
  if (m === undefined) return 'no bundle yet';
  if (m.recipe !== RECIPE) return 'bundle recipe changed';
  // The manifest vouches for one bundle file: another one (a concurrent rebuild's) is not vouched for.
  const bundle = statSync(paths.out, { throwIfNoEntry: false });
  if (bundle === undefined) return 'bundle missing';
  if (!sameStat(statRecord(bundle), m.bundle)) return 'bundle replaced';
  const checked = Date.now();
  const trustedBefore = m.started - RACY_MS;
  const prefix = root + sep;
  const rehashed = {};
  for (const file in m.inputs) {
    const rec = m.inputs[file];
    const abs = prefix + file;
    const st = statSync(abs, { throwIfNoEntry: false });
    if (st === undefined) return `${file} was removed`;
    if (sameStat(st, rec) && rec.ctimeMs < trustedBefore) continue;
    if (digest(readFileSync(abs)) !== rec.sha1) return `${file} changed`;
    rehashed[file] = { ...statRecord(st), sha1: rec.sha1 };
  }
  if (Object.keys(rehashed).length > 0) vouchAgain(paths, m, checked, rehashed);
  return undefined;
}

const sameStat = (st, rec) => st.size === rec.size && st.mtimeMs === rec.mtimeMs && st.ctimeMs === rec.ctimeMs && st.ino === rec.ino;

/**
 * Every input was just found to hold what the bundle was built from, some by their digest (touched, or
 * written too close to the build): the manifest is rewritten as if the bundle had been built when the check
 * began, with their new stats, so later runs trust them by stat again instead of re-hashing them each time.
 */
function vouchAgain(paths, m, checked, rehashed) {
  try {
    writeAtomic(paths.manifest, manifestText({ ...m, started: checked, inputs: { ...m.inputs, ...rehashed } }));
  } catch {
    // A read-only checkout re-hashes them on every run instead.
  }
}

const manifestText = m => `${JSON.stringify(m, null, 1)}\n`;

/** How esbuild reads each kind of input file. */
const LOADERS = { '.ts': 'ts', '.js': 'js', '.cjs': 'js', '.mjs': 'js', '.json': 'json' };

/** Stats a file, then reads it: a write in between leaves a stat that will not match on the next run. */
function recordInput(abs) {
  const st = statRecord(statSync(abs));
  const contents = readFileSync(abs);
  return { record: { ...st, sha1: digest(contents) }, contents };
}

/**
 * Bundles the entry and records its inputs. esbuild reads every input through us, so each digest is of the
 * very bytes it compiled, even when a file changes during the build. Resolves to the bundle's encoding and
 * its stat record.
 */
async function build({ abs, dir, out, manifest, cache }) {
  const esbuild = require('esbuild');
  mkdirSync(dir, { recursive: true });
  const started = Date.now();
  const inputs = {};
  for (const file of TOOLING) inputs[file] = recordInput(join(root, file)).record;
  const recordBundled = {
    name: 'record-inputs',
    setup(b) {
      b.onLoad({ filter: /.*/ }, args => {
        const loader = LOADERS[extname(args.path)];
        const file = relative(root, args.path);
        // Our generated stand-ins in the build folder are made from inputs recorded as tooling.
        if (loader === undefined || args.path.startsWith(dir + sep)) return undefined;
        const { record, contents } = recordInput(args.path);
        inputs[file.split(sep).join('/')] = record;
        return { contents, loader };
      });
    },
  };
  const tmp = `${out}.${process.pid}.tmp`;
  await esbuild.build({
    entryPoints: [abs],
    outfile: tmp,
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    alias: {
      // Only the k8s bindings imports/k8s.ts names, and what they reach.
      'cdk8s-plus-27/lib/imports/k8s': writePrunedK8s(dir),
      // Builtins that cdk8s and constructs load at start-up but a synth rarely calls.
      ...Object.fromEntries(LAZY_BUILTINS.map(name => [name, writeLazyBuiltin(dir, name)])),
    },
    plugins: [lazyPackages(dir), recordBundled],
    // The bundle is written as the function Node wraps a CommonJS module in, so the launcher hands the
    // file's text to V8 as it is, without copying the whole bundle into a wrapper string first.
    banner: { js: `(function (${MODULE_WRAPPER_PARAMS}) {` },
    footer: { js: '\n})' },
    // Whitespace and comments are a third of the text V8 would read and scan on every run; the source
    // map still points stack traces at our sources.
    minifyWhitespace: true,
    sourcemap: 'linked',
    sourcesContent: false,
    logLevel: 'error',
    absWorkingDir: root,
  });
  const { code, map } = require('./memo-esm.cjs').memoizeToEsm(readFileSync(tmp, 'utf8'), JSON.parse(readFileSync(`${tmp}.map`, 'utf8')));
  writeFileSync(tmp, code);
  writeFileSync(`${tmp}.map`, JSON.stringify(map));
  // esbuild escapes non-ASCII characters by default; when none is left, the run reads the bundle as
  // latin1, which makes V8's one-byte string without decoding UTF-8.
  const encoding = /^[\x00-\x7f]*$/.test(code) ? 'latin1' : 'utf8';
  // The bundle is renamed into place before the manifest that vouches for it, each atomically, so a
  // concurrent or interrupted run never pairs a manifest with another bundle.
  renameSync(`${tmp}.map`, `${out}.map`);
  renameSync(tmp, out);
  const sorted = Object.fromEntries(Object.keys(inputs).sort().map(file => [file, inputs[file]]));
  const bundle = statRecord(statSync(out));
  writeAtomic(manifest, manifestText({ recipe: RECIPE, started, encoding, bundle, inputs: sorted }));
  writeAtomic(cache, Buffer.alloc(0));
  return { encoding, bundle };
}

/**
 * Resolves the bare names `cdk8s` and `yaml` (ours and cdk8s's: one copy of the library) to stand-ins that
 * load each part on first use. An alias would not do: it would rewrite `cdk8s/lib/...` too.
 */
function lazyPackages(dir) {
  const stand = { cdk8s: writeLazyCdk8s(dir), yaml: writeLazyYaml(dir) };
  const cdk8sLib = dirname(require.resolve('cdk8s/lib/index.js'));
  const cdk8sYaml = writeLazyCdk8sYaml(dir, cdk8sLib);
  return {
    name: 'lazy-packages',
    setup(b) {
      b.onResolve({ filter: /^(cdk8s|yaml)$/ }, args => ({ path: stand[args.path] }));
      // cdk8s's App, Helm and Include load its YAML helpers when they load, and call them only to write or read files.
      b.onResolve({ filter: /^\.\/yaml$/ }, args => (dirname(args.importer) === cdk8sLib ? { path: cdk8sYaml } : undefined));
    },
  };
}

/**
 * cdk8s's own `./yaml` (the `Yaml` class), as its App loads it: loading it takes the `yaml` library's namespace and
 * node:fs's apart into forwarding getters, for an `app.synth()` that `renderCharts` never calls. Loaded on first use.
 */
function writeLazyCdk8sYaml(dir, cdk8sLib) {
  const real = join(cdk8sLib, 'yaml.js');
  return writeLazyModule(join(dir, 'lazy-cdk8s-yaml.cjs'), 'cdk8s/lib/yaml', {
    head: 'const shim = {}; Object.defineProperty(shim, "__esModule", { value: true });',
    exports: Object.keys(require(real)).sort().map(key => ({ key, from: 'real', forwarded: false })),
    modules: { real },
  });
}

/** The parameters of the function Node.js wraps a CommonJS module in. */
const MODULE_WRAPPER_PARAMS = 'exports, require, module, __filename, __dirname';

/**
 * `constructs` and cdk8s require node:crypto (for hashing construct addresses and generated names),
 * node:child_process (for Helm charts and URLs) and node:os when they load, which costs milliseconds at
 * start-up; a synth with explicit names never calls the first two. These shims stand in for the bare
 * module names and load the real module on first use: each function export becomes a forwarding function,
 * anything else a getter. The list of exports is read from this Node.js when the bundle is built.
 */
const LAZY_BUILTINS = ['crypto', 'child_process', 'os'];

function writeLazyBuiltin(dir, name) {
  const real = require(`node:${name}`);
  const forwarded = key => {
    const v = real[key];
    return typeof v === 'function' && !/^[A-Z]/.test(key) && !/^class\b/.test(Function.prototype.toString.call(v));
  };
  return writeLazyModule(join(dir, `lazy-${name}.cjs`), `node:${name}`, {
    head: 'const shim = { __esModule: true };',
    exports: Object.keys(real).sort().map(key => ({ key, from: 'real', forwarded: forwarded(key) })),
    tail: 'shim.default = shim;',
    modules: { real: `node:${name}` },
  });
}

/**
 * cdk8s's index loads all of cdk8s: Helm, testing, includes, the YAML parser and writer behind them, each
 * of which a synth through `renderCharts` never calls. This stand-in for the bare name `cdk8s` exports the
 * same names, each read from its own file of cdk8s/lib on first use (the first file exporting a name wins,
 * as in the index), so only the files a synth touches are ever run.
 */
function writeLazyCdk8s(dir) {
  const lib = dirname(require.resolve('cdk8s/lib/index.js'));
  const index = readFileSync(join(lib, 'index.js'), 'utf8');
  const files = [...index.matchAll(/__exportStar\(require\("\.\/([\w-]+)"\), exports\)/g)].map(m => m[1]);
  const modules = Object.fromEntries(files.map(f => [f, join(lib, `${f}.js`)]));
  const exports = [];
  const seen = new Set(['default']);
  for (const f of files) {
    for (const key of Object.keys(require(modules[f]))) {
      if (!seen.has(key)) exports.push({ key, from: f, forwarded: false });
      seen.add(key);
    }
  }
  return writeLazyModule(join(dir, 'lazy-cdk8s.cjs'), 'cdk8s', {
    head: 'const shim = {}; Object.defineProperty(shim, "__esModule", { value: true });',
    exports,
    modules,
  });
}

/**
 * The \`yaml\` library, which cdk8s loads with its YAML helpers: a synth writes YAML itself
 * (src/fast-yaml.ts) and only needs the library for unusual values or to read YAML.
 */
function writeLazyYaml(dir) {
  const real = require.resolve('cdk8s/node_modules/yaml');
  return writeLazyModule(join(dir, 'lazy-yaml.cjs'), 'yaml', {
    head: 'const shim = {};',
    exports: Object.keys(require(real)).sort().map(key => ({ key, from: 'real', forwarded: false })),
    modules: { real },
  });
}

/** Writes a module whose exports load their real module (`modules[from]`) on first use. */
function writeLazyModule(file, what, { head, exports, tail = '', modules }) {
  const names = Object.keys(modules);
  const lines = [
    `'use strict';`,
    `// Generated by tools/launcher/run.cjs: ${what}, loaded on first use.`,
    `const loaded = {};`,
    ...names.map((n, i) => `const load${i} = () => (loaded[${i}] ??= require(${JSON.stringify(modules[n])}));`),
    head,
  ];
  for (const { key, from, forwarded } of exports) {
    const load = `load${names.indexOf(from)}()`;
    lines.push(forwarded
      ? `shim[${JSON.stringify(key)}] = function (...args) { return ${load}[${JSON.stringify(key)}].apply(this, args); };`
      : `Object.defineProperty(shim, ${JSON.stringify(key)}, { enumerable: true, get: () => ${load}[${JSON.stringify(key)}] });`);
  }
  lines.push(tail, 'module.exports = shim;', '');
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

/**
 * Runs the entry's bundle: at once when it is fresh, else after rebuilding it (`then`, called with the
 * paths, the encoding to read the bundle in and the bundle's stat record, runs synchronously in the first case).
 */
function withFreshBundle(entry, then) {
  let paths = bundlePaths(entry);
  let manifest = readManifest(paths.manifest);
  let reason = staleReason(paths, manifest);
  if (reason === undefined) return then({ ...paths, encoding: manifest.encoding, bundle: manifest.bundle });
  const problem = unwritable(paths.dir);
  if (problem !== undefined) {
    paths = elsewhere(entry, paths.dir, problem);
    if (paths === undefined) {
      process.exitCode = 1;
      return undefined;
    }
    manifest = readManifest(paths.manifest);
    reason = staleReason(paths, manifest);
    if (reason === undefined) return then({ ...paths, encoding: manifest.encoding, bundle: manifest.bundle });
    reason += `; into ${paths.dir}, as ${join(root, '.build')} is not writable: ${said(problem)}`;
  }
  if (process.env.LOCAL_HANDS_QUIET_BUILD !== '1') process.stderr.write(`local-hands: bundling ${entry} (${reason})\n`);
  build(paths).then(
    built => then({ ...paths, ...built }),
    e => {
      // esbuild has printed its own errors already; anything else is our bug and keeps its stack.
      process.stderr.write(Array.isArray(e?.errors) ? `local-hands: bundling ${entry} failed\n` : `${e?.stack ?? e}\n`);
      process.exitCode = 1;
    },
  );
}

/** The reason in words, for the one line a build folder problem gets: an OS error's with its code, else ours. */
const said = e => (e.syscall === undefined ? e.message
  : `${{ EACCES: 'permission denied', EPERM: 'operation not permitted', EROFS: 'the file system is read-only' }[e.code] ?? e.message} (${e.code})`);

/** Undefined when `dir` exists (or was just made) and this user may write it; else the error that says why not. */
function unwritable(dir) {
  try {
    mkdirSync(dir, { recursive: true });
    accessSync(dir, constants.W_OK);
    return undefined;
  } catch (e) {
    return e;
  }
}

/**
 * The bundle's paths when .build cannot be written. A checkout this user may not write (read-only, someone else's)
 * builds into a private folder under the system's temp folder, bundle and cache kept there for the next run; the
 * bundle still runs as if from .build (its __dirname, its require), since code finds the project from there. Anything
 * else in the way (a file in .build's place) is one line saying what to do, and undefined.
 */
function elsewhere(entry, dir, problem) {
  // Something that is not a folder in .build's place (a file, a link to nothing) is the user's to move.
  const inTheWay = lstatSync(dir, { throwIfNoEntry: false }) !== undefined && !isFolder(dir);
  if (inTheWay || !['EACCES', 'EPERM', 'EROFS'].includes(problem.code)) {
    process.stderr.write(inTheWay
      ? `local-hands: cannot create the launcher's build folder ${dir}: something that is not a folder is in its place; move it away and run again\n`
      : `local-hands: cannot create the launcher's build folder ${dir}: ${said(problem)}\n`);
    return undefined;
  }
  try {
    return { ...bundlePaths(entry, privateBuildFolder()), home: bundlePaths(entry).out };
  } catch (e) {
    process.stderr.write(`local-hands: cannot write the launcher's build folder ${dir} (${said(problem)}), nor a private one under the `
      + `temp folder (${said(e)}): make ${dir} writable, or run once as a user who may write it\n`);
    return undefined;
  }
}

function isFolder(p) {
  try {
    return statSync(p).isDirectory();
  } catch {
    return false;
  }
}

/**
 * <temp>/local-hands-build-<uid>/<project hash>, made 0700, and used only if it is a folder of this user's that no one
 * else may write: another user could otherwise plant a bundle there for us to run.
 */
function privateBuildFolder() {
  const top = join(require('node:os').tmpdir(), `local-hands-build-${process.getuid?.() ?? 'user'}`);
  mkdirSync(top, { recursive: true, mode: 0o700 });
  const st = lstatSync(top);
  if (!st.isDirectory() || (process.getuid !== undefined && st.uid !== process.getuid()) || (st.mode & 0o022) !== 0) {
    throw new Error(`${top} is not a private folder of this user (another user's, or others may write it)`);
  }
  const dir = join(top, digest(root).slice(0, 12));
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  accessSync(dir, constants.W_OK);
  return dir;
}

/**
 * How many argument lists one code cache is extended for. A run with arguments no cached run had (another
 * profile) runs functions the cache lacks, which V8 would compile again on every such run (5 ms for the
 * gateway profile after a default run); so its exit rewrites the cache with them. Bounded, because a command
 * taking ids or paths would add a list per id.
 */
const MAX_CACHED_RUNS = 16;

/**
 * The code cache file: one header line, JSON `{ bundle, runs }` (the stat record of the bundle file it was made
 * for, the argument lists of the runs whose functions it holds), then V8's data. V8 only compares a cache's
 * source length with the source's, so the header is what keeps a run that ends after a concurrent rebuild
 * from leaving its cache beside the new bundle. Undefined when missing, unreadable or for another bundle file.
 */
function readCache(file, bundle) {
  let bytes;
  try {
    bytes = readFileSync(file);
  } catch {
    return undefined;
  }
  const eol = bytes.indexOf(10);
  if (eol === -1) return undefined;
  let header;
  try {
    header = JSON.parse(bytes.toString('latin1', 0, eol));
  } catch {
    return undefined;
  }
  if (!Array.isArray(header?.runs) || !sameStat(header.bundle ?? {}, bundle)) return undefined;
  return { runs: header.runs, data: bytes.subarray(eol + 1) };
}

/** Runs a CommonJS bundle as the main module with `args`, from (and extending) its V8 code cache. */
function runBundle({ out, home = out, cache, encoding, bundle }, args) {
  const source = readFileSync(out, encoding);
  const cached = readCache(cache, bundle);
  const script = new Script(source, { filename: out, cachedData: cached?.data });
  const runs = cached === undefined || script.cachedDataRejected ? [] : cached.runs;
  const run = JSON.stringify(args);
  if (!runs.includes(run) && runs.length < MAX_CACHED_RUNS) {
    // Written at exit, so the cache holds the functions this run compiled, not just the top level.
    process.once('exit', () => {
      try {
        // A rebuild since this run started replaced the bundle: this cache is not for the new one.
        if (!sameStat(statRecord(statSync(out)), bundle)) return;
        const header = Buffer.from(`${JSON.stringify({ bundle, runs: [...runs, run] })}\n`);
        writeAtomic(cache, Buffer.concat([header, script.createCachedData()]));
      } catch {
        // A read-only checkout runs fine without a cache.
      }
    });
  }
  // `home`: where the bundle runs as if it were, its place in .build (see `elsewhere`).
  const module = { exports: {}, filename: home, id: '.', loaded: false, children: [], paths: [] };
  const req = createRequire(home);
  module.require = req;
  req.main = module;
  script.runInThisContext()(module.exports, req, module, home, dirname(home));
  module.loaded = true;
}

/**
 * The variable the app command of cdk8s.yaml (and `npm run synth`) hands NODE_EXTRA_CA_CERTS over in. Node.js 20
 * reads NODE_EXTRA_CA_CERTS before it runs any JavaScript and parses that bundle, and its own root certificates
 * with it, at once: 30 ms of every start on a machine where it names the system bundle (nodejs/node#40524; newer
 * releases load them off the main thread once `tls` is loaded, #59856). A synth makes no TLS connection, so that
 * command starts Node without it, and the launcher puts it back as the user set it, for child processes and
 * anything that reads it.
 */
const HANDED_CA_CERTS = 'LOCAL_HANDS_NODE_EXTRA_CA_CERTS';

function restoreCaCerts(env) {
  const handed = env[HANDED_CA_CERTS];
  if (handed === undefined || env.NODE_EXTRA_CA_CERTS !== undefined) return;
  env.NODE_EXTRA_CA_CERTS = handed;
  delete env[HANDED_CA_CERTS];
}

if (require.main === module) {
  restoreCaCerts(process.env);
  const [entry, ...args] = process.argv.slice(2);
  if (!entry) {
    process.stderr.write('usage: node tools/launcher/run.cjs <entry.ts> [args...]\n');
    process.exit(2);
  }
  withFreshBundle(entry, paths => {
    process.argv = [process.argv[0], paths.out, ...args];
    runBundle(paths, args);
  });
}
