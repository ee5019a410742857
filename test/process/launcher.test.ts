// tools/launcher/run.cjs as whole processes that bundle: rebuilds on changed inputs, the code cache, the lazy
// stand-ins, and a checkout the user cannot write. (What needs no bundling is in test/launcher.test.ts.)
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { afterAll, describe, expect, test } from 'vitest';
import { launcherProject } from '../fixtures/launcher-project';
import { ROOT } from '../util';

// A throwaway entry inside the project (the launcher bundles relative to the project root).
const dir = fs.mkdtempSync(path.join(ROOT, 'test', 'fixtures', '.launcher-'));
const entry = path.join(dir, 'entry.ts');
const dep = path.join(dir, 'dep.ts');
const rel = path.relative(ROOT, entry);
const runWith = (...args: string[]) => spawnSync(process.execPath, ['tools/launcher/run.cjs', rel, ...args], { cwd: ROOT, encoding: 'utf8' });
const run = () => runWith('arg1');

const key = rel.replace(/\.ts$/, '').replace(/[\\/]/g, '__');
const manifestFile = path.join(ROOT, '.build', `${key}.inputs.json`);
const readManifest = () => JSON.parse(fs.readFileSync(manifestFile, 'utf8'));
const writeManifest = (m: unknown) => fs.writeFileSync(manifestFile, JSON.stringify(m));
const cacheFile = path.join(ROOT, '.build', `${key}.v8cache`);
/** The code cache's header line (JSON) and V8's data after it. */
const readCache = () => {
  const bytes = fs.readFileSync(cacheFile);
  const eol = bytes.indexOf(10);
  return { header: JSON.parse(bytes.toString('latin1', 0, eol)), data: bytes.subarray(eol + 1) };
};
const writeCache = (header: unknown, data: Buffer) => fs.writeFileSync(cacheFile, Buffer.concat([Buffer.from(`${JSON.stringify(header)}\n`), data]));

afterAll(() => {
  fs.rmSync(dir, { recursive: true, force: true });
  for (const f of fs.readdirSync(path.join(ROOT, '.build'))) if (f.startsWith(key)) fs.rmSync(path.join(ROOT, '.build', f));
});

describe('tools/launcher/run.cjs', () => {
  test('bundles on first run, then runs the bundle without rebuilding; argv reaches the entry', () => {
    fs.writeFileSync(dep, "export const word = 'alpha';\n");
    fs.writeFileSync(entry, "import { word } from './dep';\nprocess.stdout.write(`${word} ${process.argv.slice(2).join(',')} ${require.main === module}`);\n");
    const first = run();
    expect(first.status).toBe(0);
    expect(first.stdout).toBe('alpha arg1 true');
    expect(first.stderr).toMatch(/bundling .*entry\.ts \(no bundle yet\)/);
    const second = run();
    expect(second.stdout).toBe('alpha arg1 true');
    expect(second.stderr).toBe('');
  });

  test('a changed import is rebuilt even when its size and mtime are forged back', () => {
    const before = fs.statSync(dep);
    fs.writeFileSync(dep, "export const word = 'omega';\n"); // same length as 'alpha'
    fs.utimesSync(dep, before.atime, before.mtime);
    const r = run();
    expect(r.stderr).toMatch(/dep\.ts changed/);
    expect(r.stdout).toBe('omega arg1 true');
  });

  test('an input whose stat is unchanged since a build well after its last write is trusted without reading it', () => {
    expect(run().stdout).toBe('omega arg1 true');
    // As if the build had started long after every input was written, with a digest that no content has:
    // were the file read, the launcher would rebuild.
    const m = readManifest();
    m.started = Date.now() + 60_000;
    m.inputs[path.relative(ROOT, dep)].sha1 = '0'.repeat(40);
    writeManifest(m);
    const r = run();
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe('omega arg1 true');
  });

  test('a trusted input rewritten with the same size and a forged mtime is caught by its ctime and rebuilt', () => {
    const m = readManifest();
    m.started = Date.now() + 60_000;
    writeManifest(m);
    const before = fs.statSync(dep);
    fs.writeFileSync(dep, "export const word = 'delta';\n");
    fs.utimesSync(dep, before.atime, before.mtime);
    const r = run();
    expect(r.stderr).toMatch(/dep\.ts changed/);
    expect(r.stdout).toBe('delta arg1 true');
    fs.writeFileSync(dep, "export const word = 'omega';\n");
  });

  test('an input touched without a change is re-hashed once, and the manifest vouches for its new stat', () => {
    expect(run().stdout).toBe('omega arg1 true');
    const before = readManifest();
    const file = path.relative(ROOT, dep);
    fs.writeFileSync(dep, fs.readFileSync(dep)); // same bytes, new ctime
    const r = run();
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe('omega arg1 true');
    const after = readManifest();
    expect(after.inputs[file].ctimeMs).toBe(fs.statSync(dep).ctimeMs);
    expect(after.inputs[file].sha1).toBe(before.inputs[file].sha1);
    expect(after.started).toBeGreaterThan(before.started);
  });

  test('a bundle file the manifest does not vouch for (another build\'s) is rebuilt', () => {
    const bundle = path.join(ROOT, '.build', `${key}.cjs`);
    fs.writeFileSync(bundle, '(function () { process.stdout.write("not ours"); })');
    const r = run();
    expect(r.stderr).toMatch(/bundle replaced/);
    expect(r.stdout).toBe('omega arg1 true');
  });

  test('a removed input is never run from the old bundle: the rebuild fails loudly', () => {
    expect(run().stdout).toBe('omega arg1 true');
    fs.rmSync(dep);
    const r = run();
    expect(r.status).not.toBe(0);
    expect(r.stderr).toMatch(/dep\.ts was removed/);
    expect(r.stdout).toBe('');
    fs.writeFileSync(entry, "process.stdout.write('standalone');\n");
    expect(run().stdout).toBe('standalone');
  });

  test('the lazily loaded builtins (crypto, child_process) behave as the real ones, however imported', () => {
    fs.writeFileSync(entry, [
      "import * as crypto from 'crypto';",
      "import { createHash } from 'crypto';",
      "import { execFileSync } from 'child_process';",
      "import * as cp from 'child_process';",
      "const a = crypto.createHash('sha1').update('x').digest('hex');",
      "const b = createHash('sha1').update('x').digest('hex');",
      "const c = execFileSync(process.execPath, ['-e', 'process.stdout.write(\"ok\")']).toString();",
      "process.stdout.write([a === b, a, c, typeof cp.ChildProcess, cp.spawnSync === cp.spawnSync].join(' '));",
    ].join('\n'));
    const r = run();
    expect(r.stderr.replace(/.*bundling.*\n/, '')).toBe('');
    expect(r.stdout).toBe('true 11f6ad8ec52a2984abaafd7c3b516503785c2072 ok function true');
  });

  test('cdk8s loaded through the lazy stand-ins synthesizes and reads YAML as cdk8s itself does', () => {
    const out = path.join(dir, 'synth-out');
    const program = (cdk8s: typeof import('cdk8s'), yaml: typeof import('yaml'), fsm: typeof fs, out: string): string => {
      const app = new cdk8s.App({ outdir: out });
      const chart = new cdk8s.Chart(app, 'c');
      const a = new cdk8s.ApiObject(chart, 'a', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'a' }, data: { on: 'yes', n: '1' } });
      new cdk8s.ApiObject(chart, 'b', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'b' } }).addDependency(a);
      app.synth();
      const written = fsm.readFileSync(`${out}/c.k8s.yaml`, 'utf8');
      return JSON.stringify([written, app.synthYaml(), cdk8s.Yaml.stringify({ x: '1.0' }), yaml.parse('k: [1, on]')]);
    };
    fs.writeFileSync(entry, [
      "import * as cdk8s from 'cdk8s';",
      "import * as yaml from 'yaml';",
      "import * as fs from 'fs';",
      `const program = ${program.toString()};`,
      `process.stdout.write(program(cdk8s, yaml, fs, ${JSON.stringify(out)}));`,
    ].join('\n'));
    const r = run();
    expect(r.status, r.stderr).toBe(0);
    fs.rmSync(out, { recursive: true, force: true });
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    expect(r.stdout).toBe(program(require('cdk8s'), require('yaml'), fs, out));
    fs.rmSync(out, { recursive: true, force: true });
  });

  test('a corrupt code cache is rejected by V8 and replaced, not trusted', () => {
    const before = run().stdout;
    fs.writeFileSync(path.join(ROOT, '.build', `${key}.v8cache`), Buffer.from('not a code cache'));
    const r = run();
    expect(r.status).toBe(0);
    expect(r.stdout).toBe(before);
    expect(fs.readFileSync(path.join(ROOT, '.build', `${key}.v8cache`)).toString()).not.toBe('not a code cache');
  });

  test('a run with arguments no cached run had extends the code cache; a repeated run leaves it as it is', () => {
    fs.writeFileSync(dep, "export const word = 'alpha';\n");
    fs.writeFileSync(entry, "import { word } from './dep';\nprocess.stdout.write(`${word} ${process.argv.slice(2).join(',')} ${require.main === module}`);\n");
    fs.rmSync(cacheFile, { force: true });
    expect(run().status).toBe(0);
    const first = readCache();
    expect(first.header.runs).toEqual(['["arg1"]']);
    expect(first.header.bundle).toEqual(readManifest().bundle);
    const mtime = fs.statSync(cacheFile).mtimeMs;
    expect(run().status).toBe(0);
    expect(fs.statSync(cacheFile).mtimeMs).toBe(mtime);
    const other = runWith('--profile', 'other');
    expect(other.status).toBe(0);
    expect(other.stdout).toBe('alpha --profile,other true');
    expect(readCache().header.runs).toEqual(['["arg1"]', '["--profile","other"]']);
    // Both runs' functions are in V8's data, which V8 accepts (a rejected cache would be rewritten with one run).
    expect(run().status).toBe(0);
    expect(readCache().header.runs).toHaveLength(2);
  });

  test('the cache is extended for a bounded number of argument lists', () => {
    expect(run().status).toBe(0);
    const full = Array.from({ length: 16 }, (_, i) => JSON.stringify([`id-${i}`]));
    writeCache({ ...readCache().header, runs: full }, readCache().data);
    const before = fs.readFileSync(cacheFile);
    expect(runWith('id-16').status).toBe(0);
    expect(fs.readFileSync(cacheFile).equals(before)).toBe(true);
  });

  test('a cache made for another bundle file (a concurrent rebuild) is not used, and is replaced', () => {
    expect(run().status).toBe(0);
    const { header, data } = readCache();
    writeCache({ ...header, bundle: { ...header.bundle, ino: header.bundle.ino + 1 }, runs: ['["arg1"]', '["x"]'] }, data);
    const r = run();
    expect(r.status).toBe(0);
    expect(r.stdout).toBe('alpha arg1 true');
    expect(readCache().header).toEqual({ bundle: readManifest().bundle, runs: ['["arg1"]'] });
  });
});

describe('a checkout this user cannot write (read-only, or someone else\'s)', () => {
  const IS_ROOT = process.getuid?.() === 0;
  // As root, permissions do not apply: the checkout is root's, and the launcher runs as nobody.
  const user = IS_ROOT ? { uid: 65534, gid: 65534 } : {};
  const uid = IS_ROOT ? 65534 : process.getuid?.();
  const source = "import * as path from 'path';\nprocess.stdout.write(`${path.relative(process.cwd(), __dirname)} ${process.argv.slice(2).join(',')}`);\n";
  let root: string;
  let tmp: string;
  const launch = (...args: string[]) => spawnSync(process.execPath, ['tools/launcher/run.cjs', 'entry.ts', ...args], { cwd: root, env: { ...process.env, TMPDIR: tmp }, encoding: 'utf8', ...user });

  afterAll(() => {
    for (const d of [root, tmp]) {
      if (d) spawnSync('chmod', ['-R', 'u+w', d]);
      if (d) fs.rmSync(d, { recursive: true, force: true });
    }
  });

  test('bundles into a private folder under the temp folder, runs from there as if from .build, and reuses it', () => {
    root = launcherProject(source);
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'lh-launcher-tmp-'));
    fs.chmodSync(tmp, 0o777);
    if (!IS_ROOT) fs.chmodSync(root, 0o555);
    const first = launch('a');
    expect(first.status, first.stderr).toBe(0);
    // Its __dirname is .build of the project, so code that finds the project from there still does.
    expect(first.stdout).toBe('.build a');
    const folder = path.join(tmp, `local-hands-build-${uid}`);
    expect(first.stderr).toMatch(new RegExp(`^local-hands: bundling entry.ts \\(no bundle yet; into ${folder}/\\w{12}, as ${root}/.build is not writable: permission denied \\(EACCES\\)\\)\\n$`));
    expect(fs.existsSync(path.join(root, '.build'))).toBe(false);
    expect((fs.statSync(folder).mode & 0o777).toString(8)).toBe('700');
    const second = launch('b');
    expect(second.status, second.stderr).toBe(0);
    expect(second.stdout).toBe('.build b');
    expect(second.stderr).toBe('');
  });

  test('a private folder others may write is never used: one line saying what to do', () => {
    const folder = path.join(tmp, `local-hands-build-${uid}`);
    fs.rmSync(folder, { recursive: true, force: true });
    // Planted by someone else: were it used, they could put a bundle there for this user to run.
    fs.mkdirSync(folder, { mode: 0o777 });
    fs.chmodSync(folder, 0o777);
    const r = launch('a');
    expect(r.status).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe(`local-hands: cannot write the launcher's build folder ${root}/.build (permission denied (EACCES)), nor a private one under the temp folder `
      + `(${folder} is not a private folder of this user (another user's, or others may write it)): make ${root}/.build writable, or run once as a user who may write it\n`);
    expect(fs.readdirSync(folder)).toEqual([]);
  });
});
