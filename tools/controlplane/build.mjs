#!/usr/bin/env node
// Builds the verification control plane from pinned upstream Go sources:
// etcd, kube-apiserver, kube-controller-manager, kube-scheduler, kubectl and kwok.
//
// The versions are pinned by tools/controlplane/go.mod (+ go.sum) and
// tools/controlplane/kwok/go.mod (+ go.sum). Binaries go to
//   <repo>/.cache/controlplane/<hash of the pin files>/bin/
// and are rebuilt only when the pins (or this script's recipe) change.
//
// Usage: node tools/controlplane/build.mjs [--print-bin-dir] [--check] [--force]
//   --print-bin-dir  print the bin folder path (building first if needed) and nothing else on stdout
//   --check          build nothing: print the bin folder and exit 0 if it is complete, else exit 2
//   --force          rebuild even if the cache looks complete
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildCli, goVersion, logger, pinHash as goPinHash, seconds } from '../go-pins.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const repoRoot = path.resolve(here, '..', '..');

// Bump when the way the binaries are built changes (flags, names, ...).
const RECIPE = 'v5-multicall-kubectl-aligned-kwok-no-trimpath';
// The Kubernetes release, as pinned in go.mod; stamped into the binaries' version info.
const K8S_VERSION = (() => {
  const m = /^\s*k8s\.io\/kubernetes (v\d+\.\d+\.\d+)\b/m.exec(fs.readFileSync(path.join(here, 'go.mod'), 'utf8'));
  if (!m) throw new Error('tools/controlplane/go.mod does not require k8s.io/kubernetes');
  return m[1];
})();

// etcd and the Kubernetes servers are one multi-call binary (multicall/main.go),
// linked once; each server is a symlink to it. kubectl is its own binary (it is
// started for every call; see multicall/main.go), built by the same go command.
// kwok is its own module, so its own binary. See README.md ("Where the build time goes").
const MULTICALL = 'multicall';
export const SERVERS = ['etcd', 'kube-apiserver', 'kube-controller-manager', 'kube-scheduler'];
/** Each go command: a name for the log, its module folder, the packages (one binary each), and whether they get the Kubernetes version stamp. */
const BUILDS = [
  { name: 'multicall + kubectl', dir: here, pkgs: ['./multicall', 'k8s.io/kubernetes/cmd/kubectl'], k8s: true },
  { name: 'kwok', dir: path.join(here, 'kwok'), pkgs: ['sigs.k8s.io/kwok/cmd/kwok'], k8s: false },
];
export const BINARIES = [...SERVERS, 'kubectl', 'kwok'];

const PIN_FILES = ['go.mod', 'go.sum', 'kwok/go.mod', 'kwok/go.sum', 'multicall/main.go'];

export function pinHash() {
  return goPinHash(here, PIN_FILES, RECIPE);
}

export function binDir() {
  return path.join(repoRoot, '.cache', 'controlplane', pinHash(), 'bin');
}

function isComplete(dir) {
  return fs.existsSync(path.join(dir, '.complete')) && BINARIES.every((b) => fs.existsSync(path.join(dir, b)));
}

const log = logger('controlplane');

function k8sLdflags() {
  const [major, minor] = K8S_VERSION.replace(/^v/, '').split('.');
  const pkg = 'k8s.io/component-base/version';
  return [
    `-X ${pkg}.gitVersion=${K8S_VERSION}`,
    `-X ${pkg}.gitMajor=${major}`,
    `-X ${pkg}.gitMinor=${minor}`,
    `-X ${pkg}.gitTreeState=clean`,
    `-X ${pkg}.buildDate=1970-01-01T00:00:00Z`,
  ].join(' ');
}

// kwok has no built-in behaviour: it needs Stage objects. We take kwok's own
// upstream "fast" node/pod stages plus the lease heartbeat stage from the pinned
// kwok module, so node and pod lifecycles are upstream's, not hand-written.
const KWOK_STAGES = [
  'kustomize/stage/node/fast/node-initialize.yaml',
  'kustomize/stage/node/heartbeat-with-lease/node-heartbeat-with-lease.yaml',
  'kustomize/stage/pod/fast/pod-ready.yaml',
  'kustomize/stage/pod/fast/pod-complete.yaml',
  'kustomize/stage/pod/fast/pod-delete.yaml',
];
export const KWOK_STAGES_FILE = 'kwok-stages.yaml';

function writeKwokStages(dir) {
  const target = path.join(dir, KWOK_STAGES_FILE);
  if (fs.existsSync(target)) return;
  const r = spawnSync('go', ['list', '-m', '-f', '{{.Dir}}', 'sigs.k8s.io/kwok'], {
    cwd: path.join(here, 'kwok'),
    encoding: 'utf8',
    env: { ...process.env, GOFLAGS: '-mod=readonly' },
  });
  const modDir = r.stdout?.trim();
  if (r.status !== 0 || !modDir) throw new Error(`cannot locate the kwok module source: ${r.stderr}`);
  const docs = KWOK_STAGES.map((f) => fs.readFileSync(path.join(modDir, f), 'utf8').trim());
  fs.writeFileSync(`${target}.tmp-${process.pid}`, docs.join('\n---\n') + '\n');
  fs.renameSync(`${target}.tmp-${process.pid}`, target);
}


/** Runs go with the build environment; resolves to its exit code. */
function go(args, cwd, env) {
  return new Promise((resolve) => {
    const child = spawn('go', args, { cwd, env, stdio: ['ignore', 'inherit', 'inherit'] });
    child.on('error', () => resolve(-1));
    child.on('exit', (code) => resolve(code ?? -1));
  });
}

/**
 * Fetches every module both builds need, both modules at once: network-bound,
 * and timed apart from compiling. Instant when the module cache has them.
 */
async function download(env) {
  const t0 = Date.now();
  const codes = await Promise.all([go(['mod', 'download'], here, env), go(['mod', 'download'], path.join(here, 'kwok'), env)]);
  if (codes.some((c) => c !== 0)) throw new Error('go mod download failed (is the Go module proxy reachable?)');
  log(`modules downloaded/verified in ${seconds(t0)}`);
}

/**
 * The multi-call binary first, then kwok: kwok's module is aligned with the
 * Kubernetes build's versions (align-kwok.mjs), so by then all but ~70 of its
 * packages are in the build cache. (Built at the same time, both would compile
 * the packages they share, each for itself.)
 * LOCAL_HANDS_GO_TRACE=<dir> writes a `go build -debug-trace` per build there.
 */
async function compile(tmp, env) {
  const trace = process.env.LOCAL_HANDS_GO_TRACE;
  for (const b of BUILDS) {
    const t0 = Date.now();
    const ldflags = `-s -w${b.k8s ? ' ' + k8sLdflags() : ''}`;
    // No -trimpath: with it, a package's build cache key holds its module's
    // *selected* version (kwok selects x/sys v0.46 and replaces it by v0.40), so
    // kwok could reuse none of the packages it shares with multicall. These
    // binaries never leave this machine; local paths in them do no harm.
    // -o <folder>/: each package's binary lands there under its own name.
    const args = ['build', `-ldflags=${ldflags}`, '-o', `${tmp}${path.sep}`];
    if (trace) args.push(`-debug-trace=${path.join(path.resolve(trace), `${b.name.replace(/\W+/g, '-')}.trace.json`)}`);
    const code = await go([...args, ...b.pkgs], b.dir, env);
    if (code !== 0) throw new Error(`go build of ${b.name} failed (exit ${code})`);
    log(`${b.name} built in ${seconds(t0)}`);
  }
  for (const c of SERVERS) fs.symlinkSync(MULTICALL, path.join(tmp, c));
}

export async function build({ force = false } = {}) {
  const out = binDir();
  if (!force && isComplete(out)) {
    writeKwokStages(out);
    log(`up to date: ${out}`);
    return out;
  }
  log(goVersion('the control plane'));
  log(`building into ${out} (the first build compiles Kubernetes from source and takes a long time)`);
  const tmp = `${out}.tmp-${process.pid}`;
  fs.rmSync(tmp, { recursive: true, force: true });
  fs.mkdirSync(tmp, { recursive: true });
  const started = Date.now();
  const env = { ...process.env, CGO_ENABLED: '0', GOFLAGS: '-buildvcs=false -mod=readonly' };
  try {
    await download(env);
    await compile(tmp, env);
    writeKwokStages(tmp);
  } catch (e) {
    fs.rmSync(tmp, { recursive: true, force: true });
    throw e;
  }
  fs.writeFileSync(path.join(tmp, '.complete'), `${new Date().toISOString()}\n`);
  fs.mkdirSync(path.dirname(out), { recursive: true });
  if (!force && isComplete(out)) {
    // Another build finished first; keep theirs.
    fs.rmSync(tmp, { recursive: true, force: true });
    log(`another build completed ${out} first; using it`);
    return out;
  }
  fs.rmSync(out, { recursive: true, force: true });
  try {
    fs.renameSync(tmp, out);
  } catch (e) {
    // Another build finished first; keep theirs.
    fs.rmSync(tmp, { recursive: true, force: true });
    if (!isComplete(out)) throw e;
  }
  log(`built in ${seconds(started)} -> ${out}`);
  return out;
}

await buildCli(import.meta.url, {
  log,
  // Report only: the bin folder when it is complete (its kwok stages rewritten), else exit 2.
  built: () => {
    const out = binDir();
    if (!isComplete(out)) return undefined;
    writeKwokStages(out);
    return out;
  },
  build,
});
