/**
 * The "second apply changes nothing" judge (tools/controlplane/second-apply.ts) on a real control plane: it
 * ignores what controllers and other writers move that we do not own (status), and it reports a change to a
 * field we own, whether made in our file or by another writer.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { startControlPlane, type ControlPlane } from '../../tools/controlplane/controlplane';
import { secondApplyChanges } from '../../tools/controlplane/second-apply';
import { APPLY, START_TIMEOUT, tempDir } from './helpers';

const deployment = (image: string) => ({
  apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web', namespace: 'default', labels: { app: 'web' } },
  spec: {
    replicas: 1, selector: { matchLabels: { app: 'web' } },
    template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'web', image, ports: [{ containerPort: 80 }] }] } },
  },
});
const configMap = (value: string) => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'settings', namespace: 'default' }, data: { mode: value } });
// Sets nothing beyond its name: its applier owns no field, and has no managedFields entry at all.
const bareNamespace = { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'bare' } };

describe('second apply, judged on owned fields', () => {
  let cp: ControlPlane;
  let dir: string;
  let file: string;
  const write = (objects: object[]) => fs.writeFileSync(file, objects.map(o => stringify(o)).join('---\n'));

  beforeAll(async () => {
    dir = tempDir('second-apply-');
    file = path.join(dir, 'app.yaml');
    cp = await startControlPlane();
    write([deployment('nginx:1'), configMap('a'), bareNamespace]);
    await cp.kubectl([...APPLY, '-f', file]);
  }, START_TIMEOUT);

  afterAll(async () => {
    await cp?.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('status moved by the controllers (the Deployment becoming Available) is no change, nor is a bare Namespace we own no field of', async () => {
    await cp.kubectl(['wait', '--for=condition=Available', 'deployment/web', '--timeout=120s'], { timeoutMs: 130_000 });
    expect(await secondApplyChanges(cp, [file], 'local-hands')).toEqual([]);
  });

  it('a field we own changed in our file is a change, named by its path', async () => {
    write([deployment('nginx:2'), configMap('b'), bareNamespace]);
    expect(await secondApplyChanges(cp, [file], 'local-hands')).toEqual([
      { object: 'Deployment default/web', fields: ['spec.template.spec.containers[name=web].image'] },
      { object: 'ConfigMap default/settings', fields: ['data.mode'] },
    ]);
    write([deployment('nginx:1'), configMap('a'), bareNamespace]);
  });

  it('a field we own changed by another writer (kubectl scale) is a change; one we do not own (an annotation) is not', async () => {
    await cp.kubectl(['annotate', 'configmap', 'settings', 'someone/else=yes']);
    expect(await secondApplyChanges(cp, [file], 'local-hands')).toEqual([]);
    await cp.kubectl(['scale', 'deployment', 'web', '--replicas=2']);
    // The second apply would now conflict with kubectl (subresource scale), the field's new manager.
    const [refused, ...rest] = await secondApplyChanges(cp, [file], 'local-hands');
    expect(rest).toEqual([]);
    expect(refused.object).toBe('(apply refused)');
    expect(refused.fields.join('\n')).toMatch(/conflict with "kubectl" with subresource "scale".*\.spec\.replicas/s);
  });
});
