import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { ROOT, parseDocs } from './util';

// Another cdk8s app, in its own folder, that depends on local-hands the way `npm install` would lay it out.
const CONSUMER_TS = `
import { App, Chart } from 'cdk8s';
import { IngressNginx, MirrordRbac, UbuntuDevWorkload } from 'local-hands';

const app = new App();
const chart = new Chart(app, 'team', { namespace: 'team-a' });
const ingress = new IngressNginx(chart, 'ingress', { namespace: 'team-a-ingress', replicas: 2 });
new MirrordRbac(chart, 'rbac', { namespace: 'team-a' });
new UbuntuDevWorkload(chart, 'dev', { namespace: 'team-a' });
const name: string = ingress.ingressClassName;
process.stdout.write(name + '\\n' + app.synthYaml());
`;

describe("another cdk8s app can import { IngressNginx } from 'local-hands'", () => {
  let dir: string;
  beforeAll(() => {
    execFileSync(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', 'tsconfig.lib.json'], { cwd: ROOT });
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lh-consumer-'));
    fs.mkdirSync(path.join(dir, 'node_modules'));
    fs.symlinkSync(ROOT, path.join(dir, 'node_modules', 'local-hands'));
    for (const dep of ['cdk8s', 'constructs', '@types']) fs.symlinkSync(path.join(ROOT, 'node_modules', dep), path.join(dir, 'node_modules', dep));
    fs.writeFileSync(path.join(dir, 'main.ts'), CONSUMER_TS);
    fs.writeFileSync(path.join(dir, 'tsconfig.json'), JSON.stringify({
      compilerOptions: { target: 'ES2022', module: 'node16', moduleResolution: 'node16', strict: true, outDir: 'out', types: ['node'] },
      files: ['main.ts'],
    }));
  }, 60_000);
  afterAll(() => { if (process.env.KEEP) return; fs.rmSync(dir, { recursive: true, force: true }); });

  test('the types resolve through package.json exports, and the app synthesizes', () => {
    execFileSync(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', 'tsconfig.json'], { cwd: dir });
    const out = execFileSync(process.execPath, ['out/main.js'], { cwd: dir, encoding: 'utf8' });
    const cut = out.indexOf('\n');
    const [name, yaml] = [out.slice(0, cut), out.slice(cut + 1)];
    expect(name).toBe('nginx');
    const docs = parseDocs(yaml);
    expect(docs.find(d => d.kind === 'Namespace').metadata.name).toBe('team-a-ingress');
    expect(docs.find(d => d.kind === 'PodDisruptionBudget').metadata.namespace).toBe('team-a-ingress');
    expect(docs.find(d => d.kind === 'Role' && d.metadata.name === 'mirrord-role').metadata.namespace).toBe('team-a');
    expect(docs.find(d => d.kind === 'Deployment' && d.metadata.name === 'ubuntu-dev').metadata.namespace).toBe('team-a');
    // The chart's namespace must not leak onto cluster-scoped objects.
    for (const kind of ['Namespace', 'ClusterRole', 'ClusterRoleBinding', 'IngressClass', 'ValidatingWebhookConfiguration']) {
      for (const d of docs.filter(x => x.kind === kind)) expect(d.metadata.namespace, `${kind} ${d.metadata.name}`).toBeUndefined();
    }
  });
});
