// The default stack with its optional isolation and monitoring, applied to a real control plane the way a user
// applies dist/: strict, server-side, in one pass, idempotent, and isolation that really admits sessions.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { synthToDir } from '../../app/synth';
import { addOpenHandsStack } from '../../app/openhands-stack';
import { startControlPlane, type ControlPlane } from '../../tools/controlplane/controlplane';
import { secondApplyChanges } from '../../tools/controlplane/second-apply';
import { REFERENCE } from '../util';
import { APPLY, START_TIMEOUT, eventually, tempDir } from './helpers';

const PROMETHEUS_CRDS = path.join(REFERENCE, 'prometheus-operator-v0.93.0');

describe('the default stack with isolation: true and monitoring: true on a real control plane', () => {
  let cp: ControlPlane;
  const dir = tempDir('local-hands-stack-options-');
  const dist = path.join(dir, 'dist');

  beforeAll(async () => {
    synthToDir(app => { addOpenHandsStack(app, { isolation: { maxSessions: 2 }, monitoring: true }); }, dist, path.join(dir, 'kind'));
    cp = await startControlPlane();
    // kube-prometheus-stack brings these CRDs and its `monitoring` namespace.
    await cp.kubectl([...APPLY, '-f', PROMETHEUS_CRDS]);
    await cp.kubectl(['wait', '--for=condition=Established', '--timeout=60s', '-f', PROMETHEUS_CRDS]);
    await cp.kubectl(['create', 'namespace', 'monitoring']);
  }, START_TIMEOUT);

  afterAll(async () => {
    await cp?.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('applies in one pass with strict field validation, and a second apply changes nothing', async () => {
    const r = await cp.kubectl([...APPLY, '-f', dist]);
    expect(r.stdout).toContain('namespace/openhands-sandboxes serverside-applied');
    expect(r.stdout).toContain('prometheusrule.monitoring.coreos.com/openhands-alerts serverside-applied');
    // Judged on the fields we own: the admission Jobs' status may move meanwhile without counting as a change.
    expect(await secondApplyChanges(cp, [dist], 'local-hands')).toEqual([]);
  });

  it('the controller metrics Service gets the controller pod as its endpoint', async () => {
    await eventually(async () => {
      const r = await cp.kubectl(['-n', 'ingress-nginx', 'get', 'endpointslices', '-l', 'kubernetes.io/service-name=ingress-nginx-controller-metrics', '-o', 'json']);
      const slices = JSON.parse(r.stdout).items;
      const ready = slices.flatMap((s: any) => s.endpoints ?? []).filter((e: any) => e.conditions?.ready);
      expect(ready.length).toBeGreaterThan(0);
      expect(slices[0].ports).toEqual([expect.objectContaining({ name: 'metrics', port: 10254 })]);
    }, 90_000);
  });

  it('the quota admits two sessions\' pods and refuses a third; the openhands ServiceAccount (in the server\'s namespace) may create the session Ingress', async () => {
    const pod = (name: string) => JSON.stringify({
      apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: 'openhands-sandboxes', labels: { app: 'openhands-runtime' } },
      spec: { containers: [{ name: 'runtime', image: 'busybox' }] },
    });
    for (const n of ['a', 'b']) await cp.kubectl(['create', '-f', '-'], { input: pod(n) });
    const third = await cp.kubectl(['create', '-f', '-'], { input: pod('c'), allowFail: true });
    expect(third.code).not.toBe(0);
    expect(third.stderr).toMatch(/exceeded quota/);
    const can = await cp.kubectl(['auth', 'can-i', 'create', 'ingresses', '-n', 'openhands-sandboxes', '--as=system:serviceaccount:openhands:openhands'], { allowFail: true });
    expect(can.stdout.trim()).toBe('yes');
  });
});
