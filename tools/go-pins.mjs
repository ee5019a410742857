// What the Go tool builds (control plane, promtool, cyclonus, Traefik, the conformance suite) share: a build is
// cached under <repo>/.cache/<tool>/<hash of its pin files>/ and rebuilt only when a pinned file (or the recipe)
// changes; progress lines name the tool; every script takes the same command line.
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
