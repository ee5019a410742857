/** Shared helpers for the tests that run manifests against a real control plane. */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseAllDocuments } from 'yaml';

export const repoRoot = path.resolve(__dirname, '..', '..');

/** Generous: a cold control plane on 2 shared cores. */
export const START_TIMEOUT = 240_000;

export interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; [k: string]: unknown };
  [k: string]: unknown;
}

/**
 * The folder of manifests under test: $LOCAL_HANDS_MANIFESTS, else dist/ (the
 * synthesized *.k8s.yaml). Fails when there is nothing to test: run `npm run synth`.
 */
export function manifestsDir(): string {
  const explicit = process.env.LOCAL_HANDS_MANIFESTS;
  const dir = explicit ? path.resolve(explicit) : path.join(repoRoot, 'dist');
  if (!fs.existsSync(dir) || manifestFiles(dir).length === 0) {
    throw new Error(`no manifests in ${dir}: run \`npm run synth\` first (or set LOCAL_HANDS_MANIFESTS)`);
  }
  return dir;
}

export function manifestFiles(dir: string): string[] {
  return fs
    .readdirSync(dir)
    .filter((f) => /\.ya?ml$/.test(f))
    .sort()
    .map((f) => path.join(dir, f));
}

export function parseObjects(text: string): K8sObject[] {
  return parseAllDocuments(text)
    .map((d) => d.toJS() as K8sObject | null)
    .filter((o): o is K8sObject => !!o && typeof o === 'object' && 'kind' in o);
}

export function loadObjects(dir: string): K8sObject[] {
  return manifestFiles(dir).flatMap((f) => parseObjects(fs.readFileSync(f, 'utf8')));
}

/** `Kind ns/name` (or `Kind name` when cluster-scoped) */
export function describe(o: K8sObject): string {
  return `${o.kind} ${o.metadata.namespace ? `${o.metadata.namespace}/` : ''}${o.metadata.name}`;
}

export function tempDir(prefix: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

/** The flags every apply in these tests uses: server-side, strict field validation (kubectl --validate=strict sends fieldValidation=Strict to the server). */
export const APPLY = ['apply', '--server-side', '--field-manager=local-hands', '--validate=strict'];

/** Runs fn over items with at most `limit` running at once. */
export async function mapLimit<T, R>(items: T[], limit: number, fn: (t: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}

/** Retries fn until it stops throwing or the time is up (then rethrows its last error). */
export async function eventually<T>(fn: () => Promise<T>, timeoutMs = 60_000, everyMs = 500): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await fn();
    } catch (e) {
      if (Date.now() > until) throw e;
      await new Promise((r) => setTimeout(r, everyMs));
    }
  }
}

/**
 * What the kind.ts CLI (kind:up, status) sees on a user's machine, pointed at a control plane: a PATH holding only
 * the stand-in `docker` and `kind` of test/fakes (those named in `fakes`) and the pinned kubectl, and a kubeconfig
 * whose context is KIND's `kind-local-hands`. Returns the folder (remove it afterwards) and the environment.
 */
export function kindCliEnvironment(cp: { binDir: string; kubeconfig: string }, prefix: string, fakes: readonly ('docker' | 'kind')[]): { dir: string; env: Record<string, string> } {
  const dir = tempDir(prefix);
  const bin = path.join(dir, 'bin');
  fs.mkdirSync(bin);
  for (const f of fakes) {
    fs.copyFileSync(path.join(repoRoot, 'test', 'fakes', f), path.join(bin, f));
    fs.chmodSync(path.join(bin, f), 0o755);
  }
  fs.symlinkSync(path.join(cp.binDir, 'kubectl'), path.join(bin, 'kubectl'));
  const kubeconfig = path.join(dir, 'kubeconfig');
  fs.copyFileSync(cp.kubeconfig, kubeconfig);
  const kubectl = (args: string[]) => spawnSync(path.join(bin, 'kubectl'), ['--kubeconfig', kubeconfig, ...args], { encoding: 'utf8' });
  const renamed = kubectl(['config', 'rename-context', kubectl(['config', 'current-context']).stdout.trim(), 'kind-local-hands']);
  if (renamed.status !== 0) throw new Error(`renaming the kubeconfig context failed: ${renamed.stderr}`);
  const env: Record<string, string> = { PATH: bin, HOME: dir, KUBECONFIG: kubeconfig, LOCAL_HANDS_QUIET_BUILD: '1' };
  if (fakes.length > 0) Object.assign(env, { FAKE_LOG: path.join(dir, 'calls.log'), FAKE_KIND_STATE: path.join(dir, 'clusters') });
  return { dir, env };
}
