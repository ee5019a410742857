/**
 * dist/ against a real control plane: strict server-side apply, idempotence,
 * controllers + scheduler + kwok make the Deployments Available, clean delete.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { startControlPlane, type ControlPlane } from '../../tools/controlplane/controlplane';
import { secondApplyChanges } from '../../tools/controlplane/second-apply';
import { APPLY, K8sObject, START_TIMEOUT, eventually, loadObjects, manifestFiles, manifestsDir, tempDir } from './helpers';

describe('dist/ on a real control plane', () => {
  let cp: ControlPlane;
  const dist = manifestsDir();
  const objects = loadObjects(dist);
  const scratch: string[] = [];

  beforeAll(async () => {
    cp = await startControlPlane({ log: (m) => console.log(`[controlplane] ${m}`) });
  }, START_TIMEOUT);

  afterAll(async () => {
    await cp?.stop();
    for (const d of scratch) fs.rmSync(d, { recursive: true, force: true });
  });

  it('applies in one pass with server-side apply and strict field validation', async () => {
    const r = await cp.kubectl([...APPLY, '-f', dist]);
    // kubectl prints one line per object: "<kind>/<name> serverside-applied".
    const lines = r.stdout.trim().split('\n').filter(Boolean);
    expect(lines).toHaveLength(objects.length);
    for (const l of lines) expect(l).toMatch(/serverside-applied$/);
    expect(r.stderr).not.toMatch(/warning/i);
  });

  it('rejects a misspelled field (field validation really is strict)', async () => {
    const dir = tempDir('local-hands-typo-');
    scratch.push(dir);
    const docs = objects.map((o) => structuredClone(o)) as K8sObject[];
    const dep = docs.find((o) => o.kind === 'Deployment');
    expect(dep, 'dist has a Deployment').toBeDefined();
    const spec = dep!.spec as Record<string, unknown>;
    spec.replicaz = spec.replicas ?? 1; // the typo
    delete spec.replicas;
    fs.writeFileSync(path.join(dir, 'typo.k8s.yaml'), docs.map((d) => stringify(d)).join('---\n'));
    // Server-side apply: the server refuses the typed patch.
    const r = await cp.kubectl([...APPLY, '--dry-run=server', '-f', dir], { allowFail: true });
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/\.?spec\.replicaz"?: field not declared in schema|unknown field "spec\.replicaz"/);
    // A plain create with fieldValidation=Strict is refused by the server too...
    const strict = await cp.kubectl(['create', '--dry-run=server', '--validate=strict', '-f', dir], { allowFail: true });
    expect(strict.code).not.toBe(0);
    expect(strict.stderr).toMatch(/unknown field "spec\.replicaz"/);
    // ...and it is that setting that refuses it: with validation off the server drops the field.
    const lax = await cp.kubectl(['create', '--dry-run=server', '--validate=false', '-f', path.join(dir, 'typo.k8s.yaml')], {
      allowFail: true,
    });
    expect(lax.stderr).not.toMatch(/replicaz/);
  });

  it('a second apply changes nothing we own (while the admission Jobs may still be running)', async () => {
    expect(await secondApplyChanges(cp, [dist], 'local-hands')).toEqual([]);
    const again = await cp.kubectl([...APPLY, '-f', dist]);
    for (const l of again.stdout.trim().split('\n')) expect(l).toMatch(/serverside-applied$/);
  });

  it('controllers, scheduler and the kwok node make both Deployments Available', async () => {
    const deployments = objects.filter((o) => o.kind === 'Deployment');
    expect(deployments.map((d) => d.metadata.name).sort()).toEqual(['ingress-nginx-controller', 'ubuntu-dev']);
    for (const d of deployments) {
      const ns = d.metadata.namespace ?? 'default';
      await cp.kubectl(['-n', ns, 'wait', '--for=condition=Available', `deployment/${d.metadata.name}`, '--timeout=180s'], {
        timeoutMs: 200_000,
      });
      // Really made by the controllers: a ReplicaSet owned by the Deployment, Pods bound to the kwok node.
      const rs = await cp.kubectl(['-n', ns, 'get', 'replicasets', '-o', 'json']);
      const owned = JSON.parse(rs.stdout).items.filter((r: any) =>
        (r.metadata.ownerReferences ?? []).some((o: any) => o.kind === 'Deployment' && o.name === d.metadata.name),
      );
      expect(owned.length).toBeGreaterThan(0);
      const rsName = owned[0].metadata.name;
      const pods = JSON.parse((await cp.kubectl(['-n', ns, 'get', 'pods', '-o', 'json'])).stdout).items.filter((p: any) =>
        (p.metadata.ownerReferences ?? []).some((o: any) => o.kind === 'ReplicaSet' && o.name === rsName),
      );
      expect(pods.length).toBeGreaterThan(0);
      for (const p of pods) {
        expect(p.spec.nodeName).toBe(cp.nodes[0]);
        expect(p.status.phase).toBe('Running');
      }
    }
  });

  it.runIf(objects.some((o) => o.kind === 'Job' && o.metadata.namespace === 'ingress-nginx'))(
    'needs no admission secret: kwok marks pods Ready without mounting volumes', async () => {
    // The Job that would create ingress-nginx-admission never really runs under kwok
    // (its pods are only marked Succeeded), yet the controller Deployment is Available.
    const secret = await cp.kubectl(['-n', 'ingress-nginx', 'get', 'secret', 'ingress-nginx-admission', '--ignore-not-found', '-o', 'name']);
    expect(secret.stdout.trim()).toBe('');
    const jobs = JSON.parse((await cp.kubectl(['-n', 'ingress-nginx', 'get', 'jobs', '-o', 'json'])).stdout).items;
    expect(jobs.length).toBeGreaterThan(0);
  });

  it('kubectl delete -f dist removes every object', async () => {
    await cp.kubectl(['delete', '-f', dist, '--wait=true', '--timeout=180s'], { timeoutMs: 200_000 });
    const left = await cp.kubectl(['get', '-f', dist, '--ignore-not-found', '-o', 'name'], { allowFail: true });
    expect(left.stdout.trim()).toBe('');
    // Nothing the manifests made is left behind either (pods, replicasets, jobs in the deleted namespaces).
    const ns = [...new Set(objects.map((o) => o.metadata.namespace).filter((n): n is string => !!n && n !== 'default'))];
    for (const n of ns) {
      const r = await cp.kubectl(['get', 'namespace', n, '--ignore-not-found', '-o', 'name']);
      expect(r.stdout.trim()).toBe('');
    }
    // The garbage collector removes ReplicaSets and Pods after their Deployment is gone.
    await eventually(async () => {
      const rest = await cp.kubectl(['-n', 'default', 'get', 'deployments,replicasets,pods,services', '-o', 'name']);
      expect(rest.stdout.trim().split('\n').filter((l) => l && l !== 'service/kubernetes')).toEqual([]);
    }, 120_000);
  });

  it('covers every manifest file', () => {
    expect(manifestFiles(dist).length).toBeGreaterThan(0);
  });
});
