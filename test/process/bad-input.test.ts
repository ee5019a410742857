// Bad input through whole processes, as a user meets it: environment variables, flags, filesystem states and
// props, each run against a scratch clone of this project. Every case must exit non-zero with one line that
// says what is wrong, without a stack trace, and leave every file of the clone byte for byte as it was.
// (The constructs' own bad-prop tables, the config loader's and the output module's cases are in their files.)
import { spawnSync } from 'child_process';
import * as crypto from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { ROOT } from '../util';

// Named at collection time, so each case can name its paths; filled in by beforeAll.
const top = fs.mkdtempSync(path.join(os.tmpdir(), 'lh-bad-input-'));
const clone = path.join(top, 'clone');
const outside = path.join(top, 'outside');

/** Every file below `dir` (but the clone's installed and built folders) with a hash of its bytes. */
function tree(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      if (['node_modules', '.build'].includes(e.name) && d === clone) continue;
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else out[path.relative(dir, p)] = e.isSymbolicLink() ? `-> ${fs.readlinkSync(p)}` : crypto.createHash('sha1').update(fs.readFileSync(p)).digest('hex');
    }
  };
  walk(dir);
  return out;
}

function run(entry: string, args: string[], env: Record<string, string | undefined>) {
  const e: Record<string, string> = { ...process.env, LOCAL_HANDS_QUIET_BUILD: '1' } as Record<string, string>;
  for (const [k, v] of Object.entries(env)) if (v === undefined) delete e[k]; else e[k] = v;
  return spawnSync(process.execPath, [path.join(clone, 'tools', 'launcher', 'run.cjs'), entry, ...args], { cwd: clone, env: e, encoding: 'utf8' });
}

beforeAll(() => {
  spawnSync('git', ['clone', '-q', '--local', ROOT, clone]);
  // The working tree as it is now (tests run before a commit too), without what git ignores.
  for (const f of spawnSync('git', ['ls-files', '-co', '--exclude-standard'], { cwd: ROOT, encoding: 'utf8' }).stdout.split('\n').filter(Boolean)) {
    if (!fs.existsSync(path.join(ROOT, f))) continue;
    fs.mkdirSync(path.dirname(path.join(clone, f)), { recursive: true });
    fs.copyFileSync(path.join(ROOT, f), path.join(clone, f));
  }
  fs.symlinkSync(path.join(ROOT, 'node_modules'), path.join(clone, 'node_modules'));
  fs.mkdirSync(path.join(outside, 'foreign'), { recursive: true });
  fs.writeFileSync(path.join(outside, 'foreign', 'notes.txt'), 'mine\n');
  fs.writeFileSync(path.join(outside, 'a-file'), 'mine\n');
  fs.symlinkSync(path.join(outside, 'nowhere'), path.join(outside, 'dangling'));
  // Warm the clone's bundles so a case's output is only its own.
  run('main.ts', [], { CDK8S_OUTDIR: path.join(top, 'warm', 'dist'), LOCAL_HANDS_KIND_DIR: path.join(top, 'warm', 'kind') });
  run('test/fixtures/stack-app.ts', [], { CDK8S_OUTDIR: path.join(top, 'warm', 'dist'), LOCAL_HANDS_KIND_DIR: path.join(top, 'warm', 'kind') });
  run('scripts/sandbox.ts', ['--help'], {});
}, 120_000);

afterAll(() => fs.rmSync(top, { recursive: true, force: true }));

type Case = [name: string, entry: string, args: string[], env: Record<string, string | undefined>, code: number, message: RegExp];
const synth = (name: string, env: Record<string, string | undefined>, message: RegExp, args: string[] = [], code = 1): Case =>
  [name, 'main.ts', args, env, code, message];
const o = (rel: string) => path.join(outside, rel);
const HOME = os.homedir();

const CASES: Case[] = [
  // Output folders from the environment.
  synth('CDK8S_OUTDIR empty', { CDK8S_OUTDIR: '' }, /CDK8S_OUTDIR "": is empty: name the folder to write into/),
  synth('CDK8S_OUTDIR blank', { CDK8S_OUTDIR: '   ' }, /CDK8S_OUTDIR "   ": is empty/),
  synth('CDK8S_OUTDIR .', { CDK8S_OUTDIR: '.' }, /CDK8S_OUTDIR ".": is the project root/),
  synth('CDK8S_OUTDIR ./', { CDK8S_OUTDIR: './' }, /CDK8S_OUTDIR "\.\/": is the project root/),
  synth('CDK8S_OUTDIR ..', { CDK8S_OUTDIR: '..' }, /CDK8S_OUTDIR "\.\.": is .*, which holds the project root/),
  synth('CDK8S_OUTDIR /', { CDK8S_OUTDIR: '/' }, /CDK8S_OUTDIR "\/": is the filesystem root/),
  synth('CDK8S_OUTDIR the home folder', { CDK8S_OUTDIR: HOME }, /is the home folder|holds the project root|holds the home folder/),
  synth('CDK8S_OUTDIR src (the sources)', { CDK8S_OUTDIR: 'src' }, /CDK8S_OUTDIR "src": holds .*, which local-hands did not write/),
  synth('CDK8S_OUTDIR .git', { CDK8S_OUTDIR: '.git' }, /CDK8S_OUTDIR "\.git": holds .*, which local-hands did not write/),
  synth('CDK8S_OUTDIR an existing file', { CDK8S_OUTDIR: 'package.json' }, /CDK8S_OUTDIR "package\.json": is a file, not a folder/),
  synth('CDK8S_OUTDIR inside a file', { CDK8S_OUTDIR: 'package.json/dist' }, /is inside .*package\.json, which is a file, not a folder/),
  synth('CDK8S_OUTDIR a folder of someone else\'s files', { CDK8S_OUTDIR: o('foreign') }, /holds "notes\.txt", which local-hands did not write/),
  synth('CDK8S_OUTDIR a dangling symlink', { CDK8S_OUTDIR: o('dangling') }, /is a symbolic link to nothing/),
  synth('CDK8S_OUTDIR the kind folder', { CDK8S_OUTDIR: 'kind' }, /is the same folder as|holds "cluster\.yaml"/),
  synth('LOCAL_HANDS_KIND_DIR empty', { LOCAL_HANDS_KIND_DIR: '' }, /LOCAL_HANDS_KIND_DIR "": is empty/),
  synth('LOCAL_HANDS_KIND_DIR empty, with a profile that writes no KIND config', { LOCAL_HANDS_KIND_DIR: '' }, /LOCAL_HANDS_KIND_DIR "": is empty/,
    ['--profile', 'production', '--domain', 'openhands.example.com']),
  synth('LOCAL_HANDS_KIND_DIR .', { LOCAL_HANDS_KIND_DIR: '.' }, /LOCAL_HANDS_KIND_DIR "\.": is the project root/),
  synth('LOCAL_HANDS_KIND_DIR an existing file', { LOCAL_HANDS_KIND_DIR: o('a-file') }, /LOCAL_HANDS_KIND_DIR ".*a-file": is a file, not a folder/),
  synth('LOCAL_HANDS_KIND_DIR a folder of someone else\'s files', { LOCAL_HANDS_KIND_DIR: o('foreign') }, /holds "notes\.txt", which local-hands did not write/),
  synth('LOCAL_HANDS_KIND_DIR the dist folder', { LOCAL_HANDS_KIND_DIR: 'dist' }, /holds .*ingress-nginx\.k8s\.yaml|is the same folder as/),
  synth('LOCAL_HANDS_KIND_DIR inside the output folder', { CDK8S_OUTDIR: o('new-out'), LOCAL_HANDS_KIND_DIR: path.join(o('new-out'), 'kind') }, /is inside/),
  synth('both folders the same new folder', { CDK8S_OUTDIR: o('same'), LOCAL_HANDS_KIND_DIR: o('same') }, /is the same folder as/),
  // Flags.
  synth('an unknown profile', {}, /--profile must be one of default.*, got "nope"/, ['--profile', 'nope'], 2),
  synth('a misspelt flag', {}, /Unknown option '--profle'/, ['--profle', 'default'], 2),
  synth('--profile twice', {}, /--profile is given more than once/, ['--profile', 'default', '--profile', 'default'], 2),
  synth('--profile without a value', {}, /--profile.*argument missing|--profile needs a value/, ['--profile'], 2),
  synth('--profile empty', {}, /--profile needs a value, got ""/, ['--profile='], 2),
  synth('a stray argument', {}, /Unexpected argument 'extra'|does not take positional arguments/, ['extra'], 2),
  // Props of the stack, through a whole process.
  ...([
    ['a host port out of range', { ingressNginx: { hostPorts: { http: 70000 } } }, /hostPorts\.http must be an integer in 1-65535, got 70000/],
    ['an unknown release', { ingressNginx: { version: '1.11.0' } }, /version must be a release in the table/],
    ['a misspelt IngressNginx prop', { ingressNginx: { replica: 2 } }, /replica must be absent: IngressNginx has no prop "replica"/],
    ['props that are not an object', { mirrordRbac: null }, /props must be an object of MirrordRbac props/],
    ['UbuntuDevWorkload props null', { ubuntuDev: null }, /props must be an object of UbuntuDevWorkload props/],
    ['a workload colliding with the controller', { ubuntuDev: { name: 'ingress-nginx-controller', namespace: 'ingress-nginx' } }, /Deployment ingress-nginx\/ingress-nginx-controller is defined twice/],
    ['an RBAC verb', { mirrordRbac: { extraRules: [{ apiGroups: [''], resources: ['pods'], verbs: ['read'] }] } }, /verbs\[0\] must be one of/],
    ['a KIND port mapped twice', { kind: { nodes: [{ role: 'control-plane', extraPortMappings: [{ containerPort: 80, hostPort: 80 }, { containerPort: 81, hostPort: 80 }] }] } }, /mapped once/],
    ['KIND without the controller\'s port', { kind: { nodes: [{ role: 'control-plane' }] } }, /is not mapped on nodes\[0\]/],
    ['a negative worker count', { kind: { workers: -1 } }, /workers must be an integer in 0-100, got -1/],
    ['a bad image tag', { ubuntuDev: { image: 'ubuntu:22.04:x' } }, /image must be an image reference/],
    ['replicas over host-port nodes', { ingressNginx: { replicas: 3 } }, /has 3 replicas binding host ports, but only 1 node/],
  ] as [string, object, RegExp][]).map(([name, props, message]): Case =>
    [`props: ${name}`, 'test/fixtures/stack-app.ts', [], { LOCAL_HANDS_TEST_STACK_PROPS: JSON.stringify(props) }, 1, message]),
  // The sandbox CLI.
  ...([
    ['no flags', [], 2, /missing --config and --sid/],
    ['an unknown flag', ['--sid', 'a', '--config', 'c', '--rout', 'x'], 2, /Unknown option '--rout'/],
    ['--sid twice', ['--sid', 'a', '--sid', 'b', '--config', 'c'], 2, /--sid is given more than once/],
    ['a missing config file', ['--sid', 'a', '--config', 'no-such.toml'], 1, /"no-such\.toml": cannot read the config file: it does not exist \(ENOENT\)/],
    ['a config that is a folder', ['--sid', 'a', '--config', 'src'], 1, /"src": cannot read the config file: it is a folder, not a file/],
    ['a config that is not TOML', ['--sid', 'a', '--config', 'package.json'], 1, /package\.json: is not valid TOML at line/],
    ['an upper-case sid', ['--sid', 'ABC', '--config', 'test/fixtures/every-option.toml'], 1, /sid must be a session id/],
    ['a 33-character sid', ['--sid', 'a'.repeat(33), '--config', 'test/fixtures/every-option.toml'], 1, /sid must be a session id of 1-32 characters/],
    ['a bad image', ['--sid', 'a', '--config', 'test/fixtures/every-option.toml', '--image', 'Bad Image'], 1, /image must be an image reference/],
    ['--out onto the config', ['--sid', 'a', '--config', 'test/fixtures/every-option.toml', '--out', 'test/fixtures/every-option.toml'], 1, /is the --config file/],
    ['--out onto a source file', ['--sid', 'a', '--config', 'test/fixtures/every-option.toml', '--out', 'README.md'], 1, /was not written by local-hands/],
    ['--out into a folder', ['--sid', 'a', '--config', 'test/fixtures/every-option.toml', '--out', 'src'], 1, /is a folder: name a file/],
    ['--out into a missing folder', ['--sid', 'a', '--config', 'test/fixtures/every-option.toml', '--out', 'no/such/out.yaml'], 1, /which does not exist/],
    ['--out empty', ['--sid', 'a', '--config', 'test/fixtures/every-option.toml', '--out', ''], 2, /--out needs a value, got ""/],
  ] as [string, string[], number, RegExp][]).map(([name, args, code, message]): Case =>
    [`sandbox: ${name}`, 'scripts/sandbox.ts', args, {}, code, message]),
  // Round four (issue 26): output places that used to be accepted.
  synth('CDK8S_OUTDIR a new folder inside .git', { CDK8S_OUTDIR: '.git/dist' }, /^local-hands: CDK8S_OUTDIR "\.git\/dist": is inside \/.*\/\.git, a git repository's own folder; local-hands never writes there\n$/),
  synth('CDK8S_OUTDIR a new folder named .git', { CDK8S_OUTDIR: o('new/.git') }, /CDK8S_OUTDIR ".*\/new\/\.git": is a git repository's own folder/),
  synth('CDK8S_OUTDIR inside the committed dist/', { CDK8S_OUTDIR: 'dist/sub' }, /^local-hands: CDK8S_OUTDIR "dist\/sub": is inside \/.*\/dist, an output folder of local-hands .*; choose a folder outside it\n$/),
  synth('LOCAL_HANDS_KIND_DIR inside the committed kind/', { CDK8S_OUTDIR: o('fresh-out'), LOCAL_HANDS_KIND_DIR: 'kind/sub' }, /LOCAL_HANDS_KIND_DIR "kind\/sub": is inside \/.*\/kind, an output folder of local-hands/),
  synth('-o onto a source folder (the cdk8s CLI\'s flag, not ours): src kept', {}, /^local-hands: Unknown option '-o'; npm run synth -- --help shows the usage\n$/, ['-o', 'src'], 2),
  synth('--output onto a source folder: src kept', {}, /^local-hands: Unknown option '--output'; npm run synth -- --help shows the usage\n$/, ['--output', 'src'], 2),
  // A user's own program through runSynth: App options our synth cannot honour, charts and objects cdk8s would write to one file.
  ...([
    ['outputFileExtension with a folder part', { app: { outputFileExtension: '/../escape.yaml' } }, /^the app: App option outputFileExtension must be the end of a file name, without .*, got "\/\.\.\/escape\.yaml"\n$/],
    ['yamlOutputType a folder per chart', { app: { yamlOutputType: 'FOLDER_PER_CHART_FILE_PER_RESOURCE' } }, /^the app: App option yamlOutputType must be one of YamlOutputType\.FILE_PER_CHART, .*, got YamlOutputType\.FOLDER_PER_CHART_FILE_PER_RESOURCE\n$/],
    ['two chart ids that cdk8s names one file', { spelledOut: 'Web' }, /^the app: chart 'Web' \(Web\) and chart '(web-\w{8})' \(\1\) would both be written to "\1\.k8s\.yaml" .*\n$/],
    ['one file per resource, one kind and name in two namespaces', { app: { yamlOutputType: 'FILE_PER_RESOURCE' }, objects: [['c', 'a', 'ConfigMap', 'x'], ['c', 'b', 'ConfigMap', 'x']] },
      /^the app: ConfigMap a\/x \(c\/o0\) and ConfigMap b\/x \(c\/o1\) would both be written to "ConfigMap\.x\.k8s\.yaml"/],
  ] as [string, object, RegExp][]).map(([name, spec, message]): Case =>
    [`app: ${name}`, 'test/fixtures/output-app.ts', [], { LOCAL_HANDS_TEST_APP: JSON.stringify(spec), CDK8S_OUTDIR: o('app-out'), LOCAL_HANDS_KIND_DIR: o('app-kind') }, 1, message]),
];

describe('bad input through whole processes: one line, the right exit code, nothing written or lost', () => {
  test(`${CASES.length} cases`, () => expect(CASES.length).toBeGreaterThanOrEqual(50));

  test.each(CASES)('%s', (name, entry, args, env, code, message) => {
    const before = { clone: tree(clone), outside: tree(outside) };
    const r = run(entry, args, env);
    const err = r.stderr.replace(/^local-hands: synth failed, nothing written to .*\n/, '');
    expect(r.status, `${name}: ${r.stderr}`).toBe(code);
    expect(err, name).toMatch(message);
    expect(r.stderr, `${name}: a message, not a stack trace`).not.toMatch(/\n\s+at /);
    // A usage error is one line, ending with how to ask for the usage (not the usage itself).
    if (code === 2) expect(r.stderr.trim().split('\n'), `${name}: one line`).toEqual([expect.stringMatching(/; npm run (synth|sandbox) -- --help shows the usage$/)]);
    expect({ clone: tree(clone), outside: tree(outside) }, `${name}: nothing written or lost`).toEqual(before);
  });
});

describe('the cdk8s CLI, which deletes its output folder before our code runs', () => {
  const cli = (args: string[]) => spawnSync(process.execPath, [path.join(clone, 'node_modules', 'cdk8s-cli', 'bin', 'cdk8s'), 'synth', '--check-upgrade=false', ...args], {
    cwd: clone, env: { ...process.env, LOCAL_HANDS_QUIET_BUILD: '1' }, encoding: 'utf8', timeout: 60_000,
  });

  test('`cdk8s synth` with the project\'s configuration writes .cdk8s/dist/ and keeps dist/ and a file of the user\'s there', () => {
    fs.writeFileSync(path.join(clone, 'dist', 'my-notes.yaml'), '# mine\n');
    try {
      const before = tree(path.join(clone, 'dist'));
      const r = cli([]);
      expect(r.status, r.stderr).toBe(0);
      expect(tree(path.join(clone, 'dist'))).toEqual(before);
      expect(fs.readdirSync(path.join(clone, '.cdk8s', 'dist')).filter(f => f.endsWith('.yaml')).sort()).toEqual(['ingress-nginx.k8s.yaml', 'mirrord-rbac.k8s.yaml', 'ubuntu-dev.k8s.yaml']);
    } finally {
      fs.rmSync(path.join(clone, 'dist', 'my-notes.yaml'));
      fs.rmSync(path.join(clone, '.cdk8s'), { recursive: true, force: true });
    }
  });

  test('`cdk8s synth -o FOLDER` still empties FOLDER before the app runs, as docs/setup.md warns', () => {
    const folder = path.join(top, 'cli-out');
    fs.mkdirSync(folder, { recursive: true });
    fs.writeFileSync(path.join(folder, 'precious.txt'), 'mine\n');
    try {
      cli(['-o', folder]);
      expect(fs.existsSync(path.join(folder, 'precious.txt'))).toBe(false);
      expect(fs.readFileSync(path.join(ROOT, 'docs', 'setup.md'), 'utf8')).toContain('`cdk8s synth -o FOLDER` still empties FOLDER');
    } finally {
      fs.rmSync(folder, { recursive: true, force: true });
    }
  });
});

test('CDK8S_OUTDIR=. npm run synth in a fresh clone keeps every file', () => {
  const before = tree(clone);
  const r = spawnSync('npm', ['run', '--silent', 'synth'], { cwd: clone, env: { ...process.env, CDK8S_OUTDIR: '.', LOCAL_HANDS_QUIET_BUILD: '1' }, encoding: 'utf8' });
  expect(r.status).toBe(1);
  expect(r.stderr).toContain('is the project root');
  expect(tree(clone)).toEqual(before);
});
