import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { ROOT } from '../util';

// The kind/docker half of the KIND workflow, with stand-ins for docker and kind first on PATH (no Docker
// engine exists here). The apply-and-wait half runs against a real control plane in test/cluster/.
let dir: string;
let log: string;
let state: string;
let bin: string;

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lh-kind-'));
  log = path.join(dir, 'calls.log');
  state = path.join(dir, 'clusters');
  bin = path.join(dir, 'bin');
  fs.mkdirSync(bin);
  fs.writeFileSync(log, '');
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

/** Puts the named stand-ins (and, if asked, the real kubectl) on a PATH of their own. */
function tools(...names: ('docker' | 'kind' | 'kubectl')[]): string {
  for (const n of names) {
    if (n === 'kubectl') {
      const real = spawnSync('sh', ['-c', 'command -v kubectl'], { encoding: 'utf8' }).stdout.trim();
      fs.symlinkSync(real, path.join(bin, 'kubectl'));
    } else {
      fs.copyFileSync(path.join(ROOT, 'test', 'fakes', n), path.join(bin, n));
      fs.chmodSync(path.join(bin, n), 0o755);
    }
  }
  return bin;
}

function kind(args: string[], env: Record<string, string>) {
  return spawnSync(process.execPath, ['tools/launcher/run.cjs', 'scripts/kind.ts', ...args], {
    cwd: ROOT,
    encoding: 'utf8',
    env: { HOME: dir, KUBECONFIG: path.join(dir, 'kubeconfig'), FAKE_LOG: log, FAKE_KIND_STATE: state, LOCAL_HANDS_QUIET_BUILD: '1', ...env },
  });
}
const calls = () => fs.readFileSync(log, 'utf8').trim().split('\n').filter(Boolean);

describe('npm run kind:up preflight', () => {
  test('docker daemon down: its own message, exit 1, kind never asked to create anything', () => {
    const r = kind(['up'], { PATH: tools('docker', 'kind', 'kubectl'), FAKE_DOCKER_DOWN: '1' });
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('the Docker daemon is not reachable (Cannot connect to the Docker daemon');
    expect(r.stderr).toContain('start Docker');
    expect(r.stderr).toContain('nothing was changed');
    expect(calls().filter(c => c.startsWith('kind ') && !c.startsWith('kind version'))).toEqual([]);
  });

  test('docker missing', () => {
    const r = kind(['up'], { PATH: tools('kind', 'kubectl') });
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('docker is not on PATH: install Docker Engine or Docker Desktop');
  });

  test('kind missing', () => {
    const r = kind(['up'], { PATH: tools('docker', 'kubectl') });
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('kind is not on PATH: install it (https://kind.sigs.k8s.io/');
    expect(r.stderr).not.toContain('docker is not');
  });

  test('kubectl missing', () => {
    const r = kind(['up'], { PATH: tools('docker', 'kind') });
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('kubectl is not on PATH: install it (https://kubernetes.io/docs/tasks/tools/#kubectl)');
  });

  test('everything missing: one message per tool, nothing written', () => {
    const before = fs.readdirSync(dir).sort();
    const r = kind(['up'], { PATH: bin });
    expect(r.status).toBe(1);
    expect(r.stderr.match(/is not on PATH/g)).toHaveLength(3);
    expect(fs.readdirSync(dir).sort()).toEqual(before);
    expect(fs.existsSync(state)).toBe(false);
  });

  test('versions are reported when the tools are there', () => {
    const r = kind(['up', '--timeout', '1'], { PATH: tools('docker', 'kind', 'kubectl') });
    expect(r.stdout).toContain('docker  server 28.2.2');
    expect(r.stdout).toContain('kind    kind v0.29.0');
    expect(r.stdout).toMatch(/kubectl Client Version: v1\.\d+/);
  });
});

describe('npm run kind:up creates the cluster only when absent', () => {
  test('absent: kind create cluster with the name and the synthesized config', () => {
    const r = kind(['up', '--timeout', '1'], { PATH: tools('docker', 'kind', 'kubectl') });
    expect(calls()).toContain(`kind create cluster --name local-hands --config ${path.join(ROOT, 'kind', 'cluster.yaml')}`);
    // No cluster behind the stand-in: the apply half fails here; test/cluster/ runs it for real.
    expect(r.status).toBe(1);
    expect(r.stdout).toContain('applying dist/ with context kind-local-hands');
  });

  test('present: not created again', () => {
    fs.writeFileSync(state, 'local-hands\n');
    const r = kind(['up', '--timeout', '1', '--name', 'local-hands'], { PATH: tools('docker', 'kind', 'kubectl') });
    expect(r.stdout).toContain('cluster local-hands exists: not creating it.');
    expect(calls().some(c => c.startsWith('kind create'))).toBe(false);
  });
});

describe('npm run kind:down', () => {
  test('deletes the cluster', () => {
    fs.writeFileSync(state, 'local-hands\nother\n');
    const r = kind(['down'], { PATH: tools('docker', 'kind') });
    expect(r.status).toBe(0);
    expect(calls()).toContain('kind delete cluster --name local-hands');
    expect(fs.readFileSync(state, 'utf8')).toBe('other\n');
  });

  test('no error when the cluster is absent', () => {
    const r = kind(['down', '--name', 'gone'], { PATH: tools('docker', 'kind') });
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('no cluster named gone: nothing to delete.');
    expect(calls().some(c => c.startsWith('kind delete'))).toBe(false);
  });

  test('no error when Docker or kind is missing: no cluster can be running', () => {
    const r = kind(['down'], { PATH: tools('kind') });
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('no cluster named local-hands can be running without them: nothing to delete.');
    expect(calls().some(c => c.startsWith('kind delete'))).toBe(false);
  });
});

describe('bad usage', () => {
  test.each([
    [['sideways'], /^kind: unknown command "sideways": use up, down, status; npm run kind:up -- --help shows the usage\n$/],
    [[], /^kind: missing the command: use up, down, status; npm run kind:up -- --help shows the usage\n$/],
    [['up', 'extra'], /^kind:up: unexpected argument "extra" \(only flags follow the command\); npm run kind:up -- --help shows the usage\n$/],
    [['up', '--bogus'], /^kind:up: Unknown option '--bogus'.*; npm run kind:up -- --help shows the usage\n$/],
    [['status', '--bogus'], /^status: Unknown option '--bogus'.*; npm run status -- --help shows the usage\n$/],
    [['up', '--timeout', 'soon'], /^kind:up: --timeout must be a whole number of seconds above 0, got "soon"; npm run kind:up -- --help/],
    [['down', '--name', 'Local_Hands'], /^kind:down: --name must be a KIND cluster name.*; npm run kind:down -- --help/],
    [['up', '--config', 'no/such/cluster.yaml'], /--config no\/such\/cluster\.yaml: no such file/],
    [['status', '--profile', 'gateway'], /^status: --profile is for up only; npm run status -- --help/],
  ])('%j exits 2 with one line naming the help', (args, pattern) => {
    const r = kind(args as string[], { PATH: tools('docker', 'kind', 'kubectl') });
    expect(r.status).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(pattern as RegExp);
    expect(calls()).toEqual([]);
  });

  test('the help names the local-hands command when the bin runs it', () => {
    const r = kind(['status', '--bogus'], { PATH: tools('kubectl'), LOCAL_HANDS_BIN_COMMAND: 'local-hands status' });
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/^status: Unknown option '--bogus'.*; local-hands status --help shows the usage\n$/);
  });

  test('--help prints the usage on stdout and exits 0', () => {
    const r = kind(['up', '--help'], { PATH: tools('docker', 'kind', 'kubectl') });
    expect(r.status).toBe(0);
    expect(r.stderr).toBe('');
    expect(r.stdout).toMatch(/^usage: npm run kind:up\|kind:down\|status -- .*\n  --name /);
    expect(calls()).toEqual([]);
  });
});

test('status without a cluster says so and exits 1, as the README says (2 is for an unusable command line)', () => {
  const r = kind(['status'], { PATH: tools('kubectl') });
  expect(r.status).toBe(1);
  expect(fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8')).toMatch(/npm run status .*\(exit 1 if any/);
  expect(r.stderr).toContain('cannot reach context kind-local-hands');
});
