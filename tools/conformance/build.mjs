#!/usr/bin/env node
// Builds the Gateway API conformance suite (sigs.k8s.io/gateway-api/conformance), pinned by tools/conformance/go.mod
// (+ go.sum) to the release whose CRDs the project vendors, as a test binary (`go test -c` of conformance_test.go,
// which is upstream's own TestConformance) into
//   <repo>/.cache/conformance/<hash of the pin files and the recipe>/conformance.test
// and rebuilds it only when a pin (or the recipe below) changes. See README.md.
//
// Usage: node tools/conformance/build.mjs [--print-path] [--check] [--force]
//   --print-path  print the binary's path (building first if needed) and nothing else on stdout
//   --check       build nothing: print the path and exit 0 if it is built, else exit 2
//   --force       rebuild even if the cached binary is there
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildCli, goOrExplain, goVersion, logger, pinHash as goPinHash, seconds } from '../go-pins.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const repoRoot = path.resolve(here, '..', '..');

// Bump when the way the binary is built changes (flags, files, ...).
const RECIPE = 'v1 go test -c -trimpath -ldflags=-s-w CGO_ENABLED=0';
const PIN_FILES = ['go.mod', 'go.sum', 'doc.go', 'conformance_test.go'];
const MODULE = 'sigs.k8s.io/gateway-api/conformance';

const started = Date.now();

const log = logger('conformance');

/** The conformance module's version go.mod pins (the Gateway API module is required at the same one). */
export function gatewayApiVersion() {
  const text = fs.readFileSync(path.join(here, 'go.mod'), 'utf8');
  // A line of a require block, or a one-line `require MODULE VERSION`.
  const conf = /^(?:require)?\s*sigs\.k8s\.io\/gateway-api\/conformance (v\d+\.\d+\.\d+)\b/m.exec(text)?.[1];
  const api = /^(?:require)?\s*sigs\.k8s\.io\/gateway-api (v\d+\.\d+\.\d+)\b/m.exec(text)?.[1];
  if (!conf || !api) throw new Error('tools/conformance/go.mod must require sigs.k8s.io/gateway-api and sigs.k8s.io/gateway-api/conformance');
  if (conf !== api) throw new Error(`tools/conformance/go.mod requires gateway-api ${api} but its conformance suite at ${conf}; pin both to one release`);
  return conf;
}

/** The Gateway API release of the vendored CRDs (gateway-api-crds-data.ts, wherever under constructs/ it lives). */
function vendoredVersion() {
  const find = (dir) => {
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) {
        const found = find(p);
        if (found) return found;
      } else if (e.name === 'gateway-api-crds-data.ts') return p;
    }
    return undefined;
  };
  const file = fs.existsSync(path.join(repoRoot, 'constructs')) ? find(path.join(repoRoot, 'constructs')) : undefined;
  return file && /kubernetes-sigs\/gateway-api (v\d+\.\d+\.\d+)/.exec(fs.readFileSync(file, 'utf8'))?.[1];
}

export function pinHash() {
  return goPinHash(here, PIN_FILES, RECIPE);
}

export function binaryPath() {
  return path.join(repoRoot, '.cache', 'conformance', pinHash(), 'conformance.test');
}

/** go in this folder with the build environment, explaining the proxy's refusals. */
function go(args, what) {
  // GOWORK=off: the Gateway API module ships a go.work for its own development; it must not steer our build.
  const env = { ...process.env, GOWORK: 'off', CGO_ENABLED: '0', GOFLAGS: '-buildvcs=false -mod=readonly' };
  return goOrExplain(args, {
    cwd: here, env, what, log, advice: 'the suite cannot be built from the proxy at this pin; see tools/conformance/README.md',
  });
}

export async function build({ force = false } = {}) {
  const bin = binaryPath();
  if (!force && fs.existsSync(bin)) {
    log(`up to date: ${bin}`);
    return bin;
  }
  const version = gatewayApiVersion();
  const vendored = vendoredVersion();
  if (vendored && vendored !== version) {
    log(`WARNING: go.mod pins the conformance suite ${version} but the project vendors the Gateway API CRDs of ${vendored}`);
  }
  log(goVersion('the conformance suite'));
  log(`building ${MODULE}@${version} (go test -c) into ${bin} (cold: about 2.5 min on 2 cores; with a warm Go build cache: about 11 s)`);
  fs.mkdirSync(path.dirname(bin), { recursive: true });
  const tmp = `${bin}.tmp-${process.pid}`;
  try {
    let t0 = Date.now();
    await go(['mod', 'download'], 'go mod download');
    log(`modules downloaded/verified in ${seconds(t0)}`);
    t0 = Date.now();
    await go(['test', '-c', '-trimpath', '-ldflags=-s -w', '-o', tmp, '.'], 'go test -c of the conformance suite');
    log(`compiled in ${seconds(t0)}`);
    const listed = spawnSync(tmp, ['-test.list', '.'], { encoding: 'utf8' });
    if (listed.status !== 0 || !/^TestConformance$/m.test(listed.stdout)) {
      throw new Error(`the built binary does not list TestConformance:\n${listed.stdout}${listed.stderr}`);
    }
    fs.renameSync(tmp, bin);
  } finally {
    fs.rmSync(tmp, { force: true });
  }
  log(`built in ${seconds(started)} -> ${bin}`);
  return bin;
}

await buildCli(import.meta.url, {
  log,
  built: () => (fs.existsSync(binaryPath()) ? binaryPath() : undefined),
  build,
});
