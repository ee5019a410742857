// `npm run status` against a real control plane with a kwok node: the Warning events and, for each pod that is
// not Ready, its reason. kubectl is the pinned one, reaching the control plane through a context named
// kind-local-hands, as KIND would have set it up; status needs no docker or kind.
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { ControlPlane, startControlPlane } from '../../tools/controlplane/controlplane';
import { START_TIMEOUT, kindCliEnvironment, eventually, repoRoot } from './helpers';

let cp: ControlPlane;
let dir: string;
let env: Record<string, string>;

beforeAll(async () => {
  cp = await startControlPlane({ nodes: 1 });
  ({ dir, env } = kindCliEnvironment(cp, 'lh-kind-status-', []));
}, START_TIMEOUT);

afterAll(async () => {
  await cp?.stop();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

function status(): Promise<{ code: number; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, ['tools/launcher/run.cjs', 'scripts/kind.ts', 'status'], { cwd: repoRoot, env });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', d => { stdout += d; });
  child.stderr.on('data', d => { stderr += d; });
  return new Promise(resolve => child.on('exit', code => resolve({ code: code ?? 1, stdout, stderr })));
}

/** The lines of one `status` section: from its heading to the next blank line. */
function section(stdout: string, heading: RegExp): string[] {
  const lines = stdout.split('\n');
  const start = lines.findIndex(l => heading.test(l));
  if (start < 0) throw new Error(`no section ${heading} in:\n${stdout}`);
  const end = lines.findIndex((l, i) => i > start && l.trim() === '');
  return lines.slice(start + 1, end < 0 ? undefined : end);
}

const pod = (name: string, nodeSelector?: Record<string, string>) => JSON.stringify({
  apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: 'default' },
  spec: { containers: [{ name: 'app', image: 'registry.k8s.io/pause:3.10' }], nodeSelector },
});

describe('npm run status: warning events and why pods are not ready', () => {
  test('everything Ready: exit 0, "all ready."', async () => {
    await cp.kubectl(['apply', '-f', '-'], { input: pod('fine') });
    await cp.kubectl(['wait', '--for=condition=Ready', 'pod/fine', '--timeout=60s']);
    const r = await status();
    expect(r.code, `${r.stdout}\n${r.stderr}`).toBe(0);
    expect(r.stdout).toContain('all ready.');
    expect(r.stdout).not.toContain('FailedScheduling');
  });

  test('a pod no node can take: its FailedScheduling event, the Unschedulable reason, exit 1', async () => {
    await cp.kubectl(['apply', '-f', '-'], { input: pod('stuck', { nowhere: 'true' }) });
    const r = await eventually(async () => {
      const got = await status();
      if (!got.stdout.includes('FailedScheduling')) throw new Error(`no FailedScheduling event yet:\n${got.stdout}`);
      return got;
    }, 90_000, 1000);
    expect(r.code, `${r.stdout}\n${r.stderr}`).toBe(1);
    const events = section(r.stdout, /^warning events \(newest last\):$/);
    expect(events[0]).toMatch(/^ {2}AGE +NAMESPACE +OBJECT +REASON +MESSAGE$/);
    expect(events.find(l => l.includes('pod/stuck'))).toMatch(/^ {2}\d+[smhd] +default +pod\/stuck +FailedScheduling +0\/1 nodes are available: .*node affinity\/selector/);
    const notReady = section(r.stdout, /^not ready:$/);
    expect(notReady).toContainEqual(expect.stringMatching(/^ {2}pod default\/stuck: Unschedulable: 0\/1 nodes are available: .*node affinity\/selector/));
    expect(notReady.join('\n')).not.toContain('pod default/fine');
  }, 120_000);

  test('many warnings: the 20 newest, oldest of them first', async () => {
    const base = Date.now() - 2 * 86_400_000;
    const items = Array.from({ length: 25 }, (_, i) => ({
      apiVersion: 'v1', kind: 'Event', type: 'Warning',
      metadata: { name: `made-up.${String(i).padStart(2, '0')}`, namespace: 'default' },
      involvedObject: { kind: 'Pod', name: 'fine', namespace: 'default', apiVersion: 'v1' },
      reason: `Made${String(i).padStart(2, '0')}`, message: `made-up warning ${i}`, count: i === 24 ? 3 : 1,
      firstTimestamp: new Date(base + i * 60_000).toISOString(), lastTimestamp: new Date(base + i * 60_000).toISOString(),
      source: { component: 'local-hands-test' },
    }));
    await cp.kubectl(['create', '-f', '-'], { input: JSON.stringify({ apiVersion: 'v1', kind: 'List', items }) });
    const r = await status();
    expect(r.code).toBe(1); // the stuck pod
    const lines = section(r.stdout, /^warning events \(newest last; the 20 newest of \d+\):$/).slice(1);
    expect(lines).toHaveLength(20);
    // The made-up events are days old, so the scheduler's FailedScheduling events come last; before them the
    // newest made-up ones, oldest first, the oldest cut.
    const made = lines.filter(l => l.includes('made-up warning')).map(l => l.match(/Made(\d\d)/)![1]);
    expect(made).toEqual(Array.from({ length: 25 }, (_, i) => String(i).padStart(2, '0')).slice(-made.length));
    expect(made.length).toBeGreaterThanOrEqual(15);
    expect(lines[lines.length - 1]).toContain('FailedScheduling');
    expect(lines.find(l => l.includes('Made24'))).toMatch(/made-up warning 24 \(x3\)$/);
  });
});
