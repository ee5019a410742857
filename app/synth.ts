import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { ApiObject, App, AppProps, Chart, Names, YamlOutputType } from 'cdk8s';
import { IConstruct } from 'constructs';
import { KindCluster } from '../constructs/kind/kind-cluster';
import { collisionsUnlessGuarded } from '../src/collisions';
import { manifestParts } from '../src/fast-yaml';
import { print } from '../src/print';
import { LocalHandsValidationError, show } from '../src/validation';
import { LocalHandsOutputError, OutputFile, OutputParts, OutputTarget, fileNameProblem, writeOutputDirs } from './output';

/** Where `synthApp` writes, and how the user named each folder (for messages). */
export interface SynthOptions {
  /** The manifests' folder. @default - the app's `outdir` */
  readonly outdir?: string;
  /** How the user named `outdir`. @default 'output folder' */
  readonly outdirName?: string;
  /** Where each `KindCluster` of the app is written. @default - not written */
  readonly kindDir?: string;
  /** How the user named `kindDir`. @default 'KIND config folder' */
  readonly kindDirName?: string;
}

/**
 * What `app.synth()` does, several times faster and safe for the folder it writes (see `writeOutputDirs`):
 * validates every construct (colliding objects included), renders a file per chart with `renderCharts`, and
 * writes them, and the app's KIND configs, only into folders that are absent, empty or written by local-hands.
 * Call it in place of `app.synth()`. Returns the paths written.
 */
export function synthApp(app: App, opts: SynthOptions = {}): string[] {
  const all = app.node.findAll();
  const outdir = opts.outdir ?? app.outdir;
  const manifests = renderChartFiles(app, all);
  const targets: OutputTarget[] = [{ dir: outdir, files: manifests, what: opts.outdirName ?? 'output folder' }];
  const kind = kindFiles(all);
  // An app without a KIND config (the production profile) leaves the KIND folder as it is.
  if (opts.kindDir !== undefined && kind.length > 0) targets.push({ dir: opts.kindDir, files: kind, what: opts.kindDirName ?? 'KIND config folder' });
  return writeOutputDirs(targets, { projectRoot: process.cwd() });
}

/**
 * Builds an app with `build` and synthesizes it with `synthApp` into `outdir` (and its KIND configs into `kindDir`).
 * Nothing is written unless every prop is valid and every folder acceptable.
 */
export function synthToDir(build: (app: App) => void, outdir: string, kindDir?: string, names: Omit<SynthOptions, 'outdir' | 'kindDir'> = {}): string[] {
  // cdk8s never writes to this folder: synthApp writes the files itself.
  const app = new App({ outdir: path.resolve(outdir) });
  build(app);
  return synthApp(app, { ...names, outdir, kindDir });
}

/** The KIND configs of an app, each to its own file; two writing one file are refused. */
function kindFiles(all: readonly IConstruct[]): OutputFile[] {
  const clusters = all.filter((c): c is KindCluster => c instanceof KindCluster);
  const seen = new Map<string, string>();
  for (const c of clusters) {
    const other = seen.get(c.fileName);
    if (other) throw new LocalHandsValidationError(`KindCluster '${c.node.id}' (${c.node.path})`, [`fileName must be unique, got "${c.fileName}", which ${other} also writes`]);
    seen.set(c.fileName, c.node.path);
  }
  return clusters.map(c => ({ name: c.fileName, text: c.toYaml() }));
}

/**
 * The files `app.synth()` would write, as text: for the common case (a file per chart, no dependencies between
 * constructs, no nested charts, no construct metadata) laid out by `stringifyManifests`, the same bytes several
 * times faster; any other app goes through `app.synth()` into a temporary folder. Validates the app first.
 */
export function renderCharts(app: App, all: readonly IConstruct[] = app.node.findAll()): OutputFile[] {
  return renderChartFiles(app, all).map(f => ({ name: f.name, text: Buffer.concat(f.parts).toString() }));
}

/**
 * `renderCharts`, as the bytes of each file in pieces: what `synthApp` writes. A large chart is held once, as
 * bytes, instead of as a string (two bytes a character once any piece of it is) and again as its encoding; and
 * its pieces (a batch of objects, a vendored CRD's very bytes) are never copied into one buffer.
 */
function renderChartFiles(app: App, all: readonly IConstruct[]): OutputParts[] {
  checkAppOptions(app);
  validateApp(all);
  refuseSharedFiles(app, all);
  const simple = app.yamlOutputType === YamlOutputType.FILE_PER_CHART
    && !(app as unknown as { recordConstructMetadata: boolean }).recordConstructMetadata
    && all.every(c => c.node.dependencies.length === 0 && !(c instanceof Chart && c.node.children.some(x => x instanceof Chart)));
  if (simple) {
    return chartsInSynthOrder(all).map(chart => ({
      name: `${Names.toDnsLabel(chart)}${app.outputFileExtension}`,
      parts: renderChart(chart),
    }));
  }
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'local-hands-synth-'));
  const outdir = app.outdir;
  try {
    (app as { outdir: string }).outdir = tmp;
    app.synth();
    return fs.readdirSync(tmp).sort().map(name => ({ name, parts: [fs.readFileSync(path.join(tmp, name))] }));
  } finally {
    // The app's own outdir again: the temporary folder is gone, and the caller may write to the app's outdir.
    (app as { outdir: string }).outdir = outdir;
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

/** The output types whose files all go into one folder, which is what our synth writes. */
const FLAT_OUTPUT_TYPES: readonly YamlOutputType[] = [YamlOutputType.FILE_PER_CHART, YamlOutputType.FILE_PER_APP, YamlOutputType.FILE_PER_RESOURCE];

/**
 * The `App` options our synth cannot honour, refused in one line each: a file extension with a folder part (cdk8s
 * would write outside the output folder, or into a folder of its own making), and output types other than files in
 * one folder (FOLDER_PER_CHART_FILE_PER_RESOURCE writes a folder per chart).
 */
function checkAppOptions(app: App): void {
  const ext: unknown = app.outputFileExtension;
  if (typeof ext !== 'string' || /[\\/\0\n\r]/.test(ext)) {
    throw new LocalHandsValidationError('the app', [`App option outputFileExtension must be the end of a file name, without "/", "\\", NUL or line breaks (such as ".k8s.yaml"), got ${show(ext)}`]);
  }
  const type = app.yamlOutputType;
  if (!FLAT_OUTPUT_TYPES.includes(type)) {
    const given = typeof YamlOutputType[type] === 'string' ? `YamlOutputType.${YamlOutputType[type]}` : show(type);
    throw new LocalHandsValidationError('the app', [`App option yamlOutputType must be one of ${FLAT_OUTPUT_TYPES.map(t => `YamlOutputType.${YamlOutputType[t]}`).join(', ')} `
      + `(local-hands writes the files of one folder, no subfolders), got ${given}`]);
  }
}

/**
 * Two charts (or, one file per resource, two objects) that cdk8s would write to one file, the second silently over
 * the first: chart ids that normalize to one DNS label (an upper-case id is lowered and given a hash, which another
 * id can spell out), objects of one kind and name in two namespaces. Refused in one line naming both and the file,
 * as is a file name local-hands keeps for itself. Charts named by index (an app with dependencies between charts)
 * and one file per app cannot share a file.
 */
function refuseSharedFiles(app: App, all: readonly IConstruct[]): void {
  const owners = new Map<string, string>();
  for (const [name, owner] of fileOwners(app, all)) {
    const problem = fileNameProblem(name);
    if (problem) throw new LocalHandsValidationError('the app', [`${owner} would be written to ${show(name)}, which ${problem}`]);
    const other = owners.get(name);
    if (other) {
      throw new LocalHandsValidationError('the app', [`${other} and ${owner} would both be written to ${show(name)} `
        + `(cdk8s names ${app.yamlOutputType === YamlOutputType.FILE_PER_RESOURCE ? 'the file of an object from its kind and name' : 'the file of a chart from its id'}): give them names that differ`]);
    }
    owners.set(name, owner);
  }
}

/** Each file cdk8s would write, with what it writes there (`chart 'a' (a)`), where two could share a name. */
function fileOwners(app: App, all: readonly IConstruct[]): [string, string][] {
  const charts = chartsInSynthOrder(all);
  if (app.yamlOutputType === YamlOutputType.FILE_PER_RESOURCE) {
    return charts.flatMap(chart => chart.node.findAll().filter((c): c is ApiObject => c instanceof ApiObject && Chart.of(c) === chart).map((o): [string, string] => [
      `${o.kind}.${o.name}`.replace(/[^0-9a-zA-Z-_.]/g, '') + app.outputFileExtension,
      `${o.kind || 'an object without a kind,'} ${o.metadata.namespace ? `${o.metadata.namespace}/` : ''}${o.name} (${o.node.path})`,
    ]));
  }
  if (app.yamlOutputType !== YamlOutputType.FILE_PER_CHART || hasDependantCharts(all)) return [];
  return charts.map(c => [`${Names.toDnsLabel(c)}${app.outputFileExtension}`, `chart '${c.node.id}' (${c.node.path})`]);
}

/** Whether cdk8s numbers the chart files (`0000-name`): nested charts, or a dependency from one chart into another. */
function hasDependantCharts(all: readonly IConstruct[]): boolean {
  const chartOf = (c: IConstruct) => {
    try {
      return Chart.of(c);
    } catch {
      return undefined;
    }
  };
  return all.some(c => (c instanceof Chart && c.node.children.some(x => x instanceof Chart))
    || c.node.dependencies.some(d => chartOf(d) !== chartOf(c)));
}

/**
 * `app.charts` for an app without dependencies: cdk8s keys every construct by its path in an object and takes
 * its values, so the charts come in construct order, except that a chart whose path is an array index (a
 * top-level id such as "1") comes first, in numeric order. The same object gives the same order.
 */
function chartsInSynthOrder(all: readonly IConstruct[]): Chart[] {
  const byPath: Record<string, Chart> = {};
  for (const c of all) if (c instanceof Chart) byPath[c.node.path] = c;
  return Object.values(byPath);
}

/** How many objects are rendered to JSON at a time: the JSON of a whole large chart need never be held at once. */
const RENDER_BATCH = 1024;

const SEPARATOR = Buffer.from('---\n');

/**
 * What `chart.toJson()` and cdk8s's YAML writer give for a chart of an app without dependencies or nested charts,
 * minus the work they repeat per chart over the whole app (resolving dependencies, validating every construct,
 * a dependency graph of the app): its API objects in construct order (those of another chart below it excluded,
 * as `Chart.of` would), each object's own `toJson()`, rendered in batches, as pieces of UTF-8 bytes.
 */
function renderChart(chart: Chart): Buffer[] {
  const objects = chart.node.findAll().filter(c => c instanceof ApiObject && Chart.of(c) === chart) as ApiObject[];
  const parts: Buffer[] = [];
  for (let i = 0; i < objects.length; i += RENDER_BATCH) {
    if (i > 0) parts.push(SEPARATOR);
    parts.push(...manifestParts(objects.slice(i, i + RENDER_BATCH).map(o => o.toJson())));
  }
  return parts;
}

/**
 * Runs every construct's validations (cdk8s's, ours: colliding objects, cross-checks) and throws them as one
 * `LocalHandsValidationError`, each problem prefixed by the construct path it was found at.
 */
export function validateApp(all: readonly IConstruct[]): void {
  const errors = all.flatMap(c => c.node.validate().map(e => (c.node.path ? `[${c.node.path}] ${e}` : e)));
  // Checked here, not added to the app: synthesizing changes nothing about the user's app.
  if (all.length > 0) errors.push(...collisionsUnlessGuarded(all[0].node.root));
  if (errors.length > 0) throw new LocalHandsValidationError('the app', errors);
}

/**
 * The entry point of a synth process: builds an app (`App` given `appProps`) with `build` and runs `synthApp` into
 * `CDK8S_OUTDIR` (set by `cdk8s synth`) or `dist`, with KIND configs in `LOCAL_HANDS_KIND_DIR` or `kind`. A user
 * error (a bad prop, an unusable folder, a construct id used twice, an App option our synth cannot honour) prints
 * one message and sets exit code 1; only our own bugs show a stack trace.
 */
export function runSynth(build: (app: App) => void, appProps: Omit<AppProps, 'outdir'> = {}): void {
  const env = (name: string, fallback: string) => process.env[name] ?? fallback;
  const outdir = env('CDK8S_OUTDIR', 'dist');
  // Refused whatever the profile writes: a profile without a KIND config would otherwise accept what another refuses.
  for (const name of ['CDK8S_OUTDIR', 'LOCAL_HANDS_KIND_DIR']) {
    const v = process.env[name];
    if (v !== undefined && v.trim() === '') {
      print('stderr', `local-hands: ${name} ${JSON.stringify(v)}: is empty: name the folder to write into, or unset it\n`);
      process.exitCode = 1;
      return;
    }
  }
  try {
    // cdk8s never writes to the app's outdir: synthApp writes the files itself.
    const app = new App({ ...appProps, outdir: path.resolve(outdir) });
    build(app);
    const written = synthApp(app, {
      outdir,
      outdirName: process.env.CDK8S_OUTDIR === undefined ? 'output folder' : 'CDK8S_OUTDIR',
      kindDir: env('LOCAL_HANDS_KIND_DIR', 'kind'),
      kindDirName: process.env.LOCAL_HANDS_KIND_DIR === undefined ? 'KIND config folder' : 'LOCAL_HANDS_KIND_DIR',
    });
    print('stdout', `local-hands: wrote ${written.join(', ')}\n`);
  } catch (e) {
    const message = userErrorMessage(e, outdir);
    if (message === undefined) throw e;
    print('stderr', message);
    process.exitCode = 1;
  }
}

/** The message for an error the user can fix, or undefined for our own bug. */
function userErrorMessage(e: unknown, outdir: string): string | undefined {
  if (e instanceof LocalHandsOutputError) return `local-hands: ${e.message}\n`;
  if (e instanceof LocalHandsValidationError) return `local-hands: synth failed, nothing written to ${outdir}/\n${e.message}\n`;
  // The constructs library's message for two constructs with one id in one scope.
  const m = e instanceof Error && /^There is already a Construct with name '([^']*)' in (\S+)(?: \[([^\]]*)\])?/.exec(e.message);
  if (m) return `local-hands: synth failed, nothing written to ${outdir}/\n${m[3] || m[2]}: the construct id "${m[1]}" is used twice in one scope: give each construct its own id\n`;
  return undefined;
}
