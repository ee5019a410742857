// What the Go tool builds (control plane, promtool, cyclonus, Traefik, the conformance suite) share: a build is
// cached under <repo>/.cache/<tool>/<hash of its pin files>/ and rebuilt only when a pinned file (or the recipe)
// changes; progress lines name the tool; every script takes the same command line.
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

/** 16 hex digits over the recipe (when given) and each pin file's name and bytes, in order. */
export function pinHash(dir, files, recipe) {
  const h = createHash('sha256');
  if (recipe !== undefined) h.update(recipe + '\n');
  for (const f of files) {
    h.update(f + '\n');
    h.update(fs.readFileSync(path.join(dir, f)));
  }
  return h.digest('hex').slice(0, 16);
}

/** A progress line writer for `tool`: `[tool:build] message` on stderr. */
export function logger(tool) {
  return msg => process.stderr.write(`[${tool}:build] ${msg}\n`);
}

/** Seconds since `since` (a Date.now()), for progress lines. */
export function seconds(since) {
  return `${((Date.now() - since) / 1000).toFixed(1)}s`;
}

/**
 * The command line of a build script, when `moduleUrl` is the script node runs: `--check` prints what `built()`
 * finds (undefined: exit 2, nothing built); otherwise `build({ force })` (`--force` rebuilds), whose result a
 * `--print-...` flag prints; `extra` maps other flags to their own action. An error is one line, exit 1.
 */
export async function buildCli(moduleUrl, { log, built, build, extra = {} }) {
  if (!process.argv[1] || path.resolve(process.argv[1]) !== fileURLToPath(moduleUrl)) return;
  const args = process.argv.slice(2);
  try {
    const own = Object.keys(extra).find(flag => args.includes(flag));
    if (own !== undefined) return void (await extra[own]());
    if (args.includes('--check')) {
      const found = built();
      if (found === undefined) process.exit(2);
      return void process.stdout.write(`${found}\n`);
    }
    const result = await build({ force: args.includes('--force') });
    if (args.some(a => a.startsWith('--print-'))) process.stdout.write(`${result}\n`);
  } catch (e) {
    log(`ERROR: ${e.message}`);
    process.exit(1);
  }
}

/** `go version`'s line, or an error naming what needs Go (`what`: "Traefik", "the control plane", ...). */
export function goVersion(what) {
  const r = spawnSync('go', ['version'], { encoding: 'utf8' });
  if (r.error || r.status !== 0) throw new Error(`Go is required to build ${what} (go 1.26 or newer on PATH); \`go version\` failed.`);
  return r.stdout.trim();
}

/**
 * Runs go, its stdout and stderr both copied to our stderr (stdout is for a script's --print-... flag); resolves to
 * { code, output } with the output's last 1 MiB for diagnosis.
 */
export function runGo(args, cwd, env) {
  return new Promise((resolve) => {
    const child = spawn('go', args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    const keep = (chunk) => {
      process.stderr.write(chunk);
      output = (output + chunk.toString('utf8')).slice(-(1 << 20));
    };
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    child.on('error', (e) => resolve({ code: -1, output: String(e) }));
    child.on('close', (code) => resolve({ code: code ?? -1, output }));
  });
}

/**
 * Each module the Go module proxy (or the checksum database) refused, with the reason, found in go's output, e.g.
 *   go: example.com/m@v1.2.3: reading https://proxy.golang.org/example.com/m/@v/v1.2.3.info: 403 Forbidden
 *   	server response: This module version is not available.
 */
export function proxyRefusals(output) {
  const found = new Map();
  for (const line of output.split('\n')) {
    const reason = /403 Forbidden|410 Gone|404 Not Found|not available|verifying module|checksum mismatch|\bnot found\b/i.exec(line);
    if (!reason) continue;
    const mod =
      /([a-z0-9][a-z0-9.-]*\.[a-z]{2,}(?:\/[^\s@:]+)*@v\d[^\s:,/]*)/i.exec(line)?.[1] ??
      /\bmodule ([a-z0-9][a-z0-9.-]*\.[a-z]{2,}(?:\/[^\s@:]+)*)/i.exec(line)?.[1];
    if (mod && !found.has(mod)) found.set(mod, reason[0]);
  }
  return [...found].map(([mod, reason]) => ({ mod, reason }));
}

/**
 * `runGo`, failing with `what` when go does; first logs a line per module the proxy refused, with `advice` (what
 * the tool's reader can do about it).
 */
export async function goOrExplain(args, { cwd, env, what, log, advice }) {
  const r = await runGo(args, cwd, env);
  if (r.code === 0) return r;
  for (const { mod, reason } of proxyRefusals(r.output)) log(`the Go module proxy refused ${mod} (${reason}); ${advice}`);
  throw new Error(`${what} failed (exit ${r.code})`);
}
