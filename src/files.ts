import * as fs from 'fs';
import * as path from 'path';
import { parseAllDocuments } from 'yaml';

/** A folder's files (not recursive) by name, sorted, with their text; `{}` when the folder does not exist. */
export function readTree(dir: string): Record<string, string> {
  if (!fs.existsSync(dir)) return {};
  return Object.fromEntries(fs.readdirSync(dir).sort().map(f => [f, fs.readFileSync(path.join(dir, f), 'utf8')]));
}

/** Parses every YAML document of a string, skipping empty ones; the first syntax error is thrown. */
export function parseDocs(text: string): any[] {
  return parseAllDocuments(text).map(d => {
    if (d.errors.length > 0) throw d.errors[0];
    return d.toJS();
  }).filter(d => d != null);
}
