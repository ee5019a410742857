// The low-level file-system steps of output locations: whole-file writes through a temp file and a rename, changes
// to several folders staged before any is committed, comparisons of content with a file, and the identity of this
// process, which names every temp file it makes. Every failure becomes one LocalHandsOutputError in words.
import * as fs from 'fs';
import * as path from 'path';
import { errCode, osReason } from '../../src/os-errors';
import { LocalHandsOutputError } from './error';

/** `.local-hands-tmp.<owner>.<n>`: a file being written, a backup, or a lock being taken or broken, by process `owner`. */
export const TEMP = /^\.local-hands-tmp\.(\d+(?:-\d+)?)\.\d+$/;

/** What a file is to hold: text (written as UTF-8), bytes, or pieces of bytes in order. */
export type Content = string | Uint8Array | readonly Uint8Array[];

/** The bytes `content` stands for, as pieces in order (text encoded as UTF-8, as the OS calls do). */
export function piecesOf(content: Content): readonly Uint8Array[] {
  return typeof content === 'string' ? [Buffer.from(content)] : content instanceof Uint8Array ? [content] : content;
}

// ---------------------------------------------------------------------------------------------------------
// This process, and whether another one is alive

let cachedOwnerId: string | undefined;
/** Numbers every temporary file of this process, locks' included, so no two share a name. */
let tempCounter = 0;

/** `<pid>-<start time in clock ticks>` on Linux, so that a reused pid does not pass for a live owner. */
export function ownerId(): string {
  cachedOwnerId ??= [process.pid, startTime(process.pid)].filter(x => x !== undefined).join('-');
  return cachedOwnerId;
}

/** A temporary name of this process in `dir`, never handed out twice. */
export function tempName(dir: string): string {
  return path.join(dir, `.local-hands-tmp.${ownerId()}.${tempCounter++}`);
}

function startTime(pid: number): number | undefined {
  const stat = procStat(pid);
  return stat === undefined ? undefined : Number(stat[19]);
}

/** The fields of /proc/<pid>/stat after the command name: [0] is the state, [19] the start time. */
function procStat(pid: number): string[] | undefined {
  try {
    const text = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return text.slice(text.lastIndexOf(')') + 2).split(' ');
  } catch {
    return undefined;
  }
}

/** Whether the process an owner id (`<pid>[-<start time>]`) names is still running. */
export function isAlive(owner: string): boolean {
  const [pidText, start] = owner.split('-');
  const pid = Number(pidText);
  if (!Number.isSafeInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
  } catch (e) {
    return errCode(e) === 'EPERM';
  }
  const stat = procStat(pid);
  if (stat === undefined) return true;
  // A killed child its parent has not reaped yet is a zombie: gone for our purposes.
  if (stat[0] === 'Z' || stat[0] === 'X') return false;
  return start === undefined || stat[19] === start;
}

// ---------------------------------------------------------------------------------------------------------
// File-system steps that clean up after themselves and fail in words

/** Runs file-system steps for one output location, tracking its temp files and naming failures. */
export class Io {
  public readonly me = ownerId();
  private readonly temps = new Set<string>();

  constructor(public readonly where: string) {}

  run<T>(operation: string, step: () => T): T {
    try {
      return step();
    } catch (e) {
      throw this.error(operation, e);
    }
  }

  error(operation: string, e: unknown): Error {
    if (e instanceof LocalHandsOutputError || errCode(e) === undefined) return e as Error;
    return new LocalHandsOutputError(this.where, `could not ${operation}: ${osReason(e)}`, errCode(e));
  }

  tempPath(dir: string): string {
    const p = tempName(dir);
    this.temps.add(p);
    return p;
  }

  forget(p: string): void {
    this.temps.delete(p);
  }

  /** A new temp file in `dir` holding `content`, for `name` (which failures name). */
  stage(dir: string, name: string, content: Content): string {
    const tmp = this.tempPath(dir);
    this.run(`write ${name}`, () => {
      if (!createExclusive(tmp, content)) throw Object.assign(new Error(`${tmp} exists`), { code: 'EEXIST' });
    });
    return tmp;
  }

  /** Replaces `dir/name` by `content` through a temp file and a rename, unless it holds `content` already. */
  writeIfChanged(dir: string, name: string, content: Content): void {
    const target = path.join(dir, name);
    if (holds(target, content)) return;
    const tmp = this.stage(dir, name, content);
    this.run(`replace ${name}`, () => fs.renameSync(tmp, target));
    this.forget(tmp);
  }

  /** After a failure, or to drop backups after a commit: no temp file of ours survives (errors here would hide the first one). */
  removeTemps(): void {
    for (const t of this.temps) {
      try {
        unlinkIfThere(t);
      } catch {
        // The folder refuses even removals; the next run removes it.
      }
    }
    this.temps.clear();
  }
}

/** A change to one file of a folder: what it is to hold, or its removal. */
export interface FileChange {
  readonly name: string;
  /** The file's new content; undefined removes the file. */
  readonly content?: Content;
}

interface Step {
  readonly io: Io;
  readonly target: string;
  /** What the step does, for a message: `replace a.yaml`. */
  readonly operation: string;
  /** The staged content, renamed over `target` at commit; none for a removal. */
  readonly temp?: string;
  /** The file as it was before the first step on its name, linked aside: what an undo puts back. */
  readonly backup?: string;
  /** Whether undoing falls to this step: the first on its name (a later one is undone by the first one's undo). */
  readonly first: boolean;
}

/**
 * Changes to files of one or more folders, applied as nearly together as a file system allows. `stage` does every
 * step that can fail for want of space, permission or size (each new content written to a temp file beside its
 * name, each file to be replaced or removed hard-linked to a backup, which also fails on an immutable file), and
 * changes nothing a reader sees; `commit` then only renames and removes, in order, and should one of those fail,
 * undoes the ones done from the backups before it throws. `finish` removes what is left: the backups of a commit,
 * or everything a failure staged.
 */
export class Transaction {
  private readonly steps: Step[] = [];
  private readonly ios = new Set<Io>();
  private done = 0;

  stage(io: Io, dir: string, changes: readonly FileChange[]): void {
    this.ios.add(io);
    const named = new Set(this.steps.filter(s => s.io === io).map(s => s.target));
    for (const c of changes) {
      const target = path.join(dir, c.name);
      const first = !named.has(target);
      named.add(target);
      const operation = c.content === undefined ? `remove ${c.name}, which this run no longer writes` : `replace ${c.name}`;
      const temp = c.content === undefined ? undefined : io.stage(dir, c.name, c.content);
      const backup = first && lstatOrUndefined(target) !== undefined ? io.tempPath(dir) : undefined;
      if (backup) io.run(operation, () => fs.linkSync(target, backup));
      this.steps.push({ io, target, operation, temp, backup, first });
    }
  }

  commit(): void {
    try {
      for (const s of this.steps) {
        const temp = s.temp;
        if (temp === undefined) s.io.run(s.operation, () => unlinkIfThere(s.target));
        else s.io.run(s.operation, () => fs.renameSync(temp, s.target));
        if (temp !== undefined) s.io.forget(temp);
        this.done++;
      }
    } catch (e) {
      this.undo();
      throw e;
    }
  }

  finish(): void {
    for (const io of this.ios) io.removeTemps();
  }

  /** Best effort, in reverse: the error that led here is the one reported, and a backup left is removed by `finish`. */
  private undo(): void {
    for (const s of this.steps.slice(0, this.done).reverse()) {
      if (!s.first) continue;
      try {
        if (s.backup) fs.renameSync(s.backup, s.target);
        else unlinkIfThere(s.target);
      } catch {
        // See above.
      }
    }
  }
}

/** Creates `file` with `content` unless it exists (O_EXCL: never through a planted link). False when it exists. */
export function createExclusive(file: string, content: Content): boolean {
  let fd: number;
  try {
    fd = fs.openSync(file, 'wx');
  } catch (e) {
    if (errCode(e) === 'EEXIST') return false;
    throw e;
  }
  try {
    writeParts(fd, piecesOf(content));
  } catch (e) {
    fs.closeSync(fd);
    unlinkIfThere(file);
    throw e;
  }
  fs.closeSync(fd);
  return true;
}

/** How much of a file is read at a time to compare it: a file of tens of megabytes is never held whole. */
const COMPARE_BLOCK = 1 << 20;

/**
 * Whether `file` holds `content` (text is compared as its UTF-8 bytes, pieces as the bytes they make in order):
 * decoding a megabyte of CRDs to compare it as a string costs several times more, a file of another size is not
 * read at all, and a large one is read a block at a time.
 */
export function holds(file: string, content: Content): boolean {
  const pieces = piecesOf(content);
  let size = 0;
  for (const p of pieces) size += p.length;
  let fd: number | undefined;
  try {
    fd = fs.openSync(file, 'r');
    if (fs.fstatSync(fd).size !== size) return false;
    const block = Buffer.allocUnsafe(Math.min(size, COMPARE_BLOCK));
    // The piece, and the offset in it, that the next byte read is compared with.
    let piece = 0;
    let inPiece = 0;
    for (let at = 0; at < size;) {
      const n = fs.readSync(fd, block, 0, Math.min(block.length, size - at), at);
      if (n === 0) return false;
      for (let b = 0; b < n;) {
        const p = pieces[piece];
        const len = Math.min(p.length - inPiece, n - b);
        if (Buffer.compare(block.subarray(b, b + len), p.subarray(inPiece, inPiece + len)) !== 0) return false;
        b += len;
        inPiece += len;
        if (inPiece === p.length) {
          piece++;
          inPiece = 0;
        }
      }
      at += n;
    }
    return true;
  } catch {
    return false;
  } finally {
    if (fd !== undefined) fs.closeSync(fd);
  }
}

/** How many pieces one `writev` takes (POSIX guarantees 16; Linux and macOS take 1024). */
const WRITEV_MAX = 1024;

/** Writes the pieces in order, as many as a call takes at a time, whatever a call writes short. */
function writeParts(fd: number, parts: readonly Uint8Array[]): void {
  let rest = parts.filter(p => p.length > 0);
  while (rest.length > 0) {
    let n = fs.writevSync(fd, rest.slice(0, WRITEV_MAX));
    if (n === 0) throw Object.assign(new Error('writev wrote nothing'), { code: 'EIO' });
    let done = 0;
    while (done < rest.length && n >= rest[done].length) n -= rest[done++].length;
    rest = rest.slice(done);
    if (n > 0) rest[0] = rest[0].subarray(n);
  }
}

export function exists(p: string): boolean {
  try {
    fs.statSync(p);
    return true;
  } catch {
    return false;
  }
}

export function isSymlink(p: string): boolean {
  try {
    return fs.lstatSync(p).isSymbolicLink();
  } catch {
    return false;
  }
}

/** The real path of `p`: its longest existing part with symbolic links resolved, then the rest. */
export function realPath(p: string): string {
  const rest: string[] = [];
  for (let q = p; ; q = path.dirname(q)) {
    try {
      // The native call resolves the whole path in one system call; the JavaScript one lstats every part.
      return path.join(fs.realpathSync.native(q), ...rest.reverse());
    } catch {
      if (path.dirname(q) === q) return p;
      rest.push(path.basename(q));
    }
  }
}

/** Whether `p` lies below `folder` (both absolute and real). */
export function isInside(p: string, folder: string): boolean {
  return p.startsWith(folder.endsWith(path.sep) ? folder : folder + path.sep);
}

/** @internal The file's lstat, or undefined when nothing is there (Node types stay out of the package's public types). */
export function lstatOrUndefined(file: string): fs.Stats | undefined {
  try {
    return fs.lstatSync(file);
  } catch {
    return undefined;
  }
}

export function readOrUndefined(file: string): string | undefined {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
}

export function unlinkIfThere(file: string): void {
  try {
    fs.unlinkSync(file);
  } catch (e) {
    if (errCode(e) !== 'ENOENT') throw e;
  }
}

const SLEEPER = new Int32Array(new SharedArrayBuffer(4));

export function sleep(ms: number): void {
  Atomics.wait(SLEEPER, 0, 0, ms);
}
