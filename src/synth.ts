import * as fs from 'fs';
import * as path from 'path';
import { App } from 'cdk8s';
import { LocalHandsValidationError } from './validation';

/**
 * Synthesizes an app into `outdir` so that it is never left half-written: the app is built (all
 * props validated) and written into a sibling temporary folder, which then replaces `outdir`.
 * Returns the files written, relative to `outdir`, sorted.
 */
export function synthToDir(build: (app: App) => void, outdir: string): string[] {
  const target = path.resolve(outdir);
  const parent = path.dirname(target);
  const tmp = path.join(parent, `.${path.basename(target)}.tmp-${process.pid}`);
  const old = path.join(parent, `.${path.basename(target)}.old-${process.pid}`);
  fs.rmSync(tmp, { recursive: true, force: true });
  try {
    const app = new App({ outdir: tmp });
    build(app);
    app.synth();
  } catch (e) {
    fs.rmSync(tmp, { recursive: true, force: true });
    throw e;
  }
  fs.mkdirSync(parent, { recursive: true });
  if (fs.existsSync(target)) fs.renameSync(target, old);
  fs.renameSync(tmp, target);
  fs.rmSync(old, { recursive: true, force: true });
  return fs.readdirSync(target).sort();
}

/**
 * The entry point of a synth process: runs `synthToDir` into `CDK8S_OUTDIR` (set by `cdk8s synth`)
 * or `dist`, and turns a validation error into one clear message and exit code 1.
 */
export function runSynth(build: (app: App) => void): void {
  const outdir = process.env.CDK8S_OUTDIR ?? 'dist';
  try {
    synthToDir(build, outdir);
  } catch (e) {
    if (e instanceof LocalHandsValidationError) {
      process.stderr.write(`local-hands: synth failed, nothing written to ${outdir}/\n${e.message}\n`);
      process.exitCode = 1;
      return;
    }
    throw e;
  }
}
