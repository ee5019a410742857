// What `npm publish` would publish: `npm pack` in the repository (its prepack empties lib/, its prepare compiles it
// afresh), then the tarball's manifest and files, and `npm publish --dry-run` on them. test/process/consumer.test.ts
// installs such a tarball into a project of someone else's.
import { execFileSync, spawnSync } from 'child_process';
import * as fs from 'fs';
import { builtinModules } from 'module';
import * as os from 'os';
import * as path from 'path';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { ROOT } from '../util';

let dir: string;
let files: string[];
let manifest: any;
const unpacked = (...p: string[]) => path.join(dir, 'package', ...p);

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lh-package-'));
  const packed = JSON.parse(execFileSync('npm', ['pack', '--json', '--pack-destination', dir], { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }))[0];
  files = packed.files.map((f: { path: string }) => f.path);
  fs.mkdirSync(unpacked());
  execFileSync('tar', ['-xzf', path.join(dir, packed.filename), '-C', unpacked(), '--strip-components=1']);
  manifest = JSON.parse(fs.readFileSync(unpacked('package.json'), 'utf8'));
}, 180_000);
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

test('publishable: not private, cdk8s, constructs and cdk8s-plus-27 as peers, keywords, and a bin', () => {
  expect(manifest.private).toBeUndefined();
  expect(Object.keys(manifest.peerDependencies).sort()).toEqual(['cdk8s', 'cdk8s-plus-27', 'constructs']);
  for (const peer of Object.keys(manifest.peerDependencies)) expect(manifest.dependencies[peer], peer).toBeUndefined();
  expect(manifest.keywords).toEqual(expect.arrayContaining(['cdk8s', 'kubernetes', 'openhands', 'kind', 'traefik', 'gateway-api', 'ingress-nginx']));
  expect(manifest.bin).toEqual({ 'local-hands': 'lib/scripts/local-hands.js' });
  expect(fs.readFileSync(unpacked('lib', 'scripts', 'local-hands.js'), 'utf8')).toMatch(/^#!\/usr\/bin\/env node\n/);
});

test('the tarball holds lib/, the vendored CRDs, API.md, LICENSE, the README and docs/, and nothing else', () => {
  const allowed = /^(lib\/.+\.(js|d\.ts)|constructs\/vendored\/[^/]+\.(json|yaml)|docs\/[^/]+\.md|API\.md|LICENSE|README\.md|package\.json)$/;
  expect(files.filter(f => !allowed.test(f))).toEqual([]);
  const docs = fs.readdirSync(path.join(ROOT, 'docs')).map(f => `docs/${f}`);
  expect(files).toEqual(expect.arrayContaining(['API.md', 'LICENSE', 'README.md', 'lib/index.js', 'lib/index.d.ts', ...docs]));
});

test('lib/ is compiled afresh: every file has its source, and none reaches into cdk8s/lib/ or swaps a prototype', () => {
  const lib = files.filter(f => f.startsWith('lib/'));
  expect(lib.filter(f => !fs.existsSync(path.join(ROOT, f.replace(/^lib\//, '').replace(/(\.d\.ts|\.js)$/, '.ts'))))).toEqual([]);
  expect(lib.filter(f => /cdk8s\/lib\/|prototype\.toJson/.test(fs.readFileSync(unpacked(f), 'utf8')))).toEqual([]);
});

test('the declarations need no @types/node: none imports a Node.js module or names Buffer or NodeJS', () => {
  const builtins = builtinModules.filter(m => !m.startsWith('_')).map(m => m.replace(/[/]/g, '\\/')).join('|');
  const nodeOnly = new RegExp(`from '(node:)?(${builtins})'|import\\('(node:)?(${builtins})'\\)|\\bBuffer\\b|\\bNodeJS\\.|types="node"`);
  const code = (f: string) => fs.readFileSync(unpacked(f), 'utf8').replace(/\/\*[\s\S]*?\*\/|\/\/(?!\/ <reference).*$/gm, '');
  expect(files.filter(f => f.endsWith('.d.ts') && nodeOnly.test(code(f)))).toEqual([]);
});

test('npm publish --dry-run warns of nothing but the login a dry run does without', () => {
  const r = spawnSync('npm', ['publish', '--dry-run', '--offline', '--ignore-scripts'], { cwd: unpacked(), encoding: 'utf8' });
  expect(r.status, r.stderr).toBe(0);
  expect(r.stderr.split('\n').filter(l => /^npm warn/.test(l) && !/requires you to be logged in/.test(l))).toEqual([]);
  expect(r.stdout).toContain(`+ ${manifest.name}@${manifest.version}`);
});
