// app/output.ts with real processes on real file-system states: refused locations (nothing touched),
// replaced output, failures that leave no temp file, parallel writers, a reader during writes, and runs
// killed at random points.
import { ChildProcess, spawn, spawnSync, SpawnSyncReturns } from 'child_process';
import * as crypto from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { checkOutputDir, LocalHandsOutputError, OUTPUT_MARKER, OUTPUT_MARKER_HEADER, writeOutputDir } from '../app/output';
import { osReason } from '../src/os-errors';
import { LocalHandsValidationError } from '../src/validation';
import { outputFiles, outputFileText, Variant } from './fixtures/output-files';
import { ROOT } from './util';

// The launcher is moving to tools/launcher/; either place works.
const LAUNCHER = path.join(ROOT, 'tools', 'launcher', 'run.cjs');
const WRITER = 'test/fixtures/output-writer.ts';
const ENV = { ...process.env, LOCAL_HANDS_QUIET_BUILD: '1' };
const IS_ROOT = process.getuid?.() === 0;
/** As root, permissions do not apply: a read-only folder is tested through an unprivileged process. */
const UNPRIVILEGED = IS_ROOT ? { uid: 65534, gid: 65534 } : {};

let base: string;

beforeAll(() => {
  base = fs.mkdtempSync(path.join(os.tmpdir(), 'lh-output-'));
  fs.chmodSync(base, 0o755); // Reachable for the unprivileged process.
  // Builds the writer's bundle once, so that parallel runs below never race to build it.
  expect(run(['check', path.join(base, 'warm-up')]).status).toBe(0);
});

afterAll(() => {
  for (const p of walk(base)) {
    if (hasChattr) spawnSync('chattr', ['-i', p]);
  }
  fs.rmSync(base, { recursive: true, force: true });
});

function run(args: string[], opts: { cwd?: string; uid?: number; gid?: number; shell?: string } = {}): SpawnSyncReturns<string> {
  const argv = [LAUNCHER, WRITER, ...args];
  return opts.shell === undefined
    ? spawnSync(process.execPath, argv, { cwd: opts.cwd ?? ROOT, env: ENV, encoding: 'utf8', uid: opts.uid, gid: opts.gid })
    : spawnSync('sh', ['-c', `${opts.shell} && exec "$0" "$@"`, process.execPath, ...argv], { cwd: opts.cwd ?? ROOT, env: ENV, encoding: 'utf8' });
}

function start(args: string[]): { child: ChildProcess; done: Promise<{ code: number | null; signal: string | null; stderr: string; stdout: string }> } {
  const child = spawn(process.execPath, [LAUNCHER, WRITER, ...args], { cwd: ROOT, env: ENV });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', d => { stdout += d; });
  child.stderr!.on('data', d => { stderr += d; });
  const done = new Promise<{ code: number | null; signal: string | null; stderr: string; stdout: string }>(resolve => {
    child.on('close', (code, signal) => resolve({ code, signal, stderr, stdout }));
  });
  return { child, done };
}

/** A fresh folder under the test's temp folder. */
function scratch(name: string): string {
  const dir = fs.mkdtempSync(path.join(base, `${name}-`));
  fs.chmodSync(dir, 0o755);
  return dir;
}

function* walk(dir: string): Generator<string> {
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    yield p;
    if (e.isDirectory() && !e.isSymbolicLink()) yield* walk(p);
  }
}

/** Every entry under `dir` with its kind, mode and content hash: "byte for byte" in one comparable value. */
function tree(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const p of walk(dir)) {
    const st = fs.lstatSync(p);
    const kind = st.isDirectory() ? 'dir' : st.isSymbolicLink() ? `link ${fs.readlinkSync(p)}` : crypto.createHash('sha1').update(fs.readFileSync(p)).digest('hex');
    out[path.relative(dir, p)] = `${(st.mode & 0o7777).toString(8)} ${kind}`;
  }
  return out;
}

/** What a folder holds after writing `variant`: its files and the marker, by name. */
function expected(variant: Variant): Record<string, string> {
  const files = outputFiles(variant);
  return Object.fromEntries([
    [OUTPUT_MARKER, [OUTPUT_MARKER_HEADER, ...files.map(f => f.name).sort(), ''].join('\n')],
    ...files.map(f => [f.name, f.text]),
  ].sort(([a], [b]) => (a < b ? -1 : 1)));
}

function contents(dir: string): Record<string, string> {
  return Object.fromEntries(fs.readdirSync(dir).sort().map(n => [n, fs.readFileSync(path.join(dir, n), 'utf8')]));
}

/** The one line a refused or failed run prints. */
function oneLine(r: SpawnSyncReturns<string>): string {
  expect(r.status, r.stderr).toBe(1);
  expect(r.stderr.endsWith('\n') && !r.stderr.slice(0, -1).includes('\n'), r.stderr).toBe(true);
  expect(r.stderr).not.toMatch(/\n\s+at /);
  return r.stderr.trim();
}

/** Entries a failed or killed run left: anything but the marker and the files it lists. */
function leftovers(dir: string): string[] {
  const listed = fs.readFileSync(path.join(dir, OUTPUT_MARKER), 'utf8').split('\n').slice(1).filter(Boolean);
  return fs.readdirSync(dir).filter(n => n !== OUTPUT_MARKER && !listed.includes(n));
}

const hasChattr = spawnSync('chattr', ['--help']).error === undefined && IS_ROOT;

describe('an output folder is refused, in one line, before anything is touched', () => {
  let project: string;
  beforeAll(() => {
    project = scratch('project');
    fs.writeFileSync(path.join(project, 'package.json'), '{"name":"p"}\n');
    fs.mkdirSync(path.join(project, 'src'));
    fs.writeFileSync(path.join(project, 'src', 'index.ts'), 'export {};\n');
    fs.mkdirSync(path.join(project, '.git'));
    fs.writeFileSync(path.join(project, '.git', 'HEAD'), 'ref: refs/heads/main\n');
  });

  test.each([
    ['an empty value', () => '', /CDK8S_OUTDIR "": is empty: name the folder to write into$/],
    ['"."', () => '.', /CDK8S_OUTDIR ".": is the project root \(\/.*project-\w+\); local-hands writes only into a new or empty folder/],
    ['the project root by its full path', () => project, /": is the project root \(/],
    ['the project root through a trailing "src/.."', () => 'src/..', /"src\/..": is the project root/],
    ['an ancestor of the project root', () => '..', /CDK8S_OUTDIR "..": is \/.*, which holds the project root \/.*project-\w+;/],
    ['a folder of sources', () => 'src', /CDK8S_OUTDIR "src": holds "index.ts", which local-hands did not write; .* \(listed in its .local-hands-output\)$/],
    ['.git', () => '.git', /CDK8S_OUTDIR ".git": holds "HEAD", which local-hands did not write/],
    ['an existing file', () => 'package.json', /CDK8S_OUTDIR "package.json": is a file, not a folder$/],
    ['a folder inside a file', () => 'package.json/out', /CDK8S_OUTDIR "package.json\/out": is inside \/.*package.json, which is a file, not a folder$/],
  ])('%s', (_name, dir, message) => {
    // GIVEN a project with sources WHEN a run is pointed at one of its protected places
    const before = tree(project);
    const r = run(['dir', dir(), 'a'], { cwd: project });
    // THEN it exits 1 with the path and the reason, and the project is byte for byte as it was
    expect(oneLine(r)).toMatch(message);
    expect(tree(project)).toEqual(before);
  });

  test('the filesystem root and the home folder', () => {
    expect(() => checkOutputDir('/')).toThrow(/^output folder "\/": is the filesystem root \(\/\); local-hands writes only/);
    expect(() => checkOutputDir(os.homedir(), { what: 'CDK8S_OUTDIR' })).toThrow(new RegExp(`: is the home folder \\(${os.homedir()}\\)`));
    expect(() => checkOutputDir('/')).toThrow(LocalHandsValidationError);
  });

  test('a symbolic link to the project root', () => {
    const link = path.join(base, `link-${process.pid}`);
    fs.symlinkSync(project, link);
    const r = run(['dir', link, 'a'], { cwd: project });
    expect(oneLine(r)).toMatch(/: is the project root \(/);
    fs.unlinkSync(link);
  });

  test('a folder of our output with a foreign file added is kept intact, byte for byte', () => {
    const out = scratch('foreign');
    expect(run(['dir', out, 'a']).status).toBe(0);
    fs.writeFileSync(path.join(out, 'notes.txt'), 'mine\n');
    fs.mkdirSync(path.join(out, 'mine'));
    const before = tree(out);
    expect(oneLine(run(['dir', out, 'b']))).toMatch(/: holds "mine", "notes.txt", which local-hands did not write/);
    expect(tree(out)).toEqual(before);
  });

  test.each([
    ['not local-hands\' header', '# my list\npart-00.k8s.yaml\n', /holds a .local-hands-output that local-hands did not write/],
    ['a path outside the folder', `${OUTPUT_MARKER_HEADER}\n../package.json\n`, /holds a .local-hands-output listing "..\/package.json", which is not a file name/],
  ])('a marker with %s', (_name, marker, message) => {
    const out = scratch('marker');
    fs.writeFileSync(path.join(out, OUTPUT_MARKER), marker);
    const before = tree(out);
    expect(oneLine(run(['dir', out, 'a']))).toMatch(message);
    expect(tree(out)).toEqual(before);
  });
});

describe('an output folder of ours is written whole', () => {
  test('an absent folder (and its parents) is created with the files and a sorted marker', () => {
    const out = path.join(scratch('absent'), 'deep', 'dist');
    expect(run(['dir', out, 'b']).status).toBe(0);
    expect(contents(out)).toEqual(expected('b'));
    expect(fs.readFileSync(path.join(out, OUTPUT_MARKER), 'utf8').split('\n')).toEqual([
      OUTPUT_MARKER_HEADER, 'extra-b.k8s.yaml', ...Array.from({ length: 8 }, (_, i) => `part-0${i}.k8s.yaml`), '',
    ]);
  });

  test('an empty folder is accepted', () => {
    const out = scratch('empty');
    expect(run(['dir', out, 'a']).status).toBe(0);
    expect(contents(out)).toEqual(expected('a'));
  });

  test('an earlier output is replaced, its stale files removed, byte-identical to a fresh run', () => {
    const out = scratch('replace');
    const fresh = scratch('fresh');
    expect(run(['dir', out, 'a']).status).toBe(0);
    expect(run(['dir', out, 'b']).status).toBe(0);
    expect(run(['dir', fresh, 'b']).status).toBe(0);
    expect(contents(out)).toEqual(expected('b'));
    expect(tree(out)).toEqual(tree(fresh));
  });

  test('a run with nothing to change touches nothing', () => {
    const out = scratch('same');
    expect(run(['dir', out, 'a']).status).toBe(0);
    const before = Object.fromEntries(fs.readdirSync(out).map(n => [n, fs.statSync(path.join(out, n)).mtimeMs]));
    expect(run(['dir', out, 'a']).status).toBe(0);
    expect(Object.fromEntries(fs.readdirSync(out).map(n => [n, fs.statSync(path.join(out, n)).mtimeMs]))).toEqual(before);
  });
});

describe('files given as bytes', () => {
  test('are written as they are, bytes that are not UTF-8 included, beside files given as text', () => {
    const out = scratch('bytes');
    const raw = Buffer.from([0xff, 0xfe, 0x00, 0x41, 0x0a]);
    expect(writeOutputDir(out, [{ name: 'raw.bin', bytes: raw }, { name: 'a.yaml', text: 'é: 1\n' }])).toEqual(['a.yaml', 'raw.bin']);
    expect(fs.readFileSync(path.join(out, 'raw.bin')).equals(raw)).toBe(true);
    expect(fs.readFileSync(path.join(out, 'a.yaml'), 'utf8')).toBe('é: 1\n');
  });

  test('a file of several read blocks is rewritten when only its last byte differs, and left alone when equal', () => {
    const out = scratch('bytes-large');
    const big = crypto.randomBytes(3 * (1 << 20) + 17);
    writeOutputDir(out, [{ name: 'big.yaml', bytes: big }]);
    const file = path.join(out, 'big.yaml');
    const first = fs.statSync(file);
    writeOutputDir(out, [{ name: 'big.yaml', bytes: big }]);
    expect(fs.statSync(file).ino).toBe(first.ino);
    const changed = Buffer.from(big);
    changed[changed.length - 1] ^= 1;
    writeOutputDir(out, [{ name: 'big.yaml', bytes: changed }]);
    expect(fs.statSync(file).ino).not.toBe(first.ino);
    expect(fs.readFileSync(file).equals(changed)).toBe(true);
    // Equal sizes, a difference in the first block.
    const early = Buffer.from(changed);
    early[5] ^= 1;
    writeOutputDir(out, [{ name: 'big.yaml', bytes: early }]);
    expect(fs.readFileSync(file).equals(early)).toBe(true);
  });
});

describe('files given as pieces of bytes', () => {
  /** `bytes` cut into pieces at the given offsets, with empty pieces between some of them. */
  const cut = (bytes: Buffer, at: number[]) => {
    const parts: Buffer[] = [Buffer.alloc(0)];
    let from = 0;
    for (const to of [...at, bytes.length]) {
      parts.push(bytes.subarray(from, to));
      if (to % 3 === 0) parts.push(Buffer.alloc(0));
      from = to;
    }
    return parts;
  };

  test('are written as the bytes they make in order; equal bytes cut elsewhere leave the file alone', () => {
    const out = scratch('parts');
    const file = path.join(out, 'big.yaml');
    // Pieces across the 1 MiB compare blocks, and more pieces than one writev takes.
    const big = crypto.randomBytes(3 * (1 << 20) + 17);
    const many = Array.from({ length: 3000 }, (_, i) => Math.floor(((i + 1) * big.length) / 3001));
    writeOutputDir(out, [{ name: 'big.yaml', parts: cut(big, many) }]);
    expect(fs.readFileSync(file).equals(big)).toBe(true);
    const first = fs.statSync(file).ino;
    writeOutputDir(out, [{ name: 'big.yaml', parts: cut(big, [1, (1 << 20) - 1, (1 << 20) + 5, 2 * (1 << 20)]) }]);
    writeOutputDir(out, [{ name: 'big.yaml', bytes: big }]);
    writeOutputDir(out, [{ name: 'big.yaml', parts: [big] }]);
    expect(fs.statSync(file).ino).toBe(first);
  });

  test('a difference in any piece, or a piece missing, rewrites the file', () => {
    const out = scratch('parts-changed');
    const file = path.join(out, 'a.yaml');
    const bytes = crypto.randomBytes((1 << 20) + 4096);
    const at = [10, 1000, 1 << 20, (1 << 20) + 1];
    writeOutputDir(out, [{ name: 'a.yaml', parts: cut(bytes, at) }]);
    for (const i of [0, 500, (1 << 20) - 1, 1 << 20, bytes.length - 1]) {
      const changed = Buffer.from(bytes);
      changed[i] ^= 1;
      writeOutputDir(out, [{ name: 'a.yaml', parts: cut(changed, at) }]);
      expect(fs.readFileSync(file).equals(changed), `byte ${i}`).toBe(true);
      writeOutputDir(out, [{ name: 'a.yaml', parts: cut(bytes, at) }]);
      expect(fs.readFileSync(file).equals(bytes)).toBe(true);
    }
    const shorter = cut(bytes, at).filter((_, i) => i !== 2);
    writeOutputDir(out, [{ name: 'a.yaml', parts: shorter }]);
    expect(fs.readFileSync(file).equals(Buffer.concat(shorter))).toBe(true);
  });
});

describe('a synth\'s two folders (manifests and KIND configs)', () => {
  test('are both written, and the paths returned in order', () => {
    const dir = scratch('two');
    const r = run(['dirs', 'dist', 'kind'], { cwd: dir });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toBe([...outputFiles('a').map(f => `dist/${f.name}`), 'kind/cluster.yaml', ''].join('\n'));
    expect(contents(path.join(dir, 'dist'))).toEqual(expected('a'));
    expect(fs.readFileSync(path.join(dir, 'kind', 'cluster.yaml'), 'utf8')).toBe(outputFileText('b'));
  });

  test.each([
    ['the KIND folder is a file', 'dist', 'notes.txt', /^output-writer: LOCAL_HANDS_KIND_DIR "notes.txt": is a file, not a folder$/],
    ['both are one folder', 'out', 'out/', /^output-writer: LOCAL_HANDS_KIND_DIR "out\/": is the same folder as CDK8S_OUTDIR "out"; give each its own folder$/],
    ['the KIND folder is inside the output', 'dist', 'dist/kind', /: LOCAL_HANDS_KIND_DIR "dist\/kind": is inside CDK8S_OUTDIR "dist";/],
    ['the output is inside the KIND folder', 'kind/dist', 'kind', /: LOCAL_HANDS_KIND_DIR "kind": holds CDK8S_OUTDIR "kind\/dist";/],
  ])('are refused before either is touched when %s', (_name, outdir, kindDir, message) => {
    const dir = scratch('two-refused');
    fs.writeFileSync(path.join(dir, 'notes.txt'), 'mine\n');
    // An earlier output that the refused run, which writes variant a, would change.
    expect(run(['dir', 'dist', 'b'], { cwd: dir }).status).toBe(0);
    const before = tree(dir);
    expect(oneLine(run(['dirs', outdir, kindDir], { cwd: dir }))).toMatch(message);
    expect(tree(dir)).toEqual(before);
  });
});

describe('a failed write says why in words and leaves no temp file', () => {
  test('a read-only folder', () => {
    const out = scratch('readonly');
    expect(run(['dir', out, 'a']).status).toBe(0);
    fs.chmodSync(out, 0o555);
    const before = tree(out);
    const r = run(['dir', out, 'b'], UNPRIVILEGED);
    expect(oneLine(r)).toMatch(/CDK8S_OUTDIR ".*readonly-\w+": could not create its lock file .local-hands-lock: permission denied \(EACCES\)$/);
    expect(tree(out)).toEqual(before);
  });

  test('a read-only folder whose output is up to date is left alone, successfully', () => {
    const out = scratch('readonly-same');
    expect(run(['dir', out, 'a']).status).toBe(0);
    fs.chmodSync(out, 0o555);
    expect(run(['dir', out, 'a'], UNPRIVILEGED).status).toBe(0);
  });

  test.skipIf(!hasChattr)('an immutable folder (chattr +i)', () => {
    const out = scratch('immutable');
    expect(run(['dir', out, 'a']).status).toBe(0);
    const before = tree(out);
    spawnSync('chattr', ['+i', out]);
    try {
      expect(oneLine(run(['dir', out, 'b']))).toMatch(/: could not create its lock file .local-hands-lock: operation not permitted \(an immutable file or folder\? see lsattr\) \(EPERM\)$/);
    } finally {
      spawnSync('chattr', ['-i', out]);
    }
    expect(tree(out)).toEqual(before);
  });

  test.skipIf(!hasChattr)('an immutable file among our output: no temp file, no lock, and the next run completes', () => {
    const out = scratch('immutable-file');
    expect(run(['dir', out, 'a']).status).toBe(0);
    spawnSync('chattr', ['+i', path.join(out, 'part-03.k8s.yaml')]);
    try {
      expect(oneLine(run(['dir', out, 'b']))).toMatch(/: could not replace part-03.k8s.yaml: operation not permitted .*\(EPERM\)$/);
      expect(leftovers(out)).toEqual([]);
    } finally {
      spawnSync('chattr', ['-i', path.join(out, 'part-03.k8s.yaml')]);
    }
    expect(run(['dir', out, 'b']).status).toBe(0);
    expect(contents(out)).toEqual(expected('b'));
  });

  test('a file size limit (EFBIG)', () => {
    const out = scratch('efbig');
    expect(run(['dir', out, 'a']).status).toBe(0);
    // `ulimit -f 64` is 32 or 64 KB depending on the shell: more than our small files, less than the big one.
    const r = run(['dir', out, 'big'], { shell: 'ulimit -f 64' });
    expect(oneLine(r)).toMatch(/: could not write big.k8s.yaml: the file is too large for the file size limit \(ulimit -f\) or the file system \(EFBIG\)$/);
    expect(leftovers(out)).toEqual([]);
    expect(fs.existsSync(path.join(out, 'big.k8s.yaml'))).toBe(false);
  });

  test('reasons in words for the errors we cannot provoke here', () => {
    const err = (code: string, message: string) => Object.assign(new Error(message), { code });
    expect(osReason(err('EROFS', "EROFS: read-only file system, open 'x'"))).toBe('the file system is read-only (EROFS)');
    expect(osReason(err('ENOSPC', "ENOSPC: no space left on device, write"))).toBe('no space left on the device (ENOSPC)');
    expect(osReason(err('EXDEV', "EXDEV: cross-device link not permitted, rename 'a' -> 'b'"))).toBe('cross-device link not permitted (EXDEV)');
    expect(new LocalHandsOutputError('CDK8S_OUTDIR "dist"', 'could not write a.yaml: no space left on the device (ENOSPC)', 'ENOSPC').message)
      .toBe('CDK8S_OUTDIR "dist": could not write a.yaml: no space left on the device (ENOSPC)');
  });
});

describe('a single output file', () => {
  test('is written with its header, and rewritten when it is ours', () => {
    const dir = scratch('single');
    const file = path.join(dir, 'session.yaml');
    expect(run(['file', file, 'a']).status).toBe(0);
    expect(fs.readFileSync(file, 'utf8')).toBe(outputFileText('a'));
    expect(run(['file', file, 'b']).status).toBe(0);
    expect(fs.readFileSync(file, 'utf8')).toBe(outputFileText('b'));
    expect(fs.readdirSync(dir)).toEqual(['session.yaml']);
  });

  test('an empty file (as mktemp makes) is replaced', () => {
    const file = path.join(scratch('single-empty'), 'out.yaml');
    fs.writeFileSync(file, '');
    expect(run(['file', file, 'a']).status).toBe(0);
    expect(fs.readFileSync(file, 'utf8')).toBe(outputFileText('a'));
  });

  test('its missing folder is created when asked (the KIND folder)', () => {
    const file = path.join(scratch('single-create'), 'kind', 'cluster.yaml');
    expect(run(['file', file, 'a', '', 'create']).status).toBe(0);
    expect(fs.readFileSync(file, 'utf8')).toBe(outputFileText('a'));
  });

  test.each([
    ['an empty value', (_d: string) => [''], /--out "": is empty: name the file to write$/],
    ['the config file', (d: string) => [path.join(d, 'config.toml'), 'a', path.join(d, 'config.toml')], /--out ".*config.toml": is the --config file; refusing to overwrite it$/],
    ['the config file by another path', (d: string) => [path.join(d, 'sub', '..', 'config.toml'), 'a', path.join(d, 'config.toml')], /: is the --config file;/],
    ['a file we did not write', (d: string) => [path.join(d, 'config.toml')], /: was not written by local-hands \(its first line does not start with "# Generated by local-hands"\); refusing to overwrite it$/],
    ['a missing folder', (d: string) => [path.join(d, 'nowhere', 'out.yaml')], /: is in \/.*nowhere, which does not exist$/],
    ['a folder', (d: string) => [path.join(d, 'sub')], /: is a folder: name a file$/],
    ['a name ending in a slash', (_d: string) => ['out/'], /: names a folder: name a file$/],
    ['a file inside a file', (d: string) => [path.join(d, 'config.toml', 'out.yaml')], /: is inside \/.*config.toml, which is a file, not a folder$/],
    ['a symbolic link to the config', (d: string) => [path.join(d, 'link.yaml')], /: is a symbolic link; local-hands replaces only files it wrote$/],
  ])('refuses %s, touching nothing', (_name, args, message) => {
    const dir = scratch('single-refused');
    fs.writeFileSync(path.join(dir, 'config.toml'), '[kubernetes]\nnamespace = "x"\n');
    fs.mkdirSync(path.join(dir, 'sub'));
    fs.symlinkSync('config.toml', path.join(dir, 'link.yaml'));
    const before = tree(dir);
    const [file, variant = 'a', refuse = ''] = args(dir);
    expect(oneLine(run(['file', file, variant, refuse], { cwd: dir }))).toMatch(message);
    expect(tree(dir)).toEqual(before);
  });

  test('a read-only folder: no temp file left', () => {
    const dir = scratch('single-readonly');
    const file = path.join(dir, 'out.yaml');
    expect(run(['file', file, 'a']).status).toBe(0);
    fs.chmodSync(dir, 0o555);
    const before = tree(dir);
    expect(oneLine(run(['file', file, 'b'], UNPRIVILEGED))).toMatch(/--out ".*out.yaml": could not write out.yaml: permission denied \(EACCES\)$/);
    expect(tree(dir)).toEqual(before);
  });
});

describe('concurrent and killed runs', () => {
  test('many parallel writers all succeed, with the output of a single run', async () => {
    const out = path.join(scratch('parallel'), 'dist');
    const single = scratch('single-run');
    expect(run(['dir', single, 'b']).status).toBe(0);
    const runs = await Promise.all(Array.from({ length: 60 }, () => start(['dir', out, 'b']).done));
    const failed = runs.filter(r => r.code !== 0);
    console.log(`parallel writers: ${runs.length} runs, ${failed.length} failed`);
    expect(failed.map(r => r.stderr)).toEqual([]);
    expect(tree(out)).toEqual(tree(single));
  });

  test('a stale lock (its process gone) is taken over and removed', () => {
    const out = scratch('stale-lock');
    expect(run(['dir', out, 'a']).status).toBe(0);
    const gone = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' }).stdout;
    fs.writeFileSync(path.join(out, '.local-hands-lock'), `${gone}\n`);
    fs.writeFileSync(path.join(out, `.local-hands-tmp.${gone}.7`), 'half a fi');
    expect(run(['dir', out, 'b']).status).toBe(0);
    expect(contents(out)).toEqual(expected('b'));
  });

  test('a live lock makes a run wait, then give up in one line, leaving the lock alone', () => {
    const out = scratch('live-lock');
    expect(run(['dir', out, 'a']).status).toBe(0);
    // This test process stands for another run holding the lock.
    fs.writeFileSync(path.join(out, '.local-hands-lock'), `${process.pid}\n`);
    const started = Date.now();
    const r = run(['dir', out, 'b', '1', '1000']);
    expect(Date.now() - started).toBeGreaterThanOrEqual(1000);
    expect(oneLine(r)).toMatch(new RegExp(`: another local-hands run \\(process ${process.pid}\\) is writing this folder; waited 1 s for it; if none is running, remove .*/.local-hands-lock$`));
    expect(fs.readFileSync(path.join(out, '.local-hands-lock'), 'utf8')).toBe(`${process.pid}\n`);
    expect(contents(out)).toEqual({ ...expected('a'), '.local-hands-lock': `${process.pid}\n` });
  });

  test('a reader polling during 100 writes never sees the folder missing nor a partial file', async () => {
    const dir = scratch('reader');
    const out = path.join(dir, 'dist');
    const stop = path.join(dir, 'stop');
    expect(run(['dir', out, 'a']).status).toBe(0);
    const reader = start(['read', out, stop]);
    const writer = await start(['dir', out, 'a,b', '100']).done;
    fs.writeFileSync(stop, '');
    const read = await reader.done;
    expect(writer.code, writer.stderr).toBe(0);
    expect(read.code, read.stderr).toBe(0);
    const counts = JSON.parse(read.stdout);
    console.log(`reader during 100 writes: ${JSON.stringify(counts)}`);
    expect(counts.polls).toBeGreaterThan(10);
    expect(counts.filesRead).toBeGreaterThan(100);
    expect(counts.missingFolder).toBe(0);
    expect(counts.partialFiles).toBe(0);
    expect(contents(out)).toEqual(expected('b'));
  });

  test('runs killed with SIGKILL at random points leave nothing the next run does not clean up', async () => {
    const out = path.join(scratch('killed'), 'dist');
    const random = seeded(10);
    const RUNS = 48;
    const PARALLEL = 4;
    let kills = 0;
    const found = { temps: 0, locks: 0 };
    const failures: string[] = [];
    for (let i = 0; i < RUNS; i += PARALLEL) {
      const batch = Array.from({ length: PARALLEL }, () => {
        // Each run writes a and big (a plus a 2.4 MB file) in turn until it is killed, somewhere between
        // start-up and mid-write.
        const { child, done } = start(['dir', out, 'a,big', '100000']);
        const kill = () => child.kill('SIGKILL');
        // Most are killed while writing (timed from the run's signal, so that a loaded machine's slow start-up
        // does not turn them all into start-up kills); some during start-up.
        if (random() < 0.15) setTimeout(kill, random() * 60);
        else child.stdout!.once('data', () => setTimeout(kill, random() * 150));
        return done;
      });
      for (const r of await Promise.all(batch)) {
        if (r.signal === 'SIGKILL') kills++;
        else if (r.code !== 0) failures.push(r.stderr);
      }
      if (!fs.existsSync(path.join(out, OUTPUT_MARKER))) continue;
      for (const n of leftovers(out)) {
        if (n === '.local-hands-lock') found.locks++;
        else if (n.startsWith('.local-hands-tmp.')) found.temps++;
        else failures.push(`unexpected leftover ${n}`);
      }
    }
    const final = run(['dir', out, 'a']);
    console.log(`killed runs: ${RUNS} runs, ${kills} killed with SIGKILL; leftovers found between batches: ${found.temps} temp files, ${found.locks} locks`);
    expect(failures).toEqual([]);
    expect(kills).toBeGreaterThan(RUNS / 2);
    // A killed run holding the lock leaves it (and, killed mid-write, a temp file) for the next one.
    expect(found.temps + found.locks).toBeGreaterThan(0);
    expect(final.status, final.stderr).toBe(0);
    expect(contents(out)).toEqual(expected('a'));
  });
});

/** A small deterministic random generator (mulberry32), so a failure can be replayed. */
function seeded(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe('round three: a marker with CRLF line ends, and a lock that is no lock', () => {
  const files = [{ name: 'a.k8s.yaml', text: 'kind: A\n' }];

  test('a marker whose line ends a checkout turned into CRLF (core.autocrlf) is still ours, and is written back with LF', () => {
    const out = scratch('crlf');
    writeOutputDir(out, files);
    const marker = path.join(out, OUTPUT_MARKER);
    fs.writeFileSync(marker, fs.readFileSync(marker, 'utf8').replace(/\n/g, '\r\n'));
    expect(() => writeOutputDir(out, [{ name: 'a.k8s.yaml', text: 'kind: B\n' }])).not.toThrow();
    expect(fs.readFileSync(marker, 'utf8')).toBe(`${OUTPUT_MARKER_HEADER}\na.k8s.yaml\n`);
  });

  // The test's own timeout (30 s) is shorter than the lock timeout given: a wait would fail it.
  test('a folder in the lock\'s place is refused at once, naming it, not waited for', () => {
    const out = scratch('lock-folder');
    writeOutputDir(out, files);
    fs.mkdirSync(path.join(out, '.local-hands-lock'));
    expect(() => writeOutputDir(out, [{ name: 'a.k8s.yaml', text: 'kind: B\n' }], { lockTimeoutMs: 120_000 })).toThrow(/holds "\.local-hands-lock", which is a folder, not a lock local-hands made: remove it/);
  });

  test('a symbolic link in the lock\'s place is refused, never followed: the file it points to is untouched', () => {
    const out = scratch('lock-link');
    const elsewhere = path.join(scratch('lock-target'), 'precious.txt');
    fs.writeFileSync(elsewhere, '12345-dead\n');
    writeOutputDir(out, files);
    fs.symlinkSync(elsewhere, path.join(out, '.local-hands-lock'));
    expect(() => writeOutputDir(out, [{ name: 'a.k8s.yaml', text: 'kind: B\n' }], { lockTimeoutMs: 120_000 })).toThrow(/which is a symbolic link, not a lock local-hands made/);
    expect(fs.readFileSync(elsewhere, 'utf8')).toBe('12345-dead\n');
  });
});
