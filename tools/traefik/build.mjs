#!/usr/bin/env node
// Builds Traefik (github.com/traefik/traefik/v3/cmd/traefik), the release the project renders
// (TRAEFIK_VERSION in constructs/traefik-gateway/traefik-chart.ts), from the Go module proxy, pinned by
// tools/traefik/go.mod (+ go.sum). The binary goes to
//   <repo>/.cache/traefik/<hash of the pin files and the recipe>/traefik
// and is rebuilt only when a pin (or the recipe below) changes. See README.md.
//
// The proxy does not serve every module Traefik needs, so go.mod replaces them by directories
// (./standins/..., ./assembled/...). Those are assembled in a work dir next to the binary
// (.cache/traefik/<hash>/src.tmp-<pid>/) from go.mod, go.sum, our stand-ins (standins/) and
// modules copied out of the module cache at build time (nothing third-party is committed):
//   standins/ext            our stand-in for github.com/traefik/traefik/dynamic/ext
//   assembled/go-http-auth  github.com/abbot/go-http-auth v0.4.0 + standins/go-http-auth/{go.mod,shim.go}
//   assembled/lego          only when LEGO.dropped names providers: github.com/go-acme/lego/v5
//                           without the DNS providers whose SDKs the proxy refuses
//
// Usage: node tools/traefik/build.mjs [--print-bin] [--check] [--force] [--tidy]
//   --print-bin  print the binary's path (building first if needed) and nothing else on stdout
//   --check      build nothing: print the path and exit 0 if it is built, else exit 2
//   --force      rebuild even if the binary is there
//   --tidy       (when bumping) run `go mod tidy` in an assembled work dir and write the resulting
//                go.mod and go.sum back to tools/traefik/; builds nothing
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildCli, goOrExplain as goOrExplainIn, goVersion, logger, pinHash as goPinHash, proxyRefusals, seconds } from '../go-pins.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const repoRoot = path.resolve(here, '..', '..');

const PKG = 'github.com/traefik/traefik/v3/cmd/traefik';
const VERSION_PKG = 'github.com/traefik/traefik/v3/pkg/version';

/** go-http-auth, copied out of the module cache (Traefik's pinned fork is refused; v0.4.0 is served). */
const GO_HTTP_AUTH = { path: 'github.com/abbot/go-http-auth', version: 'v0.4.0', sum: 'h1:QjmvZ5gSC7jm3Zg54DqWE/T5m1t2AfDu6QlXJT0EVT0=' };

/**
 * lego's DNS providers to leave out of the build, each with the SDK module the proxy refuses.
 * Empty for Traefik v3.7.11 (lego v5.3.1): every provider's SDK is served (measured), so lego comes
 * straight from the proxy. When a bump needs it (Traefik v3.7.13's lego: 14 SDKs refused), name the
 * providers here, set version and sum (`go mod download -json github.com/go-acme/lego/v5@<v>`) and add
 *   github.com/go-acme/lego/v5 => ./assembled/lego
 * to go.mod's replace block: lego is then copied out of the module cache without those providers'
 * folders, and their cases in lego's registry (providers/dns/zz_gen_dns_providers.go) return an error.
 */
const LEGO = {
  path: 'github.com/go-acme/lego/v5',
  version: 'v5.3.1',
  sum: 'h1:xYT4CLZecfsFYJ3G94Z3alJn6oBlUrGYJH5rpGfo5YE=',
  /** @type {Record<string, string>} provider folder under providers/dns -> the refused SDK module */
  dropped: {},
};
const legoCopied = Object.keys(LEGO.dropped).length > 0;

// Bump when the way the binary is built changes (flags, copies, edits, ...).
const RECIPE = [
  'v1 -trimpath -s -w version-stamp CGO_ENABLED=0',
  JSON.stringify(GO_HTTP_AUTH),
  legoCopied ? JSON.stringify(LEGO) : 'lego from the proxy',
].join('\n');

const PIN_FILES = [
  'go.mod',
  'go.sum',
  'standins/ext/go.mod',
  'standins/ext/ext.go',
  'standins/go-http-auth/go.mod',
  'standins/go-http-auth/shim.go',
];

const started = Date.now();

const log = logger('traefik');

/** The Traefik release go.mod pins (also the version stamped into the binary). */
export function traefikVersion() {
  const m = /^\s*github\.com\/traefik\/traefik\/v3 (v\d+\.\d+\.\d+)\b/m.exec(fs.readFileSync(path.join(here, 'go.mod'), 'utf8'));
  if (!m) throw new Error('tools/traefik/go.mod does not require github.com/traefik/traefik/v3');
  return m[1];
}

/** TRAEFIK_VERSION in constructs/traefik-gateway/traefik-chart.ts: the release the project renders. */
function renderedVersion() {
  const file = path.join(repoRoot, 'constructs', 'traefik-chart.ts');
  if (!fs.existsSync(file)) return undefined;
  return /\bTRAEFIK_VERSION = '(v[^']+)'/.exec(fs.readFileSync(file, 'utf8'))?.[1];
}

export function pinHash() {
  return goPinHash(here, PIN_FILES, RECIPE);
}

export function binaryPath() {
  return path.join(repoRoot, '.cache', 'traefik', pinHash(), 'traefik');
}

// GOWORK=off: no go.work (ours or a module's) may steer the build.
const goEnv = (goflags) => ({ ...process.env, GOWORK: 'off', CGO_ENABLED: '0', GOFLAGS: goflags });

/** What to do about a module the proxy refuses: add a stand-in. */
const REFUSAL_ADVICE = 'add a stand-in: a replace in tools/traefik/go.mod to a directory under tools/traefik/standins/ (for a lego DNS '
  + "provider's SDK: LEGO.dropped in build.mjs), see tools/traefik/README.md";

/** go, explaining the proxy's refusals. */
const goOrExplain = (args, cwd, env, what) => goOrExplainIn(args, { cwd, env, what, log, advice: REFUSAL_ADVICE });

/** Makes sure the modules we copy are in the module cache, at the pinned hashes; returns their folders. */
function downloadCopies(copies) {
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'traefik-build-'));
  let r;
  try {
    // Outside any module (an empty folder), so no go.mod steers it.
    const args = ['mod', 'download', '-json', ...Object.values(copies).map((c) => `${c.path}@${c.version}`)];
    r = spawnSync('go', args, { cwd: scratch, env: goEnv(''), encoding: 'utf8', maxBuffer: 1 << 24 });
  } finally {
    fs.rmSync(scratch, { recursive: true, force: true });
  }
  const infos = new Map();
  // `go mod download -json` prints one JSON object per module.
  for (const m of (r.stdout ?? '').matchAll(/^\{[\s\S]*?^\}/gm)) {
    const info = JSON.parse(m[0]);
    infos.set(`${info.Path}@${info.Version}`, info);
  }
  const dirs = {};
  for (const [key, c] of Object.entries(copies)) {
    const info = infos.get(`${c.path}@${c.version}`);
    if (!info || info.Error || !info.Dir) {
      for (const { mod, reason } of proxyRefusals(`${info?.Error ?? ''}\n${r.stderr ?? ''}`)) log(`the Go module proxy refused ${mod} (${reason}); ${REFUSAL_ADVICE}`);
      throw new Error(`go mod download ${c.path}@${c.version} failed: ${info?.Error ?? r.stderr ?? r.error}`);
    }
    if (info.Sum !== c.sum) throw new Error(`${c.path}@${c.version} has hash ${info.Sum}; build.mjs pins ${c.sum}`);
    dirs[key] = info.Dir;
  }
  return dirs;
}

/** The modules copied out of the module cache for this build. */
function copies() {
  const legoReplaced = /^\s*github\.com\/go-acme\/lego\/v5 => \.\/assembled\/lego\s*$/m.test(fs.readFileSync(path.join(here, 'go.mod'), 'utf8'));
  if (legoReplaced !== legoCopied) {
    throw new Error(
      legoCopied
        ? 'LEGO.dropped names providers but go.mod does not replace github.com/go-acme/lego/v5 => ./assembled/lego'
        : 'go.mod replaces github.com/go-acme/lego/v5 => ./assembled/lego but LEGO.dropped is empty',
    );
  }
  return legoCopied ? { goHttpAuth: GO_HTTP_AUTH, lego: LEGO } : { goHttpAuth: GO_HTTP_AUTH };
}

/** Copies a folder tree (module cache files are read-only; the copies are writable). */
function copyTree(from, to, skip = () => false) {
  fs.mkdirSync(to, { recursive: true });
  for (const e of fs.readdirSync(from, { withFileTypes: true })) {
    const src = path.join(from, e.name);
    const dst = path.join(to, e.name);
    if (skip(src, e)) continue;
    if (e.isDirectory()) copyTree(src, dst, skip);
    else if (e.isFile()) {
      fs.copyFileSync(src, dst);
      fs.chmodSync(dst, 0o644);
    }
  }
}

const isTest = (src, e) => e.isFile() && e.name.endsWith('_test.go');

/** go-http-auth v0.4.0 (which has no go.mod) + our go.mod and shim.go. */
function assembleGoHttpAuth(modDir, dst) {
  copyTree(modDir, dst, (src, e) => isTest(src, e) || (e.isDirectory() && e.name === 'examples'));
  for (const f of ['go.mod', 'shim.go']) fs.copyFileSync(path.join(here, 'standins', 'go-http-auth', f), path.join(dst, f));
}

/** lego without the dropped DNS providers, and its provider registry edited to match. */
function assembleLego(modDir, dst) {
  const dnsDir = path.join(modDir, 'providers', 'dns');
  const dropped = new Set(Object.keys(LEGO.dropped).map((p) => path.join(dnsDir, p)));
  copyTree(modDir, dst, (src, e) => isTest(src, e) || (e.isDirectory() && dropped.has(src)));

  const registry = path.join(dst, 'providers', 'dns', 'zz_gen_dns_providers.go');
  let text = fs.readFileSync(registry, 'utf8');
  for (const [p, sdk] of Object.entries(LEGO.dropped)) {
    const imp = new RegExp(`^\\t"github\\.com/go-acme/lego/v5/providers/dns/${p}"\\n`, 'm');
    // case "name"[, "alias"...]:\n\t\treturn <p>.NewDNSProvider()
    const call = new RegExp(`^(\\tcase [^\\n]*:\\n)\\t\\treturn ${p}\\.NewDNSProvider\\(\\)\\n`, 'm');
    if (!imp.test(text) || !call.test(text)) {
      throw new Error(`lego's provider registry no longer imports or calls providers/dns/${p} as expected; update LEGO.dropped`);
    }
    text = text
      .replace(imp, '')
      .replace(
        call,
        `$1\t\treturn nil, fmt.Errorf("DNS provider %q is not in this build: its SDK (${sdk}) is not served by the Go module proxy", name)\n`,
      );
  }
  if (!/^func NewDNSChallengeProviderByName\(name string\)/m.test(text)) {
    throw new Error("lego's provider registry has no NewDNSChallengeProviderByName(name string); update assembleLego");
  }
  fs.writeFileSync(registry, text);
}

/** The work dir go.mod's replace paths point into. */
function assemble(work, dirs) {
  fs.rmSync(work, { recursive: true, force: true });
  fs.mkdirSync(work, { recursive: true });
  for (const f of ['go.mod', 'go.sum']) {
    if (fs.existsSync(path.join(here, f))) fs.copyFileSync(path.join(here, f), path.join(work, f));
  }
  copyTree(path.join(here, 'standins', 'ext'), path.join(work, 'standins', 'ext'));
  assembleGoHttpAuth(dirs.goHttpAuth, path.join(work, 'assembled', 'go-http-auth'));
  if (dirs.lego) assembleLego(dirs.lego, path.join(work, 'assembled', 'lego'));
}

/** -X flags as Traefik's own Makefile and goreleaser set them. `mod` is `go list -m -json` of Traefik. */
function ldflags(mod, version) {
  const flags = ['-s', '-w', `-X ${VERSION_PKG}.Version=${version}`];
  // The release codename is set in the release workflow the module carries.
  const wf = path.join(mod.Dir, '.github', 'workflows', 'release.yaml');
  const codename = fs.existsSync(wf) && /^\s*CODENAME:\s*([\w-]+)\s*$/m.exec(fs.readFileSync(wf, 'utf8'));
  if (codename) flags.push(`-X ${VERSION_PKG}.Codename=${codename[1]}`);
  // The build date: the release's own time, as the proxy records it (so the build is reproducible).
  if (mod.Time) flags.push(`-X ${VERSION_PKG}.BuildDate=${mod.Time}`);
  return flags.join(' ');
}

export async function build({ force = false } = {}) {
  const bin = binaryPath();
  if (!force && fs.existsSync(bin)) {
    log(`up to date: ${bin}`);
    return bin;
  }
  const version = traefikVersion();
  const rendered = renderedVersion();
  if (rendered && rendered !== version) {
    log(`WARNING: go.mod pins Traefik ${version} but constructs/traefik-gateway/traefik-chart.ts renders ${rendered} (TRAEFIK_VERSION)`);
  }
  log(goVersion('Traefik'));
  log(`building ${PKG}@${version} into ${bin} (cold: ~9 min on 2 cores, ~15 min CPU, 3.2 GB; warm: ~15 s)`);
  const outDir = path.dirname(bin);
  fs.mkdirSync(outDir, { recursive: true });
  const work = path.join(outDir, `src.tmp-${process.pid}`);
  const tmpBin = `${bin}.tmp-${process.pid}`;
  const env = goEnv('-buildvcs=false -mod=readonly');
  let ok = false;
  try {
    let t0 = Date.now();
    const toCopy = copies();
    const dirs = downloadCopies(toCopy);
    log(`copied modules (${Object.values(toCopy).map((c) => `${c.path}@${c.version}`).join(', ')}) downloaded/verified in ${seconds(t0)}`);

    t0 = Date.now();
    assemble(work, dirs);
    log(`work dir assembled in ${seconds(t0)}${dirs.lego ? ` (lego copied without ${Object.keys(LEGO.dropped).length} DNS providers)` : ''}: ${work}`);

    t0 = Date.now();
    await goOrExplain(['mod', 'download'], work, env, 'go mod download');
    log(`modules downloaded/verified in ${seconds(t0)}`);

    const listed = spawnSync('go', ['list', '-m', '-json', 'github.com/traefik/traefik/v3'], { cwd: work, env, encoding: 'utf8' });
    if (listed.status !== 0) throw new Error(`go list -m github.com/traefik/traefik/v3 failed: ${listed.stderr}`);
    const traefikMod = JSON.parse(listed.stdout);

    t0 = Date.now();
    await goOrExplain(['build', '-trimpath', `-ldflags=${ldflags(traefikMod, version)}`, '-o', tmpBin, PKG], work, env, 'go build of traefik');
    log(`compiled in ${seconds(t0)}`);

    const v = spawnSync(tmpBin, ['version'], { encoding: 'utf8' });
    if (v.status !== 0 || !new RegExp(`^Version:\\s+${version.replace(/\./g, '\\.')}$`, 'm').test(v.stdout)) {
      throw new Error(`the built binary's \`traefik version\` does not report ${version}:\n${v.stdout}${v.stderr}`);
    }
    log(`\`traefik version\` reports ${version}`);
    fs.renameSync(tmpBin, bin);
    ok = true;
  } finally {
    fs.rmSync(tmpBin, { force: true });
    if (ok) fs.rmSync(work, { recursive: true, force: true });
    else if (fs.existsSync(work)) log(`work dir kept for inspection (delete it when done): ${work}`);
  }
  log(`built in ${seconds(started)} -> ${bin}`);
  return bin;
}

/** For bumps: `go mod tidy` in an assembled work dir; go.mod and go.sum are copied back. */
export async function tidy() {
  log(goVersion('Traefik'));
  const work = path.join(repoRoot, '.cache', 'traefik', `tidy.tmp-${process.pid}`);
  try {
    assemble(work, downloadCopies(copies()));
    const t0 = Date.now();
    await goOrExplain(['mod', 'tidy'], work, goEnv('-buildvcs=false -mod=mod'), 'go mod tidy');
    log(`go mod tidy in ${seconds(t0)}`);
    for (const f of ['go.mod', 'go.sum']) fs.copyFileSync(path.join(work, f), path.join(here, f));
    log('tools/traefik/go.mod and go.sum updated');
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
}

await buildCli(import.meta.url, {
  log,
  built: () => (fs.existsSync(binaryPath()) ? binaryPath() : undefined),
  build,
  extra: { '--tidy': tidy },
});
