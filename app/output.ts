// Where local-hands writes its output, and how: never over anything it did not write, never half a file, never a
// missing folder, never two runs at once in one folder, and never one folder new beside another still old where a
// file system lets that be avoided. The layers, lowest first, each importing only those before it:
//
//   output/error.ts   LocalHandsOutputError
//   output/io.ts      whole-file writes, changes staged across folders, this process's identity
//   output/lock.ts    the lock runs take turns through; leftovers of runs that are gone
//   output/policy.ts  what may be written where: markers, ours or foreign, refused places
//
// This file is their public face. Several folders (a synth's manifests and its KIND configs) are all checked, then
// created and locked (in one order for every run), checked again under their locks, and staged: every new file
// written to a temp file beside its name and every file to be replaced or removed linked aside, which is where a
// full disk, a size limit or a read-only or immutable file fails, before any folder changes. Only renames and
// removals remain; should one fail, those done are undone from the links. Every file-system failure we can catch
// removes our temp files, releases the locks, removes the folders this run created, and becomes one
// LocalHandsOutputError naming the path, what we were doing and the reason in words.
import * as fs from 'fs';
import * as path from 'path';
import { show } from '../src/validation';
import { LocalHandsOutputError } from './output/error';
import { Content, FileChange, Io, TEMP, Transaction, holds, isInside } from './output/io';
import { DEFAULT_LOCK_TIMEOUT_MS, isLeftover, removeLeftovers, takeLock } from './output/lock';
import {
  DirState, GENERATED_HEADER, OUTPUT_MARKER, checkFileNames, checkPlace, inspectDir, inspectFile, isGenerated, isUpToDate, markerText,
} from './output/policy';

export { LocalHandsOutputError } from './output/error';
export { GENERATED_HEADER, OUTPUT_MARKER, OUTPUT_MARKER_HEADER, fileNameProblem } from './output/policy';

/** One file of an output folder. */
export interface OutputFile {
  /** A plain file name (no folder part). */
  readonly name: string;
  /** What the file holds, written as UTF-8. */
  readonly text: string;
}

/** One file of an output folder, given as the bytes it holds: a large file need not be held as a string too. */
export interface OutputBytes {
  /** A plain file name (no folder part). */
  readonly name: string;
  readonly bytes: Uint8Array;
}

/**
 * One file of an output folder, given as the pieces of bytes it is made of, in order: a file assembled from large
 * pieces (a chart's vendored CRDs, the batches of a chart of thousands of objects) is compared and written piece by
 * piece, never copied into one buffer first.
 */
export interface OutputParts {
  /** A plain file name (no folder part). */
  readonly name: string;
  readonly parts: readonly Uint8Array[];
}

/** A file of an output folder, in any of the forms `writeOutputDir` takes. */
export type OutputContent = OutputFile | OutputBytes | OutputParts;

/** One output folder and what goes into it. */
export interface OutputTarget {
  readonly dir: string;
  readonly files: readonly OutputContent[];
  /** How the user named this folder, for messages: `CDK8S_OUTDIR`, `LOCAL_HANDS_KIND_DIR`. @default 'output folder' */
  readonly what?: string;
}

export interface OutputDirOptions {
  /**
   * The project being built: it and its ancestors are never an output folder (nor are the working folder,
   * the home folder and the filesystem root, and their ancestors).
   * @default - the working folder
   */
  readonly projectRoot?: string;
  /** How the user named this folder, for messages: `CDK8S_OUTDIR`, `LOCAL_HANDS_KIND_DIR`. @default 'output folder' */
  readonly what?: string;
  /** How long to wait for another run writing the same folder before giving up, in ms. @default 60000 */
  readonly lockTimeoutMs?: number;
}

export interface OutputFileOptions {
  /** How the user named this file, for messages: `--out`. @default 'output file' */
  readonly what?: string;
  /** Paths the file must not be, such as the input it was made from; `name` says what each is (`the --config file`). @default [] */
  readonly refuse?: readonly { readonly path: string; readonly name: string }[];
  /** Create the file's folder (and its parents) when missing, instead of refusing. @default false */
  readonly createFolder?: boolean;
}

// ---------------------------------------------------------------------------------------------------------
// Output folders

/**
 * Refuses `dir` as an output folder, before anything is touched, unless it is absent, empty or holds only
 * what an earlier run wrote, and lies in no refused place (see app/output/policy.ts). Throws one LocalHandsOutputError.
 */
export function checkOutputDir(dir: string, opts: OutputDirOptions = {}): void {
  inspectDir(dir, opts);
}

/**
 * Writes `files` into `dir` (checked as `checkOutputDir` does) and removes the files an earlier run wrote
 * there that are no longer among them. A concurrent reader sees each file old or new, whole, and the folder
 * always there; concurrent writers take turns. Returns the names written, sorted.
 */
export function writeOutputDir(dir: string, files: readonly OutputContent[], opts: OutputDirOptions = {}): string[] {
  return writeTargets([{ dir, files, what: opts.what }], opts)[0];
}

/**
 * Writes several output folders (a synth's manifests and its KIND configs): all are checked, and must be
 * distinct and not nested, before any is touched; then all are staged before any is changed (see the file comment).
 * Returns the paths written, `dir/name`, in the order of `targets`.
 */
export function writeOutputDirs(targets: readonly OutputTarget[], opts: Omit<OutputDirOptions, 'what'> = {}): string[] {
  const names = writeTargets(targets, opts);
  return targets.flatMap((t, i) => names[i].map(n => path.join(t.dir, n)));
}

/** One output folder, checked: what the user gave, what it is to hold, and what `inspectDir` found. */
interface Plan {
  readonly target: OutputTarget;
  readonly files: readonly { readonly name: string; readonly content: Content }[];
  /** The file names, sorted. */
  readonly names: readonly string[];
  readonly state: DirState;
}

/** Checks every target, then writes those not up to date together. Returns each target's file names, sorted. */
function writeTargets(targets: readonly OutputTarget[], opts: Omit<OutputDirOptions, 'what'>): string[][] {
  const plans = planTargets(targets, opts);
  const pending = plans.filter(p => !isUpToDate(p.state, p.files));
  if (pending.length > 0) applyPlans(pending, opts);
  return plans.map(p => [...p.names]);
}

function planTargets(targets: readonly OutputTarget[], opts: Omit<OutputDirOptions, 'what'>): Plan[] {
  const places = targets.map(t => checkPlace(t.dir, { what: t.what, projectRoot: opts.projectRoot }));
  // Two targets that are one folder, or nested, are refused before each is inspected, which would word it less plainly.
  places.forEach((p, i) => {
    for (let j = 0; j < i; j++) {
      const other = places[j].real;
      const clash = p.real === other ? 'is the same folder as' : isInside(p.real, other) ? 'is inside' : isInside(other, p.real) ? 'holds' : undefined;
      if (clash) throw new LocalHandsOutputError(p.where, `${clash} ${targets[j].what ?? 'output folder'} ${show(targets[j].dir)}; give each its own folder`);
    }
  });
  return targets.map(target => {
    const files = target.files.map(f => ({ name: f.name, content: contentOf(f) }));
    const names = checkFileNames(files.map(f => f.name));
    return { target, files, names, state: inspectDir(target.dir, { what: target.what, projectRoot: opts.projectRoot }) };
  });
}

/**
 * Creates and locks every folder, checks each again under its lock, stages every change, then commits them (see
 * `Transaction`). On any failure: temp files and backups removed, locks released, folders this run created removed.
 */
function applyPlans(plans: readonly Plan[], opts: Omit<OutputDirOptions, 'what'>): void {
  const ios = plans.map(p => new Io(p.state.where));
  const created: { abs: string; first: string }[] = [];
  const releases: (() => void)[] = [];
  let committed = false;
  try {
    plans.forEach((p, i) => {
      const first = ios[i].run('create the folder', () => fs.mkdirSync(p.state.abs, { recursive: true }));
      if (first !== undefined) created.push({ abs: p.state.abs, first });
    });
    // In one order for every run (by real path), so that runs writing the same folders never wait on each other in a circle.
    const order = plans.map((_, i) => i).sort((a, b) => (plans[a].state.real < plans[b].state.real ? -1 : 1));
    for (const i of order) releases.push(takeLock(ios[i], plans[i].state.abs, opts.lockTimeoutMs ?? DEFAULT_LOCK_TIMEOUT_MS));
    const tx = new Transaction();
    plans.forEach((p, i) => {
      // Again under the lock: the run before us may have changed what the marker lists.
      const now = inspectDir(p.target.dir, { what: p.target.what, projectRoot: opts.projectRoot }, true);
      removeLeftovers(ios[i], now.abs, now.leftovers);
      tx.stage(ios[i], now.abs, changesFor(now, p));
    });
    tx.commit();
    committed = true;
  } finally {
    for (const io of ios) io.removeTemps();
    for (const release of releases.reverse()) release();
    if (!committed) removeCreated(created);
  }
}

/**
 * A folder's changes, in the order they are committed: the marker listing the union of the old and new names first,
 * so that a run killed at any later point leaves a folder that is still ours; then the files that differ; then the
 * removal of files no longer written, and the marker listing only the new names.
 */
function changesFor(now: DirState, p: Plan): FileChange[] {
  const marker = path.join(now.abs, OUTPUT_MARKER);
  const union = markerText([...new Set([...now.listed, ...p.names])]);
  const stale = now.listed.filter(n => !p.names.includes(n));
  return [
    ...(holds(marker, union) ? [] : [{ name: OUTPUT_MARKER, content: union }]),
    ...p.files.filter(f => !holds(path.join(now.abs, f.name), f.content)),
    ...stale.map(name => ({ name })),
    ...(stale.length > 0 ? [{ name: OUTPUT_MARKER, content: markerText(p.names) }] : []),
  ];
}

/** The folders a failed run created, innermost first, each only if empty (another run may be using it by now). */
function removeCreated(created: readonly { abs: string; first: string }[]): void {
  for (const { abs, first } of created) {
    for (let d = abs; ; d = path.dirname(d)) {
      try {
        fs.rmdirSync(d);
      } catch {
        break;
      }
      if (d === first || path.dirname(d) === d) break;
    }
  }
}

/** What a file is to hold: its bytes or their pieces, or its text. */
function contentOf(f: OutputContent): Content {
  return 'parts' in f ? f.parts : 'bytes' in f ? f.bytes : f.text;
}

// ---------------------------------------------------------------------------------------------------------
// Single output files

/**
 * Refuses `file` as an output file, before anything is touched, unless it is absent, empty or starts with
 * GENERATED_HEADER, its folder exists (or `createFolder`), and it is none of `refuse`.
 */
export function checkOutputFile(file: string, opts: OutputFileOptions = {}): void {
  inspectFile(file, opts);
}

/**
 * Writes `text`, which must start with GENERATED_HEADER so that the next run recognises the file as ours,
 * to `file` (checked as `checkOutputFile` does), whole or not at all.
 */
export function writeOutputFile(file: string, text: string, opts: OutputFileOptions = {}): void {
  if (!isGenerated(text)) throw new Error(`local-hands: output file text must start with ${show(GENERATED_HEADER)}`);
  const { abs, where } = inspectFile(file, opts);
  const io = new Io(where);
  const folder = path.dirname(abs);
  if (opts.createFolder) io.run('create its folder', () => fs.mkdirSync(folder, { recursive: true }));
  try {
    const entries = io.run('list its folder', () => fs.readdirSync(folder));
    removeLeftovers(io, folder, entries.filter(n => TEMP.test(n) && isLeftover(io, folder, n)));
    io.writeIfChanged(folder, path.basename(abs), text);
  } catch (e) {
    io.removeTemps();
    throw e;
  }
}
