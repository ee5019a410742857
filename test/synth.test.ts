import { spawn, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Chart } from 'cdk8s';
import { describe, expect, test } from 'vitest';
import { IngressNginx, LocalHandsValidationError, synthToDir } from '../index';
import { ROOT, readTree } from './util';
import { exampleBuild } from '../app/profiles';
import { checkOutputFolders } from './global-setup';

describe('a failed synth writes nothing', () => {
  test('synthToDir leaves the previous output untouched and no temporary folder behind', () => {
    const parent = fs.mkdtempSync(path.join(os.tmpdir(), 'lh-atomic-'));
    const out = path.join(parent, 'dist');
    fs.mkdirSync(out);
    fs.writeFileSync(path.join(out, 'old.k8s.yaml'), 'kept\n');
    expect(() => synthToDir(app => {
      new IngressNginx(new Chart(app, 'ok'), 'ingress');
      new IngressNginx(new Chart(app, 'bad'), 'ingress', { replicas: 0 });
    }, out)).toThrow(LocalHandsValidationError);
    expect(fs.readdirSync(parent)).toEqual(['dist']);
    expect(fs.readdirSync(out)).toEqual(['old.k8s.yaml']);
    fs.rmSync(parent, { recursive: true, force: true });
  });

  test('the synth process exits 1 with the message on stderr, and the output folder keeps its files', () => {
    const out = fs.mkdtempSync(path.join(os.tmpdir(), 'lh-bad-'));
    fs.writeFileSync(path.join(out, 'ingress-nginx.k8s.yaml'), 'previous\n');
    const kind = path.join(out, 'kind');
    const r = spawnSync(process.execPath, ['tools/launcher/run.cjs', 'test/fixtures/bad-app.ts'], {
      cwd: ROOT, env: { ...process.env, CDK8S_OUTDIR: out, LOCAL_HANDS_KIND_DIR: kind, LOCAL_HANDS_QUIET_BUILD: '1' }, encoding: 'utf8',
    });
    expect(r.status).toBe(1);
    expect(r.stderr).toContain("IngressNginx 'ingress' (ingress-nginx/ingress): hostPorts.http must be an integer in 1-65535, got 70000");
    expect(r.stderr).not.toMatch(/\n\s+at /); // a message, not a stack trace
    expect(fs.readdirSync(out)).toEqual(['ingress-nginx.k8s.yaml']);
    expect(fs.readFileSync(path.join(out, 'ingress-nginx.k8s.yaml'), 'utf8')).toBe('previous\n');
    fs.rmSync(out, { recursive: true, force: true });
  });
});

describe('the real synth command run many times at once', () => {
  test('24 parallel `npm run synth` processes into one folder all succeed, while a reader never sees a missing or partial file', async () => {
    const top = fs.mkdtempSync(path.join(os.tmpdir(), 'lh-parallel-'));
    const env = { ...process.env, CDK8S_OUTDIR: path.join(top, 'dist'), LOCAL_HANDS_KIND_DIR: path.join(top, 'kind'), LOCAL_HANDS_QUIET_BUILD: '1' };
    const expected = readTree(path.join(ROOT, 'dist'));
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
              if (fs.readFileSync(path.join(env.CDK8S_OUTDIR, f), 'utf8') !== expected[f]) seen.push(`partial ${f}`);
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
    expect(readTree(env.CDK8S_OUTDIR)).toEqual(expected);
    expect(fs.readdirSync(top).sort()).toEqual(['dist', 'kind']);
    fs.rmSync(top, { recursive: true, force: true });
  }, 120_000);
});

describe('npm test on a checkout whose dist/ holds another profile', () => {
  test('is refused in one line saying what to run; the default profile\'s output passes', () => {
    const top = fs.mkdtempSync(path.join(os.tmpdir(), 'lh-other-profile-'));
    try {
      synthToDir(exampleBuild('gateway'), path.join(top, 'dist'), path.join(top, 'kind'));
      expect(() => checkOutputFolders(top)).toThrow(/^dist\/ and kind\/ hold the gateway profile's output, but the tests compare them with the default profile's: run `npm run synth` \(no --profile\)/);
      fs.rmSync(top, { recursive: true, force: true });
      synthToDir(exampleBuild('default'), path.join(top, 'dist'), path.join(top, 'kind'));
      expect(() => checkOutputFolders(top)).not.toThrow();
    } finally {
      fs.rmSync(top, { recursive: true, force: true });
    }
  });
});
