/**
 * Every IngressNginx release, and non-default props, synthesized and applied
 * to a real control plane (server-side, strict field validation), then deleted.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { App, Chart } from 'cdk8s';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { INGRESS_NGINX_RELEASES, IngressNginx, type IngressNginxProps, type IngressNginxVersion } from '../../index';
import { startControlPlane, type ControlPlane } from '../../tools/controlplane/controlplane';
import { APPLY, START_TIMEOUT, parseObjects, tempDir } from './helpers';

function synth(props: IngressNginxProps): string {
  const app = new App();
  const chart = new Chart(app, 'variant');
  new IngressNginx(chart, 'ingress', props);
  return app.synthYaml();
}

const versions = Object.keys(INGRESS_NGINX_RELEASES) as IngressNginxVersion[];

const cases: [string, IngressNginxProps][] = [
  ...versions.map((v): [string, IngressNginxProps] => [`release ${v}, defaults`, { version: v }]),
  ...versions.map((v): [string, IngressNginxProps] => [
    `release ${v}, other namespace, 2 replicas, NodePort, no webhook`,
    { version: v, namespace: 'edge', replicas: 2, serviceType: 'NodePort', admissionWebhook: { enabled: false } },
  ]),
  ['ClusterIP service', { serviceType: 'ClusterIP' }],
  ['LoadBalancer service, 3 replicas', { serviceType: 'LoadBalancer', replicas: 3 }],
  ['webhook explicitly enabled in another namespace', { namespace: 'ingress', admissionWebhook: { enabled: true } }],
];

describe('IngressNginx variants on a real control plane', () => {
  let cp: ControlPlane;
  const dir = tempDir('local-hands-variants-');

  beforeAll(async () => {
    cp = await startControlPlane({ nodes: 0 });
  }, START_TIMEOUT);

  afterAll(async () => {
    await cp?.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('covers every release', () => {
    expect(versions).toEqual(expect.arrayContaining(['1.12.1', '1.13.0', '1.14.0', '1.15.1']));
  });

  it.each(cases)('%s applies cleanly and deletes cleanly', async (name, props) => {
    const yaml = synth(props);
    const objects = parseObjects(yaml);
    const file = path.join(dir, `${name.replace(/[^a-z0-9.]+/gi, '-')}.k8s.yaml`);
    fs.writeFileSync(file, yaml);

    const applied = await cp.kubectl([...APPLY, '-f', file]);
    const lines = applied.stdout.trim().split('\n');
    expect(lines).toHaveLength(objects.length);
    for (const l of lines) expect(l).toMatch(/serverside-applied$/);
    expect(applied.stderr).toBe('');

    const ns = props.namespace ?? 'ingress-nginx';
    const deployments = await cp.kubectl(['-n', ns, 'get', 'deployments', '-o', 'json']);
    const dep = JSON.parse(deployments.stdout).items[0];
    expect(dep?.spec.replicas).toBe(props.replicas ?? 1);
    if (props.serviceType) {
      const svc = JSON.parse((await cp.kubectl(['-n', ns, 'get', 'services', '-o', 'json'])).stdout).items.find(
        (s: any) => !s.metadata.name.endsWith('-admission'),
      );
      expect(svc.spec.type).toBe(props.serviceType);
    }
    const webhook = objects.some((o) => o.kind === 'ValidatingWebhookConfiguration');
    expect(webhook).toBe(props.admissionWebhook?.enabled !== false);

    await cp.kubectl(['delete', '-f', file, '--wait=true', '--timeout=180s'], { timeoutMs: 200_000 });
    const left = await cp.kubectl(['get', '-f', file, '--ignore-not-found', '-o', 'name'], { allowFail: true });
    expect(left.stdout.trim()).toBe('');
  });
});
