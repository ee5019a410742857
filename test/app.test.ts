import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App } from 'cdk8s';
import { describe, expect, test } from 'vitest';
import { INGRESS_NGINX_RELEASES, addOpenHandsStack } from '../index';
import { REFERENCE, ROOT, byKey, objectKey, parseDocs, readDocs, readTree } from './util';

const MANIFESTS = path.join(REFERENCE, 'openhands-kind', 'manifests');

function referenceObjects(): any[] {
  return fs.readdirSync(MANIFESTS).sort().flatMap(f => readDocs(path.join(MANIFESTS, f)));
}

function appObjects(): any[] {
  const app = new App({ outdir: '/nonexistent' });
  addOpenHandsStack(app);
  return parseDocs(app.synthYaml());
}

/** Runs the synth process (the `app` command of cdk8s.yaml) into a fresh folder; returns its dist/ (kind/ beside it). */
function synthProcess(): string {
  const top = fs.mkdtempSync(path.join(os.tmpdir(), 'lh-synth-'));
  const out = path.join(top, 'dist');
  execFileSync(process.execPath, ['tools/launcher/run.cjs', 'main.ts'], {
    cwd: ROOT, env: { ...process.env, CDK8S_OUTDIR: out, LOCAL_HANDS_KIND_DIR: path.join(top, 'kind'), LOCAL_HANDS_QUIET_BUILD: '1' },
  });
  return out;
}

const kindOf = (dist: string) => path.join(path.dirname(dist), 'kind');
const cleanup = (...dists: string[]) => dists.forEach(d => fs.rmSync(path.dirname(d), { recursive: true, force: true }));

describe('the default app', () => {
  test('equals upstream kind/manifests as parsed data, but for the real 1.12.1 images', () => {
    // Upstream's nginx.yaml is the 1.12.0-beta.0 manifest relabelled 1.12.1: it still carries beta.0's
    // image digests and certgen v1.4.4. We emit the 1.12.1 release's images; that is the only difference.
    const r = INGRESS_NGINX_RELEASES['1.12.1'];
    const fixed = JSON.parse(JSON.stringify(referenceObjects())
      .replaceAll('controller:v1.12.1@sha256:9724476b928967173d501040631b23ba07f47073999e80e34b120e8db5f234d5', `controller:${r.controller.tag}@${r.controller.digest}`)
      .replaceAll('kube-webhook-certgen:v1.4.4@sha256:a9f03b34a3cbfbb26d103a14046ab2c5130a80c3d69d526ff8063d2b37b9fd3f', `kube-webhook-certgen:${r.certgen.tag}@${r.certgen.digest}`));
    const ours = appObjects();
    expect(ours).toHaveLength(23);
    expect(byKey(ours)).toEqual(byKey(fixed));
  });

  test('differs from upstream only in the three image references', () => {
    const ours = byKey(appObjects());
    const theirs = byKey(referenceObjects());
    const diffs: string[] = [];
    const walk = (a: any, b: any, at: string) => {
      if (a && b && typeof a === 'object' && typeof b === 'object') {
        for (const k of new Set([...Object.keys(a), ...Object.keys(b)])) walk(a[k], b[k], `${at}.${k}`);
      } else if (a !== b) diffs.push(at);
    };
    walk(ours, theirs, '');
    expect(diffs.sort()).toEqual([
      '.Deployment ingress-nginx/ingress-nginx-controller.spec.template.spec.containers.0.image',
      '.Job ingress-nginx/ingress-nginx-admission-create.spec.template.spec.containers.0.image',
      '.Job ingress-nginx/ingress-nginx-admission-patch.spec.template.spec.containers.0.image',
    ]);
  });

  test('the whole app renders the 23 upstream objects, the ingress-nginx Namespace first (snapshot)', async () => {
    const app = new App({ outdir: '/nonexistent' });
    addOpenHandsStack(app);
    const yaml = app.synthYaml();
    const docs = parseDocs(yaml);
    expect(docs).toHaveLength(23);
    expect(docs[0]).toMatchObject({ kind: 'Namespace', metadata: { name: 'ingress-nginx' } });
    expect(docs.map(objectKey)).toEqual(expect.arrayContaining(['Deployment ubuntu-dev', 'Role default/mirrord-role', 'Deployment ingress-nginx/ingress-nginx-controller']));
    await expect(yaml).toMatchFileSnapshot('../__snapshots__/app.k8s.yaml');
  });
});

describe('dist/', () => {
  test('the committed dist/ and kind/ are what a fresh synth writes (CI fails when they are stale)', () => {
    const out = synthProcess();
    try {
      expect(readTree(path.join(ROOT, 'dist'))).toEqual(readTree(out));
      expect(readTree(path.join(ROOT, 'kind'))).toEqual(readTree(kindOf(out)));
    } finally {
      cleanup(out);
    }
  });

  test('two synths give byte-identical files', () => {
    const a = synthProcess();
    const b = synthProcess();
    try {
      expect(Object.keys(readTree(a))).toEqual(['.local-hands-output', 'ingress-nginx.k8s.yaml', 'mirrord-rbac.k8s.yaml', 'ubuntu-dev.k8s.yaml']);
      expect(readTree(a)).toEqual(readTree(b));
      expect(readTree(kindOf(a))).toEqual(readTree(kindOf(b)));
    } finally {
      cleanup(a, b);
    }
  });

  test('`cdk8s synth` (the CLI, through the app of cdk8s.yaml) writes the same files', () => {
    const top = fs.mkdtempSync(path.join(os.tmpdir(), 'lh-cli-'));
    try {
      const out = path.join(top, 'dist');
      execFileSync(process.execPath, [path.join(ROOT, 'node_modules', 'cdk8s-cli', 'bin', 'cdk8s'), 'synth', '--check-upgrade=false', '--output', out], {
        cwd: ROOT, env: { ...process.env, LOCAL_HANDS_KIND_DIR: path.join(top, 'kind'), LOCAL_HANDS_QUIET_BUILD: '1' }, stdio: 'pipe',
      });
      expect(readTree(out)).toEqual(readTree(path.join(ROOT, 'dist')));
      expect(readTree(path.join(top, 'kind'))).toEqual(readTree(path.join(ROOT, 'kind')));
    } finally {
      fs.rmSync(top, { recursive: true, force: true });
    }
  });

  test('kubectl apply -f dist reads files in name order, and the Namespace comes before what lives in it', () => {
    const out = synthProcess();
    try {
      // kubectl reads .yaml, .yml and .json files only: the marker file is not a manifest.
      const ordered = fs.readdirSync(out).filter(f => /\.(ya?ml|json)$/.test(f)).sort().flatMap(f => readDocs(path.join(out, f)));
      const created = new Set<string>();
      for (const o of ordered) {
        if (o.metadata.namespace && o.metadata.namespace !== 'default') {
          expect(created.has(`Namespace ${o.metadata.namespace}`), objectKey(o)).toBe(true);
        }
        created.add(objectKey(o));
      }
    } finally {
      cleanup(out);
    }
  });
});
