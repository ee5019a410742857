// The apply-and-wait half of `npm run kind:up` / `npm run status`, against a real control plane with a
// kwok node. docker and kind are stand-ins (test/fakes/); kubectl is the pinned one, talking to the
// control plane through a context named kind-local-hands, as KIND would have set it up.
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { ControlPlane, startControlPlane } from '../../tools/controlplane/controlplane';
import { START_TIMEOUT, kindCliEnvironment, repoRoot } from './helpers';

let cp: ControlPlane;
let dir: string;
let env: Record<string, string>;

beforeAll(async () => {
  cp = await startControlPlane({ nodes: 1 });
  ({ dir, env } = kindCliEnvironment(cp, 'lh-kind-up-', ['docker', 'kind']));
}, START_TIMEOUT);

afterAll(async () => {
  await cp?.stop();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

interface Running { done: Promise<{ code: number; stdout: string; stderr: string }>; stdout: () => string }

function startKind(args: string[]): Running {
  const child = spawn(process.execPath, ['tools/launcher/run.cjs', 'scripts/kind.ts', ...args], { cwd: repoRoot, env });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', d => { stdout += d; });
  child.stderr.on('data', d => { stderr += d; });
  return {
    done: new Promise(resolve => child.on('exit', code => resolve({ code: code ?? 1, stdout, stderr }))),
    stdout: () => stdout,
  };
}

const kindCommand = (args: string[]) => startKind(args).done;

/**
 * What the certgen patch Job does in a real cluster; kwok pods run no containers, so the test does it,
 * once kind:up has shown that it is waiting for exactly that.
 */
async function patchCaBundleOnceWaitedFor(run: Running): Promise<void> {
  const deadline = Date.now() + 150_000;
  while (!run.stdout().includes('ingress-nginx admission webhook: waiting for the certificate Job to patch its CA bundle')) {
    if (Date.now() > deadline) throw new Error(`kind:up never waited for the CA bundle:\n${run.stdout()}`);
    await new Promise(r => setTimeout(r, 250));
  }
  const ca = Buffer.from('-----BEGIN CERTIFICATE-----\nstand-in for certgen\n-----END CERTIFICATE-----\n').toString('base64');
  await cp.kubectl(['patch', 'validatingwebhookconfiguration', 'ingress-nginx-admission', '--type=json',
    '-p', JSON.stringify([{ op: 'add', path: '/webhooks/0/clientConfig/caBundle', value: ca }])]);
}

describe('npm run kind:up against a real control plane', () => {
  test('first run: creates the (stand-in) cluster, applies dist/, waits for the deployments and the webhook', async () => {
    const running = startKind(['up', '--timeout', '180']);
    const [r] = await Promise.all([running.done, patchCaBundleOnceWaitedFor(running)]);
    expect(r.code, `${r.stdout}\n${r.stderr}`).toBe(0);
    expect(fs.readFileSync(env.FAKE_LOG, 'utf8')).toContain(`kind create cluster --name local-hands --config ${path.join(repoRoot, 'kind', 'cluster.yaml')}`);
    expect(r.stdout).toContain('applying dist/ with context kind-local-hands');
    expect(r.stdout).toMatch(/waiting \(\d+ s left\): .*ingress-nginx admission webhook: waiting for the certificate Job/);
    expect(r.stdout).toContain('ready: deployment default/ubuntu-dev');
    expect(r.stdout).toContain('ready: deployment ingress-nginx/ingress-nginx-controller');
    expect(r.stdout).toContain('ready: ingress-nginx admission webhook');
    const avail = await cp.kubectl(['-n', 'ingress-nginx', 'wait', '--for=condition=Available', 'deployment/ingress-nginx-controller', '--timeout=5s']);
    expect(avail.code).toBe(0);
  });

  test('second run: idempotent, no create, exit 0', async () => {
    const r = await kindCommand(['up', '--timeout', '60']);
    expect(r.code, `${r.stdout}\n${r.stderr}`).toBe(0);
    expect(r.stdout).toContain('cluster local-hands exists: not creating it.');
    expect(fs.readFileSync(env.FAKE_LOG, 'utf8').match(/kind create cluster/g)).toHaveLength(1);
  });

  test('status lists nodes, deployments and services, and says all is ready', async () => {
    const r = await kindCommand(['status']);
    expect(r.code, `${r.stdout}\n${r.stderr}`).toBe(0);
    expect(r.stdout).toContain('deployment.apps/ubuntu-dev');
    expect(r.stdout).toContain('service/ingress-nginx-controller');
    expect(r.stdout).toMatch(/node\/\S+\s+Ready/);
    expect(r.stdout).toContain('all ready.');
  });

  test('a webhook that never gets its CA times out, naming what is not ready', async () => {
    await cp.kubectl(['patch', 'validatingwebhookconfiguration', 'ingress-nginx-admission', '--type=json',
      '-p', JSON.stringify([{ op: 'remove', path: '/webhooks/0/clientConfig/caBundle' }])]);
    const r = await kindCommand(['up', '--timeout', '5']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('timed out after 5 s; not ready:');
    expect(r.stderr).toContain('ingress-nginx admission webhook: waiting for the certificate Job to patch its CA bundle');
    expect(r.stderr).not.toContain('ubuntu-dev');
  });

  test('status names what is not ready', async () => {
    await cp.kubectl(['scale', 'deployment/ubuntu-dev', '--replicas=0']);
    await cp.kubectl(['patch', 'deployment/ubuntu-dev', '--type=merge', '-p', JSON.stringify({ spec: { replicas: 2, template: { spec: { nodeSelector: { nowhere: 'true' } } } } })]);
    const deadline = Date.now() + 60_000;
    let r = await kindCommand(['status']);
    while (r.code !== 1 && Date.now() < deadline) r = await kindCommand(['status']);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/not ready:\n {2}deployment default\/ubuntu-dev: 0\/2 available/);
  });
});
