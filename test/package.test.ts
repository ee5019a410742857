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
    // What `npm install local-hands-0.1.0.tgz` puts in place: the packed files, and the dependencies beside them
    // (linked from ours: the test must not touch the network).
    const packed = JSON.parse(execFileSync('npm', ['pack', '--json', '--ignore-scripts', '--pack-destination', dir], { cwd: ROOT, encoding: 'utf8' }))[0];
    const pkg = path.join(dir, 'node_modules', 'local-hands');
    fs.mkdirSync(pkg, { recursive: true });
    execFileSync('tar', ['-xzf', path.join(dir, packed.filename), '-C', pkg, '--strip-components=1']);
    const deps = Object.keys(JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')).dependencies);
    for (const dep of [...deps, '@types']) fs.symlinkSync(path.join(ROOT, 'node_modules', dep), path.join(dir, 'node_modules', dep));
    fs.writeFileSync(path.join(dir, 'main.ts'), readmeExample());
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
    expect(get('Namespace').metadata.name).toBe('team-a-ingress-nginx');
    expect(get('Deployment', 'team-a-ingress-nginx-controller').metadata.namespace).toBe('team-a-ingress-nginx');
    expect(get('PodDisruptionBudget').metadata.namespace).toBe('team-a-ingress-nginx');
    expect(get('IngressClass').metadata.name).toBe('team-a-nginx');
    expect(get('ClusterRole', 'team-a-ingress-nginx')).toBeDefined();
    expect(get('Role', 'mirrord-role').metadata.namespace).toBe('team-a');
    expect(get('Role', 'mirrord-role').rules).toEqual([
      { apiGroups: [''], resources: ['pods', 'persistentvolumeclaims', 'services'], verbs: ['get', 'create', 'delete'] },
      { apiGroups: ['networking.k8s.io'], resources: ['ingresses'], verbs: ['get', 'create', 'delete'] },
    ]);
    expect(get('Deployment', 'ubuntu-dev').metadata.namespace).toBe('team-a');
    // The sandbox lives where the least-privilege Role is, and its Ingress names the team's class.
    const session = docs.filter(d => d.metadata.name.startsWith('openhands-runtime-demo'));
    expect(session.map(d => `${d.kind} ${d.metadata.namespace}`)).toEqual(['PersistentVolumeClaim team-a', 'Pod team-a', 'Service team-a', 'Service team-a', 'Ingress team-a']);
    expect(get('Ingress').spec.ingressClassName).toBe('team-a-nginx');
    expect(fs.readFileSync(path.join(dir, 'dist', '.local-hands-output'), 'utf8')).toContain('team-a.k8s.yaml');
    // The chart's namespace must not leak onto cluster-scoped objects.
    for (const kind of ['Namespace', 'ClusterRole', 'ClusterRoleBinding', 'IngressClass', 'ValidatingWebhookConfiguration']) {
      for (const d of docs.filter(x => x.kind === kind)) expect(d.metadata.namespace, `${kind} ${d.metadata.name}`).toBeUndefined();
    }
  });
});
