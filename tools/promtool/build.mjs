#!/usr/bin/env node
// Builds promtool (Prometheus' rule checker and rule unit tester) from the Go module proxy,
// pinned by tools/promtool/go.mod (+ go.sum). The binary goes to
//   <repo>/.cache/promtool/<hash of the pin files>/promtool
// and is rebuilt only when the pins (or this script's recipe) change.
//
// Usage: node tools/promtool/build.mjs [--print-path] [--check] [--force]
//   --print-path  print the binary's path (building first if needed) and nothing else on stdout
//   --check       build nothing: print the path and exit 0 if it is built, else exit 2
//   --force       rebuild even if the cached binary is there
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildCli, goVersion, logger, pinHash as goPinHash } from '../go-pins.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const repoRoot = path.resolve(here, '..', '..');

// Bump when the way the binary is built changes (flags, name, ...).
const RECIPE = 'v1';
const PIN_FILES = ['go.mod', 'go.sum'];
const PKG = 'github.com/prometheus/prometheus/cmd/promtool';

/** The Prometheus module version go.mod pins, stamped into `promtool --version`. */
export function prometheusVersion() {
  const m = /^\s*github\.com\/prometheus\/prometheus (v\d+\.\d+\.\d+)\b/m.exec(fs.readFileSync(path.join(here, 'go.mod'), 'utf8'));
  if (!m) throw new Error('tools/promtool/go.mod does not require github.com/prometheus/prometheus');
  return m[1];
}

export function pinHash() {
  return goPinHash(here, PIN_FILES, RECIPE);
}

export function binaryPath() {
  return path.join(repoRoot, '.cache', 'promtool', pinHash(), 'promtool');
}

function isBuilt(bin) {
  return fs.existsSync(bin) && fs.existsSync(path.join(path.dirname(bin), '.complete'));
}

const log = logger('promtool');

function ldflags() {
  const pkg = 'github.com/prometheus/common/version';
  return `-s -w -X ${pkg}.Version=${prometheusVersion().replace(/^v/, '')} -X ${pkg}.Revision=${prometheusVersion()} -X ${pkg}.BuildDate=19700101-00:00:00`;
}

export function build({ force = false } = {}) {
  const bin = binaryPath();
  if (!force && isBuilt(bin)) {
    log(`up to date: ${bin}`);
    return bin;
  }
  log(goVersion('promtool'));
  log(`building ${PKG}@${prometheusVersion()} into ${bin}`);
  const out = path.dirname(bin);
  const tmp = `${out}.tmp-${process.pid}`;
  fs.rmSync(tmp, { recursive: true, force: true });
  fs.mkdirSync(tmp, { recursive: true });
  const started = Date.now();
  // The Prometheus module ships a go.work for its own development; it must not steer our build.
  const env = { ...process.env, GOWORK: 'off', CGO_ENABLED: '0', GOFLAGS: '-buildvcs=false -mod=readonly' };
  const r = spawnSync('go', ['build', '-trimpath', `-ldflags=${ldflags()}`, '-o', path.join(tmp, 'promtool'), PKG], {
    cwd: here,
    env,
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  if (r.error || r.status !== 0) {
    fs.rmSync(tmp, { recursive: true, force: true });
    throw new Error(`go build of promtool failed (exit ${r.status ?? r.error})`);
  }
  fs.writeFileSync(path.join(tmp, '.complete'), `${new Date().toISOString()}\n`);
  fs.mkdirSync(path.dirname(out), { recursive: true });
  if (!force && isBuilt(bin)) {
    // Another build finished first; keep theirs.
    fs.rmSync(tmp, { recursive: true, force: true });
    return bin;
  }
  fs.rmSync(out, { recursive: true, force: true });
  try {
    fs.renameSync(tmp, out);
  } catch (e) {
    fs.rmSync(tmp, { recursive: true, force: true });
    if (!isBuilt(bin)) throw e;
  }
  log(`built in ${((Date.now() - started) / 1000).toFixed(0)}s -> ${bin}`);
  return bin;
}

await buildCli(import.meta.url, {
  log,
  built: () => (isBuilt(binaryPath()) ? binaryPath() : undefined),
  build,
});
