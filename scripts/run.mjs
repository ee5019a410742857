#!/usr/bin/env node
// Runs a TypeScript entry point of this project without compiling it on every run.
//
//   node scripts/run.mjs <entry.ts> [args...]
//
// The entry is bundled by esbuild into .build/<entry>.cjs together with a manifest of every input
// file and its content hash. A run re-hashes the inputs; if any changed (or the manifest, the bundle
// or esbuild's version is missing or different) it rebuilds first, so running stale JavaScript is
// impossible. The check costs a few milliseconds; esbuild itself is only loaded to rebuild.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);

/** Bump when the bundle options below change, so old bundles are rebuilt. */
const RECIPE = 'cjs-node20-bundle-v1';

export function bundlePaths(entry) {
  const abs = resolve(root, entry);
  const key = relative(root, abs).replace(/\.ts$/, '').replace(/[\\/]/g, '__');
  const dir = join(root, '.build');
  return { abs, dir, out: join(dir, `${key}.cjs`), manifest: join(dir, `${key}.inputs.json`) };
}

function hashFile(file) {
  return createHash('sha1').update(readFileSync(file)).digest('hex');
}

/** Returns why the bundle must be rebuilt, or undefined when it is fresh. */
export function staleReason(entry) {
  const { out, manifest } = bundlePaths(entry);
  if (!existsSync(out) || !existsSync(manifest)) return 'no bundle yet';
  let m;
  try {
    m = JSON.parse(readFileSync(manifest, 'utf8'));
  } catch {
    return 'unreadable manifest';
  }
  if (m.recipe !== RECIPE) return 'bundle recipe changed';
  if (m.esbuild !== esbuildVersion()) return 'esbuild version changed';
  for (const [file, hash] of Object.entries(m.inputs)) {
    const abs = join(root, file);
    if (!existsSync(abs)) return `${file} was removed`;
    if (hashFile(abs) !== hash) return `${file} changed`;
  }
  return undefined;
}

function esbuildVersion() {
  return JSON.parse(readFileSync(require.resolve('esbuild/package.json'), 'utf8')).version;
}

export async function build(entry) {
  const { abs, dir, out, manifest } = bundlePaths(entry);
  const esbuild = await import('esbuild');
  mkdirSync(dir, { recursive: true });
  const tmp = `${out}.${process.pid}.tmp`;
  const result = await esbuild.build({
    entryPoints: [abs],
    outfile: tmp,
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    packages: 'external',
    sourcemap: 'inline',
    sourcesContent: false,
    metafile: true,
    logLevel: 'error',
    absWorkingDir: root,
  });
  const inputs = {};
  for (const file of Object.keys(result.metafile.inputs).sort()) inputs[file] = hashFile(join(root, file));
  // The bundle is renamed into place before the manifest that vouches for it, each atomically, so a
  // concurrent or interrupted run never pairs a manifest with another bundle.
  renameSync(tmp, out);
  writeFileSync(`${manifest}.${process.pid}.tmp`, `${JSON.stringify({ recipe: RECIPE, esbuild: esbuildVersion(), inputs }, null, 1)}\n`);
  renameSync(`${manifest}.${process.pid}.tmp`, manifest);
  return out;
}

/** Makes sure the entry's bundle is fresh and returns its path. */
export async function ensureBundle(entry) {
  const reason = staleReason(entry);
  if (reason !== undefined) {
    if (process.env.LOCAL_HANDS_QUIET_BUILD !== '1') process.stderr.write(`local-hands: bundling ${entry} (${reason})\n`);
    await build(entry);
  }
  return bundlePaths(entry).out;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const [entry, ...args] = process.argv.slice(2);
  if (!entry) {
    process.stderr.write('usage: node scripts/run.mjs <entry.ts> [args...]\n');
    process.exit(2);
  }
  const out = await ensureBundle(entry);
  process.argv = [process.argv[0], out, ...args];
  require(out);
}
