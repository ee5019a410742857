import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, Chart } from 'cdk8s';
import { describe, expect, test } from 'vitest';
import { SandboxRuntime } from '../index';
import { REFERENCE, ROOT } from './util';

const CONFIG = path.join(REFERENCE, 'openhands-kind', 'config.kubernetes.toml');
const run = (...args: string[]) => spawnSync(process.execPath, ['tools/launcher/run.cjs', 'scripts/sandbox.ts', ...args], {
  cwd: ROOT, encoding: 'utf8', env: { ...process.env, LOCAL_HANDS_QUIET_BUILD: '1' },
});

function expectedYaml(sid: string, image?: string): string {
  const app = new App({ outdir: '/nonexistent' });
  new SandboxRuntime(new Chart(app, 'sandbox'), 'session', { sid, image });
  return app.synthYaml();
}

describe('npm run sandbox', () => {
  test('prints the session YAML on stdout', () => {
    const r = run('--config', CONFIG, '--sid', 'abc');
    expect(r.status).toBe(0);
    expect(r.stdout).toBe(expectedYaml('abc'));
  });

  test('--image and --out write the file', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lh-sandbox-'));
    const out = path.join(dir, 'session.yaml');
    const r = run('--config', CONFIG, '--sid', 'abc', '--image', 'example.com/runtime:1', '--out', out);
    expect(r.status).toBe(0);
    expect(r.stdout).toBe('');
    expect(fs.readFileSync(out, 'utf8')).toBe(expectedYaml('abc', 'example.com/runtime:1'));
    fs.rmSync(dir, { recursive: true, force: true });
  });

  test.each([
    ['a bad sid', ['--sid', 'Not_Valid'], 1, /sid must be a session id/],
    ['a bad config', ['--sid', 'abc', '--config-text'], 2, /Unknown option '--config-text'/],
    ['a missing --sid', [], 2, /missing --sid/],
  ])('%s exits non-zero with the error on stderr and writes nothing', (_n, args, code, pattern) => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lh-sandbox-'));
    const out = path.join(dir, 'session.yaml');
    const r = run('--config', CONFIG, ...(args as string[]), '--out', out);
    expect(r.status).toBe(code);
    expect(r.stderr).toMatch(pattern as RegExp);
    expect(fs.readdirSync(dir)).toEqual([]);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  test('a config with a bad value exits 1 naming the file, key and value', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lh-sandbox-'));
    const config = path.join(dir, 'config.toml');
    fs.writeFileSync(config, '[kubernetes]\nresource_memory_limit = "2 GiB"\n');
    const r = run('--config', config, '--sid', 'abc', '--out', path.join(dir, 'out.yaml'));
    expect(r.status).toBe(1);
    expect(r.stderr).toContain(`${config}: [kubernetes] resource_memory_limit must be a Kubernetes quantity`);
    expect(r.stderr).toContain('got "2 GiB"');
    expect(fs.readdirSync(dir)).toEqual(['config.toml']);
    fs.rmSync(dir, { recursive: true, force: true });
  });
});
