import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Chart } from 'cdk8s';
import { describe, expect, test } from 'vitest';
import { IngressNginx, LocalHandsValidationError, synthToDir } from '../index';
import { ROOT } from './util';

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
