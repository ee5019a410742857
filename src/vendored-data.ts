import * as fs from 'fs';
import * as path from 'path';

let folder: string | undefined;

/**
 * The path of a data file vendored in `constructs/vendored/`. Big data (CRDs) is read from there at run time
 * instead of being compiled in: a synth bundle that never uses it then neither loads nor re-checks megabytes of
 * source. Found by walking up from this module, which sits in `src/` of the project, `lib/src/` of the built
 * package, or `.build/` of the launcher's bundle.
 */
export function vendoredFile(name: string): string {
  if (folder === undefined) {
    for (let dir = __dirname; ; dir = path.dirname(dir)) {
      const candidate = path.join(dir, 'constructs', 'vendored');
      if (fs.existsSync(candidate)) { folder = candidate; break; }
      if (path.dirname(dir) === dir) throw new Error(`local-hands: no constructs/vendored/ folder above ${__dirname}`);
    }
  }
  return path.join(folder, name);
}
