/**
 * `npm run verify [-- <dir>]`: applies the synthesized manifests (dist/ by default)
 * to a throwaway real control plane (tools/controlplane) and reports, object by
 * object, what the API server accepted or rejected and why. Then checks that a
 * second apply would change nothing and that Deployments become Available on a
 * simulated node. Tears the control plane down; exits non-zero on any rejection.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseAllDocuments } from 'yaml';
import { startControlPlane, type ControlPlane } from '../tools/controlplane/controlplane';
import { secondApplyChanges } from '../tools/controlplane/second-apply';

interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string };
  [k: string]: unknown;
}

export interface VerifyOptions {
  /** Where the report goes. Default: stdout. */
  out?: (line: string) => void;
  /** Seconds to wait for each Deployment to become Available. Default 90. */
  rolloutTimeoutSeconds?: number;
}

/** Apply order: what others depend on first; admission webhooks last so they cannot intercept the rest. */
const ORDER = [
  'Namespace',
  'CustomResourceDefinition',
  'PriorityClass',
  'StorageClass',
  'ServiceAccount',
  'Secret',
  'ConfigMap',
  'ClusterRole',
  'ClusterRoleBinding',
  'Role',
  'RoleBinding',
  'PersistentVolume',
  'PersistentVolumeClaim',
  'LimitRange',
  'ResourceQuota',
  'Service',
  'IngressClass',
  'DaemonSet',
  'Deployment',
  'StatefulSet',
  'ReplicaSet',
  'Job',
  'CronJob',
  'Pod',
  'NetworkPolicy',
  'Ingress',
];
const LAST = ['MutatingWebhookConfiguration', 'ValidatingWebhookConfiguration', 'ValidatingAdmissionPolicy', 'ValidatingAdmissionPolicyBinding'];

function rank(kind: string): number {
  const i = ORDER.indexOf(kind);
  if (i >= 0) return i;
  const j = LAST.indexOf(kind);
  if (j >= 0) return 1000 + j;
  return ORDER.length; // other kinds (custom resources...) after the built-ins
}

function label(o: K8sObject): string {
  return `${o.kind} ${o.metadata?.namespace ? `${o.metadata.namespace}/` : ''}${o.metadata?.name ?? '(no name)'}`;
}

/** The server's reason, without kubectl's boilerplate. */
function reason(stderr: string): string {
  return stderr
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean)
    .map((l) => l.replace(/^Error from server( \([A-Za-z]+\))?: /, '').replace(/^error: /, ''))
    .join(' | ');
}

export function loadManifests(distDir: string): { file: string; object: K8sObject }[] {
  const files = fs
    .readdirSync(distDir)
    .filter((f) => /\.ya?ml$/.test(f))
    .sort();
  const out: { file: string; object: K8sObject }[] = [];
  for (const f of files) {
    const full = path.join(distDir, f);
    for (const doc of parseAllDocuments(fs.readFileSync(full, 'utf8'))) {
      if (doc.errors.length > 0) throw new Error(`${full}: ${doc.errors[0].message}`);
      const o = doc.toJS() as K8sObject | null;
      if (o && typeof o === 'object') out.push({ file: f, object: o });
    }
  }
  return out;
}

/** Returns the number of problems found (0 = the server accepted everything). */
export async function verify(distDir: string, opts: VerifyOptions = {}): Promise<number> {
  const print = opts.out ?? ((l: string) => process.stdout.write(`${l}\n`));
  const dir = path.resolve(distDir);
  if (!fs.existsSync(dir)) {
    print(`FAIL  ${dir} does not exist: run \`npm run synth\` first`);
    return 1;
  }
  const manifests = loadManifests(dir);
  if (manifests.length === 0) {
    print(`FAIL  no manifests (*.yaml) in ${dir}`);
    return 1;
  }
  let failures = 0;
  const started = Date.now();
  const shown = path.relative(process.cwd(), dir);
  print(`verify: ${manifests.length} objects from ${shown.startsWith('..') ? dir : shown || '.'}; starting a throwaway control plane...`);
  let cp: ControlPlane | undefined;
  try {
    cp = await startControlPlane();
    print(`verify: control plane ready in ${((Date.now() - started) / 1000).toFixed(1)}s (${cp.server})`);
    print('');
    print('apply (server-side, strict field validation), in dependency order:');
    const sorted = manifests
      .map((m, i) => ({ ...m, i }))
      .sort((a, b) => rank(a.object.kind) - rank(b.object.kind) || a.i - b.i);
    for (const { file, object } of sorted) {
      if (!object.kind || !object.apiVersion || !object.metadata?.name) {
        failures++;
        print(`FAIL  ${label(object)} (${file}): not a Kubernetes object (needs apiVersion, kind, metadata.name)`);
        continue;
      }
      const r = await cp.kubectl(
        ['apply', '--server-side', '--field-manager=local-hands-verify', '--validate=strict', '-f', '-'],
        { input: JSON.stringify(object), allowFail: true },
      );
      const warnings = r.stderr
        .split('\n')
        .filter((l) => /^Warning:/.test(l))
        .map((l) => l.replace(/^Warning:\s*/, ''));
      if (r.code === 0) {
        print(`ok    ${label(object)}${warnings.length ? `  (warning: ${warnings.join(' | ')})` : ''}`);
      } else {
        failures++;
        print(`FAIL  ${label(object)} (${file}): ${reason(r.stderr) || `kubectl exited ${r.code}`}`);
      }
    }

    if (failures === 0) {
      print('');
      print('second apply (server-side dry run, judged on the fields we own; status a controller moves is not ours):');
      const changes = await secondApplyChanges(cp, [dir], 'local-hands-verify');
      if (changes.length === 0) print('ok    a second apply changes nothing');
      else {
        failures++;
        print('FAIL  a second apply would change these objects:');
        for (const c of changes) print(`      ${c.object}: ${c.fields.join(', ')}`);
      }

      const deployments = manifests.map((m) => m.object).filter((o) => o.kind === 'Deployment');
      if (deployments.length > 0) {
        print('');
        print(`rollout on a simulated node (kwok; no containers really run):`);
        const timeout = opts.rolloutTimeoutSeconds ?? 90;
        for (const d of deployments) {
          const ns = d.metadata.namespace ?? 'default';
          const w = await cp.kubectl(['-n', ns, 'wait', '--for=condition=Available', `deployment/${d.metadata.name}`, `--timeout=${timeout}s`], {
            allowFail: true,
            timeoutMs: (timeout + 30) * 1000,
          });
          if (w.code === 0) print(`ok    ${label(d)} is Available`);
          else {
            failures++;
            const why = await cp.kubectl(['-n', ns, 'get', 'events', '--field-selector=type=Warning', '-o', 'custom-columns=REASON:.reason,MESSAGE:.message', '--no-headers'], {
              allowFail: true,
            });
            print(`FAIL  ${label(d)} did not become Available in ${timeout}s: ${reason(w.stderr)}`);
            for (const l of why.stdout.trim().split('\n').filter(Boolean).slice(-5)) print(`      ${l}`);
          }
        }
      }
    }
  } catch (e) {
    failures++;
    print(`FAIL  ${(e as Error).message}`);
  } finally {
    await cp?.stop();
  }
  print('');
  print(
    failures === 0
      ? `verify: the API server accepted all ${manifests.length} objects (${((Date.now() - started) / 1000).toFixed(1)}s)`
      : `verify: ${failures} problem(s) (${((Date.now() - started) / 1000).toFixed(1)}s)`,
  );
  return failures;
}

export async function main(argv: string[] = process.argv.slice(2)): Promise<number> {
  const dir = argv.find((a) => !a.startsWith('-')) ?? 'dist';
  const failures = await verify(dir);
  return failures === 0 ? 0 : 1;
}

// Run when executed directly (node on the bundle, or the project's launcher, which names the bundle scripts__verify.cjs).
const entry = path.basename(process.argv[1] ?? '');
const isMain =
  (typeof require !== 'undefined' && typeof module !== 'undefined' && require.main === module) ||
  /(^|__)verify\.(c?js|ts)$/.test(entry);
if (isMain) {
  main().then(
    (code) => {
      process.exitCode = code;
    },
    (e) => {
      process.stderr.write(`verify: ${(e as Error).stack ?? e}\n`);
      process.exitCode = 1;
    },
  );
}
