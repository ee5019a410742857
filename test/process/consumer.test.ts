// Someone else's project: `npm pack`, then a fresh consumer outside the repository installs the tarball, the peers and
// TypeScript offline from the npm cache (npm ci put them there: the peers' newest are our devDependencies, their lowest
// the `*-lowest` aliases, the compilers test/process/consumer-toolchain), compiles the README's example with `strict`
// and no `types` (and no @types/node) on the newest and the oldest TypeScript we support, runs it, and runs the bin.
import { execFileSync, spawnSync } from 'child_process';
import { createHash } from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { exampleBuild } from '../../app/profiles';
import { synthToDir } from '../../app/synth';
import { ROOT, parseDocs, readTree } from '../util';

interface LockEntry {
  readonly name?: string;
  readonly version: string;
  readonly os?: unknown;
  readonly cpu?: unknown;
  readonly dependencies?: Record<string, string>;
  readonly optionalDependencies?: Record<string, string>;
  readonly [k: string]: unknown;
}
const PACKAGE = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
const LOCK: Record<string, LockEntry> = JSON.parse(fs.readFileSync(path.join(ROOT, 'package-lock.json'), 'utf8')).packages;
const TOOLCHAIN = 'test/process/consumer-toolchain';
const PEERS = Object.keys(PACKAGE.peerDependencies) as string[];

/** The README's example of importing the constructs: the first `ts` block of its section, taken from the README itself. */
function readmeExample(): string {
  const readme = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');
  const section = readme.split(/^## /m).find(s => s.startsWith('Use a construct in your own chart'));
  const block = section && /```ts\n([\s\S]*?)```/.exec(section)?.[1];
  if (!block) throw new Error("README.md has no ts example under '## Use a construct in your own chart'");
  return block;
}

/** The lowest version a peer range of ours allows: they are all `^x.y.z`, which the `*-lowest` aliases pin. */
function lowest(range: string): string {
  const m = /^\^(\d+\.\d+\.\d+)$/.exec(range);
  if (!m) throw new Error(`peer range ${range}: expected ^x.y.z`);
  return m[1];
}

/**
 * The package as `npm publish` would pack it, from a staging copy (so that the repository's lib/ is neither read nor
 * rewritten while another test packs it): lib/ compiled afresh by tsconfig.lib.json, then the rest of `files`.
 */
function pack(into: string): string {
  const stage = path.join(into, 'stage');
  const tsc = spawnSync(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', 'tsconfig.lib.json', '--outDir', path.join(stage, 'lib')], { cwd: ROOT, encoding: 'utf8' });
  if (tsc.status !== 0) throw new Error(`tsc -p tsconfig.lib.json failed:\n${tsc.stdout}${tsc.stderr}`);
  for (const f of [...PACKAGE.files.filter((f: string) => f !== 'lib'), 'package.json', 'README.md', 'LICENSE']) {
    fs.cpSync(path.join(ROOT, f), path.join(stage, f), { recursive: true });
  }
  const packed = JSON.parse(execFileSync('npm', ['pack', '--json', '--ignore-scripts', '--pack-destination', into], { cwd: stage, encoding: 'utf8' }))[0];
  return path.join(into, packed.filename);
}

/** Where Node would find `dep` from the package at lock path `from` (its own node_modules, then its parents'), if anywhere. */
function findInLock(from: string, dep: string): string | undefined {
  for (let dir = from; ; dir = dir.includes('/node_modules/') ? dir.slice(0, dir.lastIndexOf('/node_modules/')) : '') {
    const candidate = `${dir ? `${dir}/` : ''}node_modules/${dep}`;
    if (LOCK[candidate]) return candidate;
    if (!dir) return undefined;
  }
}

function resolveInLock(from: string, dep: string): string {
  const found = findInLock(from, dep);
  if (found === undefined) throw new Error(`package-lock.json: no ${dep} for ${from || 'the root'}`);
  return found;
}

/**
 * A consumer's lock entries: each of `roots` (consumer path: our lock's path) with everything below it, and what they
 * depend on, placed at the consumer's top level.
 */
function consumerLock(roots: Record<string, string>): Record<string, LockEntry> {
  const out: Record<string, LockEntry> = {};
  const place = (to: string, from: string) => {
    for (const [k, v] of Object.entries(LOCK)) {
      if (k !== from && !k.startsWith(`${from}/node_modules/`)) continue;
      const at = to + k.slice(from.length);
      const { entry, deps } = consumerEntry(k, v, at);
      out[at] = entry;
      for (const [dep, source] of deps) if (!source.startsWith(`${from}/`) && !out[`node_modules/${dep}`]) place(`node_modules/${dep}`, source);
    }
  };
  for (const [to, from] of Object.entries(roots)) place(to, from);
  return out;
}

/**
 * Our lock's entry `k` as the consumer's lock has it at `at`, and where what it depends on is in our lock. Optional
 * dependencies only when built for a platform (TypeScript 7's compiler): the optional `backport` of cdk8s and
 * cdk8s-plus-27, a release tool of theirs, is left out of their entries too (or npm ci would miss it); it has no part in
 * compiling or synthesizing, and its hundred packages would triple the install.
 */
function consumerEntry(k: string, v: LockEntry, at: string): { entry: LockEntry; deps: (readonly [string, string])[] } {
  const { dev, devOptional, peer, name, optionalDependencies = {}, ...rest } = v;
  const platform = Object.keys(optionalDependencies).flatMap(d => {
    const source = findInLock(k, d);
    return source !== undefined && (LOCK[source].os !== undefined || LOCK[source].cpu !== undefined) ? [[d, source] as const] : [];
  });
  const entry: LockEntry = {
    ...(name !== undefined && !at.endsWith(`node_modules/${name}`) ? { name } : {}),
    ...rest,
    ...(platform.length > 0 ? { optionalDependencies: Object.fromEntries(platform.map(([d]) => [d, optionalDependencies[d]])) } : {}),
  };
  return { entry, deps: [...Object.keys(v.dependencies ?? {}).map(d => [d, resolveInLock(k, d)] as const), ...platform] };
}

/** A fresh project in `dir` with the tarball, the peers of `peers` and both compilers, installed offline by npm ci. */
function installConsumer(dir: string, tarball: string, peers: 'newest' | 'lowest'): void {
  const lockPath = (peer: string) => (peers === 'newest' ? `node_modules/${peer}` : `node_modules/${peer}-lowest`);
  const roots: Record<string, string> = {
    'node_modules/typescript': `${TOOLCHAIN}/node_modules/typescript`,
    'node_modules/typescript-oldest': resolveInLock(TOOLCHAIN, 'typescript-oldest'),
    ...Object.fromEntries(PEERS.map(p => [`node_modules/${p}`, lockPath(p)])),
  };
  const dependencies: Record<string, string> = Object.fromEntries(Object.entries(roots).map(([to, from]) => {
    const name = to.slice('node_modules/'.length);
    return [name, LOCK[from].name && LOCK[from].name !== name ? `npm:${LOCK[from].name}@${LOCK[from].version}` : LOCK[from].version];
  }));
  const file = path.basename(tarball);
  fs.copyFileSync(tarball, path.join(dir, file));
  const integrity = `sha512-${createHash('sha512').update(fs.readFileSync(tarball)).digest('base64')}`;
  const { version, license, dependencies: deps, peerDependencies, bin, engines } = PACKAGE;
  const project = { name: 'consumer', version: '1.0.0', dependencies: { ...dependencies, 'local-hands': `file:${file}` } };
  const packages: Record<string, unknown> = {
    '': project,
    'node_modules/local-hands': { version, resolved: `file:${file}`, integrity, license, dependencies: deps, peerDependencies, bin, engines },
    ...consumerLock({ ...roots, ...Object.fromEntries(Object.keys(deps).map(d => [`node_modules/${d}`, `node_modules/${d}`])) }),
  };
  fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ ...project, private: true }, null, 2));
  fs.writeFileSync(path.join(dir, 'package-lock.json'), JSON.stringify({ name: 'consumer', version: '1.0.0', lockfileVersion: 3, requires: true, packages }, null, 2));
  const r = spawnSync('npm', ['ci', '--offline', '--no-audit', '--no-fund', '--ignore-scripts'], { cwd: dir, encoding: 'utf8' });
  if (r.status !== 0) {
    throw new Error(`npm ci --offline in the consumer failed (the npm cache must hold what the repository's npm ci fetched: run npm ci):\n${r.stderr}`);
  }
}

const run = (dir: string, cmd: string, args: string[]) => spawnSync(cmd, args, { cwd: dir, encoding: 'utf8', env: { ...process.env, CDK8S_OUTDIR: undefined, LOCAL_HANDS_KIND_DIR: undefined } });

/** The default profile as the repository synthesizes it (from source, the newest peers). */
let expected: { dist: Record<string, string>; kind: Record<string, string> };
let work: string;
let tarball: string;

beforeAll(() => {
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'lh-consumer-'));
  tarball = pack(work);
  synthToDir(exampleBuild('default'), path.join(work, 'expected', 'dist'), path.join(work, 'expected', 'kind'));
  expected = { dist: readTree(path.join(work, 'expected', 'dist')), kind: readTree(path.join(work, 'expected', 'kind')) };
}, 180_000);
afterAll(() => fs.rmSync(work, { recursive: true, force: true }), 60_000);

test('the lowest peers the tests install are the lowest our peer ranges allow', () => {
  for (const peer of PEERS) {
    expect(LOCK[`node_modules/${peer}-lowest`]?.version, `${peer}-lowest`).toBe(lowest(PACKAGE.peerDependencies[peer]));
    expect(LOCK[`node_modules/${peer}`].version.split('.')[0], `${peer} newest`).toBe(lowest(PACKAGE.peerDependencies[peer]).split('.')[0]);
  }
});

describe.each(['newest', 'lowest'] as const)('a consumer project with the %s peers', peers => {
  let dir: string;
  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(work, `${peers}-`));
    installConsumer(dir, tarball, peers);
    fs.writeFileSync(path.join(dir, 'main.ts'), readmeExample());
    // Strict, and no `types`: the package's types must not need @types/node (none is installed).
    fs.writeFileSync(path.join(dir, 'tsconfig.json'), JSON.stringify({
      compilerOptions: { target: 'ES2022', module: 'node16', moduleResolution: 'node16', strict: true },
      files: ['main.ts'],
    }));
  }, 120_000);

  test('has the peers it asked for, and no @types/node', () => {
    expect(fs.existsSync(path.join(dir, 'node_modules', '@types', 'node'))).toBe(false);
    for (const peer of PEERS) {
      const version = JSON.parse(fs.readFileSync(path.join(dir, 'node_modules', peer, 'package.json'), 'utf8')).version;
      expect(version).toBe(LOCK[peers === 'newest' ? `node_modules/${peer}` : `node_modules/${peer}-lowest`].version);
    }
  });

  test.each([['newest', 'typescript'], ['oldest', 'typescript-oldest']])("the README's example compiles on the %s TypeScript and synthesizes what it says", (_, ts) => {
    const tsc = run(dir, process.execPath, [path.join('node_modules', ts, 'bin', 'tsc'), '-p', 'tsconfig.json', '--outDir', `out-${ts}`]);
    expect(tsc.stdout + tsc.stderr).toBe('');
    expect(tsc.status).toBe(0);
    fs.rmSync(path.join(dir, 'dist'), { recursive: true, force: true });
    const synth = run(dir, process.execPath, [path.join(`out-${ts}`, 'main.js')]);
    expect(synth.stderr).toBe('');
    expectReadmeOutput(dir);
  }, 120_000);

  test('npx local-hands synth --help, then npx local-hands synth writes the default profile into dist/ and kind/', () => {
    const help = run(dir, 'npx', ['--offline', 'local-hands', 'synth', '--help']);
    expect(help.status).toBe(0);
    expect(help.stdout).toMatch(/^usage: local-hands synth \[--profile NAME\] \[--domain NAME\] \[-o DIR\]\n/);
    expect(help.stdout).toContain('gateway');
    fs.rmSync(path.join(dir, 'dist'), { recursive: true, force: true });
    const synth = run(dir, 'npx', ['--offline', 'local-hands', 'synth']);
    expect(synth.stderr).toBe('');
    expect(synth.status).toBe(0);
    expect(readTree(path.join(dir, 'dist'))).toEqual(expected.dist);
    expect(readTree(path.join(dir, 'kind'))).toEqual(expected.kind);
  }, 60_000);

  test('the bin: -o, --help for each command, and each usage error in one line with exit code 2', () => {
    const bin = (...args: string[]) => run(dir, process.execPath, [path.join('node_modules', '.bin', 'local-hands'), ...args]);
    const out = bin('synth', '--profile', 'production', '--domain', 'openhands.example.com', '-o', 'prod');
    expect(out.status, out.stderr).toBe(0);
    expect(fs.readdirSync(path.join(dir, 'prod'))).toContain('crds-traefik.k8s.yaml');
    for (const command of ['sandbox', 'kind', 'status']) {
      const help = bin(command, '--help');
      expect(help.status, command).toBe(0);
      expect(help.stdout, command).toMatch(new RegExp(`^usage: local-hands ${command} \\[flags\\]: .*\nusage: .*--`));
    }
    expect(bin('--help').stdout).toMatch(/^usage: local-hands <command>/);
    // kind up runs in the consumer's folder (not refused): without Docker on PATH its preflight stops it, changing nothing.
    const bare = fs.mkdtempSync(path.join(os.tmpdir(), 'lh-consumer-path-'));
    fs.symlinkSync(process.execPath, path.join(bare, 'node'));
    const up = spawnSync(process.execPath, [path.join('node_modules', '.bin', 'local-hands'), 'kind', 'up'], { cwd: dir, encoding: 'utf8', env: { ...process.env, PATH: bare } });
    fs.rmSync(bare, { recursive: true, force: true });
    expect(up.status, up.stderr).toBe(1);
    expect(up.stderr).toMatch(/docker is not on PATH/);
    // A usage error is one line naming the help of the command given (local-hands --help without one), exit code 2.
    for (const [args, line] of [
      [['deploy'], 'local-hands: unknown command "deploy": use synth, sandbox, kind, status; local-hands --help shows the usage'],
      [[], 'local-hands: missing the command: use synth, sandbox, kind, status; local-hands --help shows the usage'],
      [['synth', '--bogus'], "local-hands: Unknown option '--bogus'; local-hands synth --help shows the usage"],
      [['synth', '--profile', 'production'], 'local-hands: --profile production needs --domain NAME (the DNS name OpenHands is served at, e.g. --domain openhands.example.com); local-hands synth --help shows the usage'],
      [['synth', '-o'], 'local-hands: -o needs a folder, e.g. -o dist; local-hands synth --help shows the usage'],
      [['sandbox', '--bogus'], "sandbox: Unknown option '--bogus'; local-hands sandbox --help shows the usage"],
      [['kind', 'sideways'], 'kind: unknown command "sideways": use up, down, status; local-hands kind --help shows the usage'],
      [['status', '--bogus'], /^status: Unknown option '--bogus'.*; local-hands status --help shows the usage$/],
    ] as [string[], string | RegExp][]) {
      const r = bin(...args);
      expect(r.status, args.join(' ')).toBe(2);
      expect(r.stdout, args.join(' ')).toBe('');
      expect(r.stderr.trim().split('\n'), args.join(' ')).toHaveLength(1);
      if (typeof line === 'string') expect(r.stderr, args.join(' ')).toBe(`${line}\n`);
      else expect(r.stderr.trim(), args.join(' ')).toMatch(line);
    }
  }, 60_000);
});

/** What the README says its example writes: team-a's controller, RBAC, dev workload and sandbox session. */
function expectReadmeOutput(dir: string): void {
  const docs = parseDocs(fs.readFileSync(path.join(dir, 'dist', 'team-a.k8s.yaml'), 'utf8'));
  const get = (kind: string, name?: string) => docs.find(d => d.kind === kind && (name === undefined || d.metadata.name === name));
  expect(get('Namespace').metadata.name).toBe('team-a-ingress-nginx');
  expect(get('Deployment', 'team-a-ingress-nginx-controller').metadata.namespace).toBe('team-a-ingress-nginx');
  expect(get('PodDisruptionBudget').metadata.namespace).toBe('team-a-ingress-nginx');
  expect(get('IngressClass').metadata.name).toBe('team-a-nginx');
  expect(get('ClusterRole', 'team-a-ingress-nginx')).toBeDefined();
  expect(get('Role', 'mirrord-role').metadata.namespace).toBe('team-a');
  expect(get('Role', 'mirrord-role').rules).toEqual([
    { apiGroups: [''], resources: ['pods', 'persistentvolumeclaims', 'services'], verbs: ['get', 'create', 'delete'] },
    { apiGroups: ['networking.k8s.io'], resources: ['ingresses'], verbs: ['get', 'create', 'delete'] },
  ]);
  expect(get('Deployment', 'ubuntu-dev').metadata.namespace).toBe('team-a');
  // The sandbox lives where the least-privilege Role is, and its Ingress names the team's class.
  const session = docs.filter(d => d.metadata.name.startsWith('openhands-runtime-demo'));
  expect(session.map(d => `${d.kind} ${d.metadata.namespace}`)).toEqual(['PersistentVolumeClaim team-a', 'Pod team-a', 'Service team-a', 'Service team-a', 'Ingress team-a']);
  expect(get('Ingress').spec.ingressClassName).toBe('team-a-nginx');
  expect(fs.readFileSync(path.join(dir, 'dist', '.local-hands-output'), 'utf8')).toContain('team-a.k8s.yaml');
  // The chart's namespace must not leak onto cluster-scoped objects.
  for (const kind of ['Namespace', 'ClusterRole', 'ClusterRoleBinding', 'IngressClass', 'ValidatingWebhookConfiguration']) {
    for (const d of docs.filter(x => x.kind === kind)) expect(d.metadata.namespace, `${kind} ${d.metadata.name}`).toBeUndefined();
  }
}
