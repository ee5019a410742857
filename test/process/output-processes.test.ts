// Output folders under runs at the same time, as whole processes: parallel writers of one folder and of two, a reader
// during writes, runs killed with SIGKILL at random points, one run's folder inside another's, and the real synth
// command run many times at once. (One process at a time: test/output.test.ts.)
import { spawn, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { OUTPUT_MARKER } from '../../app/output';
import { outputFileText } from '../fixtures/output-files';
import {
  contents, expected, leftovers, makeBase, oneLine, removeBase, run, scratch as scratchIn, seeded, start, tree,
} from '../fixtures/output-harness';
import { readTree, ROOT } from '../util';

let base: string;

beforeAll(() => {
  base = makeBase('lh-output-processes-');
  // Builds the writer's bundle once, so that parallel runs below never race to build it.
  expect(run(['check', path.join(base, 'warm-up')]).status).toBe(0);
});

afterAll(() => removeBase(base));

const scratch = (name: string) => scratchIn(base, name);

describe('concurrent and killed runs of one folder', () => {
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

describe('two folders written by many runs at once', () => {
  test('runs writing the same two folders never wait on each other in a circle, and leave one run\'s pair', async () => {
    const dir = scratch('pairs');
    const [dist, kind] = [path.join(dir, 'dist'), path.join(dir, 'kind')];
    // Half the runs write a (and a KIND folder without the big file), half b (with it): a pair from two runs would mix.
    const runs = await Promise.all(Array.from({ length: 24 }, (_, i) => start(['dirs', dist, kind, ...(i % 2 ? ['b', 'big'] : ['a'])]).done));
    expect(runs.filter(r => r.code !== 0).map(r => r.stderr)).toEqual([]);
    const b = fs.existsSync(path.join(kind, 'big.k8s.yaml'));
    expect(contents(dist)).toEqual(expected(b ? 'b' : 'a'));
    expect(fs.readFileSync(path.join(kind, 'cluster.yaml'), 'utf8')).toBe(outputFileText('b'));
    expect(fs.readdirSync(kind).sort()).toEqual([OUTPUT_MARKER, ...(b ? ['big.k8s.yaml'] : []), 'cluster.yaml']);
    console.log(`two folders, 24 runs: the last pair written is variant ${b ? 'b' : 'a'}`);
  }, 120_000);
});

describe('one run\'s folder inside another\'s, at the same time', () => {
  test('of two runs started together, one writing a folder and one a folder inside it, never both succeed; a refused one says why in one line', async () => {
    const random = seeded(7);
    const outcomes = { outer: 0, inner: 0, neither: 0 };
    for (let i = 0; i < 8; i++) {
      const parent = scratch('nested');
      const outer = path.join(parent, 'out');
      const inner = path.join(outer, 'sub');
      const first = start(['dir', outer, 'a']);
      await new Promise(r => setTimeout(r, random() * 40));
      const second = start(['dir', inner, 'b']);
      const [a, b] = await Promise.all([first.done, second.done]);
      const codes = [a.code, b.code].sort();
      // Each run checks the other's place under its own lock, so when both look at the same moment both refuse (safe:
      // nothing written); never do both succeed.
      expect([[0, 1], [1, 1]], `${a.stderr}${b.stderr}`).toContainEqual(codes);
      for (const refused of [a, b].filter(r => r.code === 1)) {
        expect(oneLine(refused)).toMatch(/: (is inside .*\/out, (which another local-hands run \(process \d+\) is writing right now|an output folder of local-hands)|holds "sub", (inside which another local-hands run|which local-hands did not write))/);
      }
      if (a.code === 0) {
        outcomes.outer++;
        expect(contents(outer)).toEqual(expected('a'));
      } else if (b.code === 0) {
        outcomes.inner++;
        expect(contents(inner)).toEqual(expected('b'));
      } else {
        outcomes.neither++;
        // Refused runs write nothing: at most an empty folder stays (one the other run could not remove while the
        // first still had a folder in it), which the next run writes into as a new one.
        expect(Object.values(tree(parent)).filter(v => !v.endsWith(' dir'))).toEqual([]);
      }
    }
    console.log(`nested runs started together: the outer folder's run won ${outcomes.outer} times, the inner one's ${outcomes.inner}, neither ${outcomes.neither}`);
  }, 120_000);

  test('a run into a folder inside one another run keeps writing is refused while it runs, and that run is unharmed', async () => {
    const outer = path.join(scratch('nested-busy'), 'out');
    expect(run(['dir', outer, 'a']).status).toBe(0);
    const busy = start(['dir', outer, 'a,b', '200']);
    await new Promise(resolve => busy.child.stdout!.once('data', resolve));
    const r = run(['dir', path.join(outer, 'sub'), 'a']);
    const done = await busy.done;
    expect(oneLine(r)).toMatch(/: is inside .*\/out, (which another local-hands run \(process \d+\) is writing right now|an output folder of local-hands)/);
    expect(done.code, done.stderr).toBe(0);
    expect(contents(outer)).toEqual(expected('b'));
  }, 120_000);
});

describe('the real synth command run many times at once', () => {
  test('24 parallel `npm run synth` processes into one folder all succeed, while a reader never sees a missing or partial file', async () => {
    const top = fs.mkdtempSync(path.join(os.tmpdir(), 'lh-parallel-'));
    const env = { ...process.env, CDK8S_OUTDIR: path.join(top, 'dist'), LOCAL_HANDS_KIND_DIR: path.join(top, 'kind'), LOCAL_HANDS_QUIET_BUILD: '1' };
    const want = readTree(path.join(ROOT, 'dist'));
    // One run first, so the 24 never race to build the bundle.
    expect(spawnSync(process.execPath, ['tools/launcher/run.cjs', 'main.ts'], { cwd: ROOT, env: { ...env, CDK8S_OUTDIR: path.join(top, 'warm'), LOCAL_HANDS_KIND_DIR: path.join(top, 'warm-kind') } }).status).toBe(0);
    fs.rmSync(path.join(top, 'warm'), { recursive: true });
    fs.rmSync(path.join(top, 'warm-kind'), { recursive: true });
    const runs = Array.from({ length: 24 }, () => new Promise<{ code: number | null; stderr: string }>(resolve => {
      const child = spawn(process.execPath, ['tools/launcher/run.cjs', 'main.ts'], { cwd: ROOT, env });
      let stderr = '';
      child.stderr.on('data', d => { stderr += d; });
      child.on('exit', code => resolve({ code, stderr }));
    }));
    // A reader polling while they run: once the folder exists, every listed manifest is whole.
    let polls = 0;
    const seen: string[] = [];
    let done = false;
    const reader = (async () => {
      while (!done) {
        if (fs.existsSync(env.CDK8S_OUTDIR)) {
          polls++;
          for (const f of fs.readdirSync(env.CDK8S_OUTDIR).filter(n => n.endsWith('.k8s.yaml'))) {
            try {
              if (fs.readFileSync(path.join(env.CDK8S_OUTDIR, f), 'utf8') !== want[f]) seen.push(`partial ${f}`);
            } catch (e) {
              seen.push(`unreadable ${f}: ${(e as Error).message}`);
            }
          }
        }
        await new Promise(r => setTimeout(r, 2));
      }
    })();
    const results = await Promise.all(runs);
    done = true;
    await reader;
    expect(results.filter(r => r.code !== 0).map(r => r.stderr)).toEqual([]);
    expect(seen).toEqual([]);
    expect(polls).toBeGreaterThan(0);
    expect(readTree(env.CDK8S_OUTDIR)).toEqual(want);
    expect(fs.readdirSync(top).sort()).toEqual(['dist', 'kind']);
    fs.rmSync(top, { recursive: true, force: true });
  }, 180_000);
});

