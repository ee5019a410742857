#!/usr/bin/env node
// Builds the verification control plane from pinned upstream Go sources:
// etcd, kube-apiserver, kube-controller-manager, kube-scheduler, kubectl and kwok.
//
// The versions are pinned by tools/controlplane/go.mod (+ go.sum) and
// tools/controlplane/kwok/go.mod (+ go.sum). Binaries go to
//   <repo>/.cache/controlplane/<hash of the pin files>/bin/
// and are rebuilt only when the pins (or this script's recipe) change.
//
// Usage: node tools/controlplane/build.mjs [--print-bin-dir] [--force]
//   --print-bin-dir  print the bin folder path (building first if needed) and nothing else on stdout
//   --check          build nothing: print the bin folder and exit 0 if it is complete, else exit 2
//   --force          rebuild even if the cache looks complete
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const repoRoot = path.resolve(here, '..', '..');

// Bump when the way the binaries are built changes (flags, names, ...).
const RECIPE = 'v1';
// The Kubernetes release, as pinned in go.mod; stamped into the binaries' version info.
const K8S_VERSION = (() => {
  const m = /^\s*k8s\.io\/kubernetes (v\d+\.\d+\.\d+)\b/m.exec(fs.readFileSync(path.join(here, 'go.mod'), 'utf8'));
  if (!m) throw new Error('tools/controlplane/go.mod does not require k8s.io/kubernetes');
  return m[1];
})();

/** name -> { module dir, package, extra ldflags } */
export const BINARIES = [
  { name: 'etcd', dir: here, pkg: 'go.etcd.io/etcd/server/v3' },
  { name: 'kube-apiserver', dir: here, pkg: 'k8s.io/kubernetes/cmd/kube-apiserver', k8s: true },
  { name: 'kube-controller-manager', dir: here, pkg: 'k8s.io/kubernetes/cmd/kube-controller-manager', k8s: true },
  { name: 'kube-scheduler', dir: here, pkg: 'k8s.io/kubernetes/cmd/kube-scheduler', k8s: true },
  { name: 'kubectl', dir: here, pkg: 'k8s.io/kubernetes/cmd/kubectl', k8s: true },
  { name: 'kwok', dir: path.join(here, 'kwok'), pkg: 'sigs.k8s.io/kwok/cmd/kwok' },
];

const PIN_FILES = ['go.mod', 'go.sum', 'kwok/go.mod', 'kwok/go.sum'];

export function pinHash() {
  const h = createHash('sha256');
  h.update(RECIPE + '\n');
  for (const f of PIN_FILES) {
    h.update(f + '\n');
    h.update(fs.readFileSync(path.join(here, f)));
  }
  return h.digest('hex').slice(0, 16);
}

export function binDir() {
  return path.join(repoRoot, '.cache', 'controlplane', pinHash(), 'bin');
}

function isComplete(dir) {
  return fs.existsSync(path.join(dir, '.complete')) && BINARIES.every((b) => fs.existsSync(path.join(dir, b.name)));
}

function log(msg) {
  process.stderr.write(`[controlplane:build] ${msg}\n`);
}

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

export function build({ force = false } = {}) {
  const out = binDir();
  if (!force && isComplete(out)) {
    writeKwokStages(out);
    log(`up to date: ${out}`);
    return out;
  }
  const goCheck = spawnSync('go', ['version'], { encoding: 'utf8' });
  if (goCheck.error || goCheck.status !== 0) {
    throw new Error('Go is required to build the control plane (go 1.26 or newer on PATH); `go version` failed.');
  }
  log(`${goCheck.stdout.trim()}`);
  log(`building into ${out} (the first build compiles Kubernetes from source and takes a long time)`);
  const tmp = `${out}.tmp-${process.pid}`;
  fs.rmSync(tmp, { recursive: true, force: true });
  fs.mkdirSync(tmp, { recursive: true });
  const started = Date.now();
  const env = { ...process.env, CGO_ENABLED: '0', GOFLAGS: '-buildvcs=false -mod=readonly' };
  let i = 0;
  for (const b of BINARIES) {
    i++;
    const t0 = Date.now();
    log(`[${i}/${BINARIES.length}] ${b.name} (${b.pkg}) ...`);
    const ldflags = `-s -w${b.k8s ? ' ' + k8sLdflags() : ''}`;
    const r = spawnSync('go', ['build', '-trimpath', `-ldflags=${ldflags}`, '-o', path.join(tmp, b.name), b.pkg], {
      cwd: b.dir,
      env,
      stdio: ['ignore', 'inherit', 'inherit'],
    });
    if (r.error || r.status !== 0) {
      fs.rmSync(tmp, { recursive: true, force: true });
      throw new Error(`go build of ${b.name} failed (exit ${r.status ?? r.error})`);
    }
    log(`[${i}/${BINARIES.length}] ${b.name} done in ${((Date.now() - t0) / 1000).toFixed(0)}s`);
  }
  writeKwokStages(tmp);
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
  log(`built ${BINARIES.length} binaries in ${((Date.now() - started) / 1000).toFixed(0)}s -> ${out}`);
  return out;
}

const isMain = process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url);
if (isMain) {
  const args = process.argv.slice(2);
  try {
    if (args.includes('--check')) {
      // Report only: exit 0 and print the bin folder if it is complete, else exit 2.
      const out = binDir();
      if (!isComplete(out)) process.exit(2);
      writeKwokStages(out);
      process.stdout.write(out + '\n');
      process.exit(0);
    }
    const out = build({ force: args.includes('--force') });
    if (args.includes('--print-bin-dir')) process.stdout.write(out + '\n');
  } catch (e) {
    log(`ERROR: ${e.message}`);
    process.exit(1);
  }
}
