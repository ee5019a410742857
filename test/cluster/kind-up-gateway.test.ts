// `npm run kind:up -- --profile gateway`'s apply-and-wait half against a real control plane with a kwok node, as
// test/cluster/kind-up.test.ts does for the default profile: docker and kind are stand-ins (test/fakes/), kubectl is
// the pinned one, talking to the control plane through a context named kind-local-hands.
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
  ({ dir, env } = kindCliEnvironment(cp, 'lh-kind-up-gateway-', ['docker', 'kind']));
  // KIND's default storage class provisions the server's state volume; no provisioner runs here, so a static volume
  // stands in for it (the claim names no class, and this cluster has no default one).
  await cp.kubectl(['apply', '-f', '-'], { input: JSON.stringify({
    apiVersion: 'v1', kind: 'PersistentVolume', metadata: { name: 'openhands-state' },
    spec: { capacity: { storage: '10Gi' }, accessModes: ['ReadWriteOnce'], hostPath: { path: '/tmp/openhands-state' }, persistentVolumeReclaimPolicy: 'Delete' },
  }) });
}, START_TIMEOUT);

afterAll(async () => {
  await cp?.stop();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

function kindCommand(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, ['tools/launcher/run.cjs', 'scripts/kind.ts', ...args], { cwd: repoRoot, env });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', d => { stdout += d; });
  child.stderr.on('data', d => { stderr += d; });
  return new Promise(resolve => child.on('exit', code => resolve({ code: code ?? 1, stdout, stderr })));
}

describe('npm run kind:up -- --profile gateway against a real control plane', () => {
  test('synthesizes the profile, creates the cluster from its KIND config, applies CRDs then the rest, waits for Traefik', async () => {
    const r = await kindCommand(['up', '--profile', 'gateway', '--timeout', '180']);
    expect(r.code, `${r.stdout}\n${r.stderr}`).toBe(0);
    const created = /kind create cluster --name local-hands --config (\S*lh-kind-gateway-\w+\/kind\/cluster\.yaml)/.exec(fs.readFileSync(env.FAKE_LOG, 'utf8'));
    expect(created).not.toBeNull();
    expect(r.stdout).toContain('applying the CRDs (crds-gateway-api.k8s.yaml, crds-traefik.k8s.yaml) server-side');
    expect(r.stdout).toContain('ready: deployment traefik/traefik');
    expect(r.stdout).toContain('ready: deployment default/ubuntu-dev');
    expect(r.stdout).toContain('ready: deployment openhands/openhands');
    expect(r.stdout).not.toContain('ingress-nginx');
    const gateway = await cp.kubectl(['-n', 'traefik', 'get', 'gateway', 'traefik-gateway', '-o', 'jsonpath={.spec.listeners[0].allowedRoutes.namespaces.selector.matchLabels}']);
    expect(JSON.parse(gateway.stdout)).toEqual({ 'kubernetes.io/metadata.name': 'openhands-sandboxes' });
    // The scratch folder the profile was synthesized into is gone.
    expect(fs.existsSync(path.dirname(path.dirname(created![1])))).toBe(false);
  });

  test('a second run is idempotent: no create, no object changed, exit 0', async () => {
    const generations = async () => (await cp.kubectl(['get', 'deployments,gateways,networkpolicies,crd', '-A', '-o', 'jsonpath={range .items[*]}{.metadata.name}={.metadata.generation} {end}'])).stdout;
    const before = await generations();
    const r = await kindCommand(['up', '--profile', 'gateway', '--timeout', '60']);
    expect(r.code, `${r.stdout}\n${r.stderr}`).toBe(0);
    expect(r.stdout).toContain('cluster local-hands exists: not creating it.');
    expect(await generations()).toBe(before);
    expect(fs.readFileSync(env.FAKE_LOG, 'utf8').match(/kind create cluster/g)).toHaveLength(1);
  });

  test('an unknown profile is a usage error before anything runs', async () => {
    const before = fs.readFileSync(env.FAKE_LOG, 'utf8');
    const r = await kindCommand(['up', '--profile', 'gatewya']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--profile must be one of default, gateway, got "gatewya"');
    expect(fs.readFileSync(env.FAKE_LOG, 'utf8')).toBe(before);
  });

  test('the production profile is refused: it is for a real cluster and writes no KIND config', async () => {
    const before = fs.readFileSync(env.FAKE_LOG, 'utf8');
    const r = await kindCommand(['up', '--profile', 'production']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--profile production is for a real cluster, not KIND');
    expect(fs.readFileSync(env.FAKE_LOG, 'utf8')).toBe(before);
  });
});
