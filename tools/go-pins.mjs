// What the Go tool builds (control plane, promtool, cyclonus) share: a build is cached under
// <repo>/.cache/<tool>/<hash of its pin files>/ and rebuilt only when a pinned file (or the recipe) changes.
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';

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
