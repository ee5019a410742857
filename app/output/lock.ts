// The lock that makes runs writing one output folder take turns, and what runs that are gone left behind.
//
// The lock is a file inside the folder holding its owner's id (`<pid>-<start time>`). A run waits (bounded) for a
// live holder, breaks a dead one's, and removes temp files whose process is gone. A live lock is also how a run
// sees another run at work in a folder above or below its own (see policy.ts).
import * as fs from 'fs';
import * as path from 'path';
import { errCode } from '../../src/os-errors';
import { show } from '../../src/validation';
import { LocalHandsOutputError } from './error';
import { Io, TEMP, createExclusive, isAlive, lstatOrUndefined, ownerId, readOrUndefined, sleep, tempName, unlinkIfThere } from './io';

/** Held, inside an output folder, by the run writing it: `<pid>-<start time>`. */
export const LOCK = '.local-hands-lock';
/** A lock without an owner id is a run between creating and filling it; older than this, a killed one. */
const EMPTY_LOCK_GRACE_MS = 5_000;
export const DEFAULT_LOCK_TIMEOUT_MS = 60_000;

/**
 * Takes the folder's lock, waiting (bounded) for a live holder and breaking a dead one's. Returns the release.
 * The lock holds the owner id, so a run never removes a lock it does not hold.
 */
export function takeLock(io: Io, dir: string, timeoutMs: number): () => void {
  const lock = path.join(dir, LOCK);
  const me = ownerId();
  const started = Date.now();
  // A folder or a symbolic link in the lock's place is no lock of ours: never waited for, followed or removed.
  const st = lstatOrUndefined(lock);
  if (st !== undefined && !st.isFile()) {
    throw new LocalHandsOutputError(io.where, `holds ${show(LOCK)}, which is ${st.isDirectory() ? 'a folder' : st.isSymbolicLink() ? 'a symbolic link' : 'not a file'}, not a lock local-hands made: remove it`);
  }
  for (let pause = 1; ; pause = Math.min(pause * 2, 50)) {
    if (io.run(`create its lock file ${LOCK}`, () => createLockFile(lock, `${me}\n`))) return () => releaseLock(lock, me);
    const holder = readOrUndefined(lock);
    if (holder === undefined && lstatOrUndefined(lock) === undefined) continue;
    if (holder !== undefined && !lockIsLive(lock, holder)) {
      breakLock(io, dir, lock, holder);
      continue;
    }
    if (Date.now() - started > timeoutMs) {
      throw new LocalHandsOutputError(io.where, `another local-hands run (process ${holder?.split('-')[0].trim() || '?'}) `
        + `is writing this folder; waited ${Math.round(timeoutMs / 1000)} s for it; if none is running, remove ${lock}`);
    }
    sleep(pause + Math.random() * pause);
  }
}

/**
 * Never throws: it runs in a `finally`, where an error would hide the first one, and a lock left behind
 * holds a process id that is gone, so the next run breaks it.
 */
function releaseLock(lock: string, me: string): void {
  try {
    if (readOrUndefined(lock) === `${me}\n`) unlinkIfThere(lock);
  } catch {
    // See above.
  }
}

/** An empty lock is a run that has just created it, unless it has been empty for a while. */
function lockIsLive(lock: string, holder: string): boolean {
  if (holder.trim() !== '') return isAlive(holder.trim());
  try {
    return Date.now() - fs.statSync(lock).mtimeMs < EMPTY_LOCK_GRACE_MS;
  } catch {
    return false;
  }
}

/**
 * The process id of the run holding a live lock on `dir`, if one does; a symbolic link or a folder in the lock's
 * place is no lock, and is never followed.
 */
export function liveHolder(dir: string): string | undefined {
  const lock = path.join(dir, LOCK);
  if (!lstatOrUndefined(lock)?.isFile()) return undefined;
  const holder = readOrUndefined(lock);
  return holder !== undefined && lockIsLive(lock, holder) ? holder.split('-')[0].trim() || '?' : undefined;
}

/**
 * Moves a dead run's lock aside, then checks that it moved that one: if another run broke it and took a
 * new lock in between, that live lock is what moved, and it is linked back under its name.
 */
function breakLock(io: Io, dir: string, lock: string, dead: string): void {
  const aside = io.tempPath(dir);
  try {
    fs.renameSync(lock, aside);
  } catch (e) {
    if (errCode(e) === 'ENOENT') return;
    throw io.error(`remove the lock file ${LOCK} of a run that is gone`, e);
  }
  try {
    if (readOrUndefined(aside) !== dead) fs.linkSync(aside, lock);
  } catch {
    // Someone holds the lock again, which is all the link was for.
  }
  io.run(`remove the lock file ${LOCK} of a run that is gone`, () => unlinkIfThere(aside));
  io.forget(aside);
}

/** Removes temp files of runs that are gone (their lock is broken by `takeLock`, under its rules). */
export function removeLeftovers(io: Io, dir: string, names: readonly string[]): void {
  for (const n of names) {
    if (n === LOCK) continue;
    io.run(`remove ${n}, left by a run that is gone`, () => unlinkIfThere(path.join(dir, n)));
  }
}

/** Whether `name` in `dir` is the lock or a temp file of a run that is gone. */
export function isLeftover(io: Io, dir: string, name: string): boolean {
  if (name === LOCK) {
    const holder = readOrUndefined(path.join(dir, LOCK));
    return holder !== undefined && !lockIsLive(path.join(dir, LOCK), holder);
  }
  const owner = TEMP.exec(name)?.[1];
  return owner !== undefined && owner !== io.me && !isAlive(owner);
}

/**
 * Creates the lock `file` holding `text`, only if it does not exist, and never empty for a moment: the text is
 * written to a temporary file of ours first and hard-linked to the name (link fails when the name exists). A run
 * killed while taking the lock leaves a temporary file, which the next run removes, never an empty lock it could
 * not judge (and an up-to-date run would leave behind).
 */
function createLockFile(file: string, text: string): boolean {
  const tmp = tempName(path.dirname(file));
  try {
    // Our temporary names are unique to this process: one that exists is a bug, not a race.
    if (!createExclusive(tmp, text)) throw new Error(`local-hands: ${tmp} exists already`);
    try {
      fs.linkSync(tmp, file);
      return true;
    } catch (e) {
      if (errCode(e) === 'EEXIST') return false;
      throw e;
    }
  } finally {
    unlinkIfThere(tmp);
  }
}
