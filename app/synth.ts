import * as fs from 'fs';
import * as path from 'path';
import { App, Chart, Names, YamlOutputType } from 'cdk8s';
import { IConstruct } from 'constructs';
import { KindCluster } from '../constructs/kind-cluster';
import { stringifyManifests } from '../src/fast-yaml';
import { LocalHandsValidationError } from '../src/validation';

/**
 * Synthesizes an app into `outdir` so that it is never left half-written: the app is built (all
 * props validated) and written into a sibling temporary folder, which then replaces `outdir`.
 * With `kindDir`, each `KindCluster` in the app is written there too (file by file, atomically).
 * Returns the files written, `outdir`'s then `kindDir`'s, as paths relative to the working directory.
 */
export function synthToDir(build: (app: App) => void, outdir: string, kindDir?: string): string[] {
  const target = path.resolve(outdir);
  const parent = path.dirname(target);
  const tmp = path.join(parent, `.${path.basename(target)}.tmp-${process.pid}`);
  const old = path.join(parent, `.${path.basename(target)}.old-${process.pid}`);
  fs.rmSync(tmp, { recursive: true, force: true });
  let app: App;
  let clusters: KindCluster[];
  try {
    app = new App({ outdir: tmp });
    build(app);
    const all = app.node.findAll();
    clusters = all.filter((c): c is KindCluster => c instanceof KindCluster);
    const seen = new Map<string, string>();
    for (const c of clusters) {
      const other = seen.get(c.fileName);
      if (other) throw new LocalHandsValidationError(`KindCluster '${c.node.id}' (${c.node.path})`, [`fileName must be unique, got "${c.fileName}", which ${other} also writes`]);
      seen.set(c.fileName, c.node.path);
    }
    writeCharts(app, all);
  } catch (e) {
    fs.rmSync(tmp, { recursive: true, force: true });
    throw e;
  }
  fs.mkdirSync(parent, { recursive: true });
  if (fs.existsSync(target)) fs.renameSync(target, old);
  fs.renameSync(tmp, target);
  fs.rmSync(old, { recursive: true, force: true });
  const written = fs.readdirSync(target).sort().map(f => path.join(outdir, f));
  if (kindDir !== undefined) {
    for (const cluster of clusters) {
      const file = path.join(kindDir, cluster.fileName);
      writeFileAtomic(file, cluster.toYaml());
      written.push(file);
    }
  }
  return written;
}

/**
 * What `app.synth()` does for the common case (a file per chart, no dependencies between constructs, no
 * nested charts, no construct metadata), with the YAML written by `stringifyManifests`: the same bytes,
 * several times faster. Any other app goes through `app.synth()` itself.
 */
export function writeCharts(app: App, all = app.node.findAll()): void {
  const simple = app.yamlOutputType === YamlOutputType.FILE_PER_CHART
    && !(app as unknown as { recordConstructMetadata: boolean }).recordConstructMetadata
    && all.every(c => c.node.dependencies.length === 0 && !(c instanceof Chart && c.node.children.some(x => x instanceof Chart)));
  if (!simple) {
    validateApp(all);
    app.synth();
    return;
  }
  validateApp(all);
  fs.mkdirSync(app.outdir, { recursive: true });
  for (const chart of app.charts) {
    const file = path.join(app.outdir, `${Names.toDnsLabel(chart)}${app.outputFileExtension}`);
    fs.writeFileSync(file, stringifyManifests(Object.values(chart.toJson())));
  }
}

/**
 * Runs every construct's validations (cdk8s's, ours: colliding objects, cross-checks) and throws them as one
 * `LocalHandsValidationError`, each problem prefixed by the construct path it was found at.
 */
export function validateApp(all: readonly IConstruct[]): void {
  const errors = all.flatMap(c => c.node.validate().map(e => (c.node.path ? `[${c.node.path}] ${e}` : e)));
  if (errors.length > 0) throw new LocalHandsValidationError('the app', errors);
}

function writeFileAtomic(file: string, text: string): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  if (fs.existsSync(file) && fs.readFileSync(file, 'utf8') === text) return;
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, text);
  fs.renameSync(tmp, file);
}

/**
 * The entry point of a synth process: runs `synthToDir` into `CDK8S_OUTDIR` (set by `cdk8s synth`)
 * or `dist`, with KIND configs in `LOCAL_HANDS_KIND_DIR` or `kind`, and turns a validation error into one
 * clear message and exit code 1.
 */
export function runSynth(build: (app: App) => void): void {
  const outdir = process.env.CDK8S_OUTDIR ?? 'dist';
  try {
    const written = synthToDir(build, outdir, process.env.LOCAL_HANDS_KIND_DIR ?? 'kind');
    process.stdout.write(`local-hands: wrote ${written.join(', ')}\n`);
  } catch (e) {
    if (e instanceof LocalHandsValidationError) {
      process.stderr.write(`local-hands: synth failed, nothing written to ${outdir}/\n${e.message}\n`);
      process.exitCode = 1;
      return;
    }
    throw e;
  }
}
