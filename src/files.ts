import * as fs from 'fs';
import * as path from 'path';

/** A folder's files (not recursive) by name, sorted, with their text; `{}` when the folder does not exist. */
export function readTree(dir: string): Record<string, string> {
  if (!fs.existsSync(dir)) return {};
  return Object.fromEntries(fs.readdirSync(dir).sort().map(f => [f, fs.readFileSync(path.join(dir, f), 'utf8')]));
}
