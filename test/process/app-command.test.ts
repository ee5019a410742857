import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { parse as parseYaml } from 'yaml';
import { describe, expect, test } from 'vitest';
import { ROOT } from '../util';

/** The app command of cdk8s.yaml, which `cdk8s synth` runs through a shell. */
const APP: string = parseYaml(fs.readFileSync(path.join(ROOT, 'cdk8s.yaml'), 'utf8')).app;
const FIXTURE = 'test/fixtures/ca-env.ts';

/** Runs the app command, with the fixture for main.ts, through `sh -c` as cdk8s and npm do, in `env`. */
function runApp(env: Record<string, string | undefined>) {
  const r = spawnSync('/bin/sh', ['-c', APP.replace(/ main\.ts$/, ` ${FIXTURE}`)], {
    cwd: ROOT, encoding: 'utf8', env: { ...process.env, LOCAL_HANDS_QUIET_BUILD: '1', ...env },
  });
  expect(r.status, r.stderr).toBe(0);
  return { ...JSON.parse(r.stdout), stderr: r.stderr };
}

const linux = fs.existsSync('/proc/self/environ');
// A path no file has, with the characters a shell would otherwise split, expand or glob.
const TRICKY = `/nonexistent/my certs/$HOME "quoted" 'single' back\\slash *.pem`;

describe('the app command (cdk8s.yaml, npm run synth)', () => {
  test('is the same plain command for npm run synth and cdk8s synth: no shell tricks in a user\'s entry point', () => {
    const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
    expect(pkg.scripts.synth).toBe(APP);
    expect(APP).toBe('node tools/launcher/run.cjs main.ts');
  });

  test('NODE_EXTRA_CA_CERTS reaches the synth and its children as set, set to any path, empty or unset', () => {
    for (const value of [TRICKY, '', undefined]) {
      const r = runApp({ NODE_EXTRA_CA_CERTS: value });
      if (linux) expect(r.started).toEqual(value === undefined ? [] : [`NODE_EXTRA_CA_CERTS=${value}`]);
      expect([r.now, r.handed, r.child]).toEqual([value ?? null, null, value ?? null]);
    }
  });

  test('the launcher started some other way leaves a NODE_EXTRA_CA_CERTS it was given as it is', () => {
    const r = spawnSync(process.execPath, ['tools/launcher/run.cjs', FIXTURE], {
      cwd: ROOT, encoding: 'utf8', env: { ...process.env, NODE_EXTRA_CA_CERTS: '', LOCAL_HANDS_NODE_EXTRA_CA_CERTS: '/other.pem' },
    });
    expect(r.status, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout);
    expect([out.now, out.handed, out.child]).toEqual(['', '/other.pem', '']);
  });
});
