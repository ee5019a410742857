import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { ROOT, parseDocs } from './util';

/** The README's example of importing the constructs into your own chart, taken from the README itself. */
function readmeExample(): string {
  const readme = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');
  const block = [...readme.matchAll(/```ts\n([\s\S]*?)```/g)].map(m => m[1]).find(b => b.includes("from 'local-hands'"));
  if (!block) throw new Error('README has no ts example importing from local-hands');
  return block;
}

describe("another cdk8s app can import { IngressNginx } from 'local-hands'", () => {
  let dir: string;
  beforeAll(() => {
    execFileSync(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', 'tsconfig.lib.json'], { cwd: ROOT });
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lh-consumer-'));
    fs.mkdirSync(path.join(dir, 'node_modules'));
    fs.symlinkSync(ROOT, path.join(dir, 'node_modules', 'local-hands'));
    for (const dep of ['cdk8s', 'constructs', '@types']) fs.symlinkSync(path.join(ROOT, 'node_modules', dep), path.join(dir, 'node_modules', dep));
    fs.writeFileSync(path.join(dir, 'main.ts'), readmeExample());
    fs.copyFileSync(path.join(ROOT, 'test', 'fixtures', 'every-option.toml'), path.join(dir, 'config.toml'));
    fs.writeFileSync(path.join(dir, 'tsconfig.json'), JSON.stringify({
      compilerOptions: { target: 'ES2022', module: 'node16', moduleResolution: 'node16', strict: true, outDir: 'out', types: ['node'] },
      files: ['main.ts'],
    }));
  }, 60_000);
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  test("the README's example type-checks against the package's exports and synthesizes what it says", () => {
    execFileSync(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', 'tsconfig.json'], { cwd: dir });
    execFileSync(process.execPath, ['out/main.js'], { cwd: dir });
    const docs = parseDocs(fs.readFileSync(path.join(dir, 'dist', 'team-a.k8s.yaml'), 'utf8'));
    const get = (kind: string, name?: string) => docs.find(d => d.kind === kind && (name === undefined || d.metadata.name === name));
    expect(get('Namespace').metadata.name).toBe('team-a-ingress');
    expect(get('Deployment', 'ingress-nginx-controller').metadata.namespace).toBe('team-a-ingress');
    expect(get('PodDisruptionBudget').metadata.namespace).toBe('team-a-ingress');
    expect(get('IngressClass').metadata.name).toBe('team-a');
    expect(get('Role', 'mirrord-role').metadata.namespace).toBe('team-a');
    expect(get('Role', 'mirrord-role').rules).toEqual([
      { apiGroups: [''], resources: ['pods', 'persistentvolumeclaims', 'services'], verbs: ['get', 'create', 'delete'] },
      { apiGroups: ['networking.k8s.io'], resources: ['ingresses'], verbs: ['get', 'create', 'delete'] },
    ]);
    expect(get('Deployment', 'ubuntu-dev').metadata.namespace).toBe('team-a');
    // The sandbox's namespace comes from its config file, and its Ingress names the team's class.
    expect(get('Ingress').metadata.namespace).toBe('sandboxes');
    expect(get('Ingress').spec.ingressClassName).toBe('team-a');
    // The chart's namespace must not leak onto cluster-scoped objects.
    for (const kind of ['Namespace', 'ClusterRole', 'ClusterRoleBinding', 'IngressClass', 'ValidatingWebhookConfiguration']) {
      for (const d of docs.filter(x => x.kind === kind)) expect(d.metadata.namespace, `${kind} ${d.metadata.name}`).toBeUndefined();
    }
  });
});
