/**
 * Before the unit tests: `dist/` and `kind/` must hold the default profile's output, which many tests compare with
 * upstream. After `npm run synth -- --profile gateway` they hold another profile's, and every such test would fail
 * with a large object diff; this says so once, in one line, with what to run.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { PROFILES, ProfileName, exampleBuild } from '../app/profiles';
import { synthToDir } from '../app/synth';

const ROOT = path.resolve(__dirname, '..');

/** The files and KIND config a profile writes. */
function outputOf(name: ProfileName): { files: string[]; kind?: string } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lh-profile-check-'));
  try {
    synthToDir(exampleBuild(name), path.join(dir, 'dist'), path.join(dir, 'kind'));
    const kind = path.join(dir, 'kind', 'cluster.yaml');
    return { files: fs.readdirSync(path.join(dir, 'dist')).filter(f => f.endsWith('.yaml')).sort(), kind: fs.existsSync(kind) ? fs.readFileSync(kind, 'utf8') : undefined };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

export default function setup(): void {
  checkOutputFolders(ROOT);
}

/** Throws one line when `root`'s dist/ and kind/ hold another profile's output than the default one's. */
export function checkOutputFolders(root: string): void {
  const dist = path.join(root, 'dist');
  const files = fs.existsSync(dist) ? fs.readdirSync(dist).filter(f => f.endsWith('.yaml')).sort() : [];
  const kindFile = path.join(root, 'kind', 'cluster.yaml');
  const kind = fs.existsSync(kindFile) ? fs.readFileSync(kindFile, 'utf8') : undefined;
  const own = outputOf('default');
  if (JSON.stringify(files) === JSON.stringify(own.files) && kind === own.kind) return;
  for (const name of Object.keys(PROFILES) as ProfileName[]) {
    if (name === 'default') continue;
    const other = outputOf(name);
    const sameFiles = JSON.stringify(files) === JSON.stringify(other.files);
    if (sameFiles || (other.kind !== undefined && kind === other.kind)) {
      throw new Error(`dist/ and kind/ hold the ${name} profile's output, but the tests compare them with the default profile's: `
        + 'run `npm run synth` (no --profile) to restore them, or `git checkout -- dist kind`; write other profiles elsewhere with '
        + '`CDK8S_OUTDIR=out/dist LOCAL_HANDS_KIND_DIR=out/kind npm run synth -- --profile NAME`');
    }
  }
}
