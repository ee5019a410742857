// app/output.ts with real processes on real file-system states: refused locations (nothing touched), replaced
// output, failures that leave no temp file and, across several folders, leave every folder as it was. Runs at the
// same time (parallel writers, a reader during writes, runs killed at random points, nested runs) are in
// test/process/output-processes.test.ts.
import { spawnSync } from 'child_process';
import * as crypto from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { checkOutputDir, LocalHandsOutputError, OUTPUT_MARKER, OUTPUT_MARKER_HEADER, writeOutputDir, writeOutputDirs } from '../app/output';
import { Io, Transaction } from '../app/output/io';
import { osReason } from '../src/os-errors';
import { LocalHandsValidationError } from '../src/validation';
import { outputFiles, outputFileText } from './fixtures/output-files';
import {
  contents, expected, hasChattr, makeBase, oneLine, removeBase, run as runWriter, RunOptions, scratch as scratchIn, tree, UNPRIVILEGED,
} from './fixtures/output-harness';

let base: string;

beforeAll(() => {
  base = makeBase('lh-output-');
  // Builds the writer's bundle once, so that no case below pays for it.
  expect(runWriter(['check', path.join(base, 'warm-up')]).status).toBe(0);
});

afterAll(() => removeBase(base));

const run = (args: string[], opts: RunOptions = {}) => runWriter(args, opts);
const scratch = (name: string) => scratchIn(base, name);

describe('an output folder is refused, in one line, before anything is touched', () => {
  let project: string;
  beforeAll(() => {
    project = scratch('project');
    fs.writeFileSync(path.join(project, 'package.json'), '{"name":"p"}\n');
    fs.mkdirSync(path.join(project, 'src'));
    fs.writeFileSync(path.join(project, 'src', 'index.ts'), 'export {};\n');
    fs.mkdirSync(path.join(project, '.git'));
    fs.writeFileSync(path.join(project, '.git', 'HEAD'), 'ref: refs/heads/main\n');
    // A bare repository (as `git init --bare` lays it out) and an output folder of ours, as the committed dist/ is.
    for (const d of ['objects', 'refs']) fs.mkdirSync(path.join(project, 'mirror.git', d), { recursive: true });
    fs.writeFileSync(path.join(project, 'mirror.git', 'HEAD'), 'ref: refs/heads/main\n');
    fs.mkdirSync(path.join(project, 'dist'));
    fs.writeFileSync(path.join(project, 'dist', OUTPUT_MARKER), `${OUTPUT_MARKER_HEADER}\nold.k8s.yaml\n`);
    fs.writeFileSync(path.join(project, 'dist', 'old.k8s.yaml'), 'kind: Old\n');
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
    // Round four: places that used to be accepted.
    ['a new folder inside .git', () => '.git/out', /CDK8S_OUTDIR ".git\/out": is inside \/.*project-\w+\/\.git, a git repository's own folder; local-hands never writes there$/],
    ['a new folder deep inside .git', () => '.git/a/b', /CDK8S_OUTDIR ".git\/a\/b": is inside \/.*project-\w+\/\.git, a git repository's own folder/],
    ['a new folder named .git', () => 'out/.git', /CDK8S_OUTDIR "out\/.git": is a git repository's own folder; local-hands never writes there$/],
    ['a new folder inside a bare repository', () => 'mirror.git/out', /: is inside \/.*mirror\.git, a git repository's own folder/],
    ['a new folder inside an output folder of ours (the committed dist/)', () => 'dist/sub',
      /CDK8S_OUTDIR "dist\/sub": is inside \/.*project-\w+\/dist, an output folder of local-hands \(it holds .local-hands-output, and its next run would refuse what is written here\); choose a folder outside it$/],
    ['a folder two levels inside an output folder of ours', () => 'dist/a/b', /: is inside .*\/dist, an output folder of local-hands/],
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

const MAIN = 'main.ts';
/** `npm run synth` as a user runs it, with its folders in the environment. */
const synth = (env: Record<string, string>, opts: RunOptions = {}) => run([], { ...opts, entry: MAIN, env });

describe('several folders: one that fails leaves every one as it was (nothing is changed before all are staged)', () => {
  beforeAll(() => {
    // The synth's bundle, fresh before any case runs it as another user (who could not write .build).
    const warm = scratch('warm-synth');
    expect(synth({ CDK8S_OUTDIR: path.join(warm, 'dist'), LOCAL_HANDS_KIND_DIR: path.join(warm, 'kind') }).status).toBe(0);
  });

  test('`npm run synth` whose KIND folder is read-only leaves dist/ with its older output, byte for byte', () => {
    const dir = scratch('synth-kind-readonly');
    fs.chmodSync(dir, 0o777);
    // Earlier output in both folders, each of which this synth would change, made by the user who runs it.
    expect(run(['dirs', 'dist', 'kind', 'b'], { cwd: dir, ...UNPRIVILEGED }).status).toBe(0);
    fs.chmodSync(path.join(dir, 'kind'), 0o555);
    const before = tree(dir);
    const r = synth({ CDK8S_OUTDIR: path.join(dir, 'dist'), LOCAL_HANDS_KIND_DIR: path.join(dir, 'kind') }, UNPRIVILEGED);
    expect(oneLine(r)).toMatch(/^local-hands: LOCAL_HANDS_KIND_DIR ".*\/kind": could not create its lock file .local-hands-lock: permission denied \(EACCES\)$/);
    expect(tree(dir)).toEqual(before);
  });

  test('a KIND folder that cannot be created leaves no new output folder behind', () => {
    const dir = scratch('synth-kind-uncreatable');
    fs.chmodSync(dir, 0o777);
    fs.mkdirSync(path.join(dir, 'locked'), { mode: 0o555 });
    fs.chmodSync(path.join(dir, 'locked'), 0o555);
    const before = tree(dir);
    const r = synth({ CDK8S_OUTDIR: path.join(dir, 'new', 'dist'), LOCAL_HANDS_KIND_DIR: path.join(dir, 'locked', 'kind') }, UNPRIVILEGED);
    expect(oneLine(r)).toMatch(/: LOCAL_HANDS_KIND_DIR ".*\/locked\/kind": could not create the folder: permission denied \(EACCES\)$/);
    expect(tree(dir)).toEqual(before);
  });

  test('a file too large for the limit in the second folder: the first keeps its older output, neither keeps a temp file', () => {
    const dir = scratch('two-efbig');
    expect(run(['dirs', 'dist', 'kind', 'b'], { cwd: dir }).status).toBe(0);
    const before = tree(dir);
    const r = run(['dirs', 'dist', 'kind', 'a', 'big'], { cwd: dir, shell: 'ulimit -f 64' });
    expect(oneLine(r)).toMatch(/: LOCAL_HANDS_KIND_DIR "kind": could not write big.k8s.yaml: the file is too large .*\(EFBIG\)$/);
    expect(tree(dir)).toEqual(before);
  });

  test.skipIf(!hasChattr)('an immutable marker in the second folder: the first keeps its older output', () => {
    const dir = scratch('two-immutable');
    expect(run(['dirs', 'dist', 'kind', 'b'], { cwd: dir }).status).toBe(0);
    const marker = path.join(dir, 'kind', OUTPUT_MARKER);
    const before = tree(dir);
    spawnSync('chattr', ['+i', marker]);
    try {
      expect(oneLine(run(['dirs', 'dist', 'kind', 'a', 'big'], { cwd: dir }))).toMatch(/: LOCAL_HANDS_KIND_DIR "kind": could not replace .local-hands-output: operation not permitted .*\(EPERM\)$/);
    } finally {
      spawnSync('chattr', ['-i', marker]);
    }
    expect(tree(dir)).toEqual(before);
  });

  test('a rename that fails while committing undoes those done: the other folder is as it was, no temp file anywhere', () => {
    const one = scratch('commit-one');
    const two = scratch('commit-two');
    writeOutputDir(one, [{ name: 'a.yaml', text: 'old a\n' }, { name: 'gone.yaml', text: 'old\n' }]);
    writeOutputDir(two, [{ name: 'b.yaml', text: 'old b\n' }]);
    const before = tree(one);
    const [io1, io2] = [new Io('first'), new Io('second')];
    const tx = new Transaction();
    tx.stage(io1, one, [{ name: OUTPUT_MARKER, content: `${OUTPUT_MARKER_HEADER}\na.yaml\nnew.yaml\n` }, { name: 'a.yaml', content: 'new a\n' }, { name: 'new.yaml', content: 'new\n' }, { name: 'gone.yaml' }]);
    tx.stage(io2, two, [{ name: 'b.yaml', content: 'new b\n' }]);
    // Between staging and commit, a folder that is not empty takes b.yaml's place: no rename can replace it.
    fs.rmSync(path.join(two, 'b.yaml'));
    fs.mkdirSync(path.join(two, 'b.yaml', 'x'), { recursive: true });
    expect(() => tx.commit()).toThrow(/^second: could not replace b.yaml: /);
    io1.removeTemps();
    io2.removeTemps();
    expect(tree(one)).toEqual(before);
    expect(fs.readdirSync(two).sort()).toEqual([OUTPUT_MARKER, 'b.yaml']);
  });

  test('writeOutputDirs checks every folder before it writes any (the second one foreign)', () => {
    const dir = scratch('two-foreign');
    fs.mkdirSync(path.join(dir, 'kind'));
    fs.writeFileSync(path.join(dir, 'kind', 'mine.txt'), 'mine\n');
    expect(() => writeOutputDirs([{ dir: path.join(dir, 'dist'), files: outputFiles('a') }, { dir: path.join(dir, 'kind'), files: outputFiles('b') }]))
      .toThrow(/holds "mine.txt", which local-hands did not write/);
    expect(fs.readdirSync(dir)).toEqual(['kind']);
  });
});

describe('a folder another run is writing, above or below this one\'s', () => {
  // This test process stands for the other run: its pid is alive.
  const holdLock = (dir: string) => fs.writeFileSync(path.join(dir, '.local-hands-lock'), `${process.pid}\n`);
  const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

  test('an output folder inside a folder another run is writing is refused, naming that run, and nothing is made', () => {
    const outer = scratch('busy');
    holdLock(outer);
    const before = tree(outer);
    expect(oneLine(run(['dir', path.join(outer, 'sub'), 'a']))).toMatch(new RegExp(
      `: is inside ${escape(outer)}, which another local-hands run \\(process ${process.pid}\\) is writing right now; give each run a folder of its own, not one inside another's$`));
    expect(tree(outer)).toEqual(before);
  });

  test('an output folder holding a folder another run is writing is refused, naming that run', () => {
    const outer = scratch('holder');
    expect(run(['dir', outer, 'a']).status).toBe(0);
    fs.mkdirSync(path.join(outer, 'sub', 'deeper'), { recursive: true });
    holdLock(path.join(outer, 'sub', 'deeper'));
    const before = tree(outer);
    expect(oneLine(run(['dir', outer, 'b']))).toMatch(new RegExp(
      `: holds "sub", inside which another local-hands run \\(process ${process.pid}\\) is writing ${escape(outer)}/sub/deeper right now; give each run a folder of its own`));
    expect(tree(outer)).toEqual(before);
  });

  test('`npm run synth` with CDK8S_OUTDIR inside a folder another run is writing', () => {
    const outer = scratch('busy-synth');
    holdLock(outer);
    const before = tree(outer);
    const r = synth({ CDK8S_OUTDIR: path.join(outer, 'dist'), LOCAL_HANDS_KIND_DIR: path.join(outer, '..', `${path.basename(outer)}-kind`) });
    expect(oneLine(r)).toMatch(/^local-hands: CDK8S_OUTDIR ".*\/dist": is inside .*, which another local-hands run \(process \d+\) is writing right now;/);
    expect(tree(outer)).toEqual(before);
    expect(fs.existsSync(`${outer}-kind`)).toBe(false);
  });
});

describe('locks', () => {
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
    const before = tree(out);
    spawnSync('chattr', ['+i', path.join(out, 'part-03.k8s.yaml')]);
    try {
      expect(oneLine(run(['dir', out, 'b']))).toMatch(/: could not replace part-03.k8s.yaml: operation not permitted .*\(EPERM\)$/);
      // Found while staging, before any file was replaced.
      expect(tree(out)).toEqual(before);
    } finally {
      spawnSync('chattr', ['-i', path.join(out, 'part-03.k8s.yaml')]);
    }
    expect(run(['dir', out, 'b']).status).toBe(0);
    expect(contents(out)).toEqual(expected('b'));
  });

  test('a file size limit (EFBIG)', () => {
    const out = scratch('efbig');
    expect(run(['dir', out, 'b']).status).toBe(0);
    const before = tree(out);
    // `ulimit -f 64` is 32 or 64 KB depending on the shell: more than our small files, less than the big one.
    const r = run(['dir', out, 'big'], { shell: 'ulimit -f 64' });
    expect(oneLine(r)).toMatch(/: could not write big.k8s.yaml: the file is too large for the file size limit \(ulimit -f\) or the file system \(EFBIG\)$/);
    // Every file of `big` but the big one would have changed: none did.
    expect(tree(out)).toEqual(before);
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
