// The RBAC presets against what a sandbox session really does, through the real authorizer: the needs
// are derived from SandboxRuntime's objects (accessNeededFor), checked with `kubectl auth can-i`, and then
// the session's objects are created, read and deleted *as* the bound ServiceAccount.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { ControlPlane, startControlPlane } from '../../tools/controlplane/controlplane';
import {
  DEFAULT_KUBERNETES_CONFIG, MirrordRbac, MirrordRbacPreset, SandboxRuntime, accessNeededFor,
} from '../../index';
import { START_TIMEOUT, parseObjects } from './helpers';
import { synthChartYaml } from '../util';

let cp: ControlPlane;

beforeAll(async () => {
  cp = await startControlPlane({ nodes: 0 });
}, START_TIMEOUT);
afterAll(async () => { await cp?.stop(); });


/** A namespace with the preset's Role bound to its default ServiceAccount, and the session YAML for it. */
async function setUp(preset: MirrordRbacPreset): Promise<{ ns: string; as: string; session: string }> {
  const ns = `preset-${preset.toLowerCase()}`;
  await cp.kubectl(['create', 'namespace', ns]);
  await cp.kubectl(['apply', '-f', '-'], { input: synthChartYaml(c => new MirrordRbac(c, 'rbac', { namespace: ns, preset })) });
  const session = synthChartYaml(c => new SandboxRuntime(c, 's', { sid: 'conv1', config: { ...DEFAULT_KUBERNETES_CONFIG, namespace: ns } }));
  return { ns, as: `system:serviceaccount:${ns}:default`, session };
}

async function canI(as: string, verb: string, resource: string, ns: string): Promise<boolean> {
  const r = await cp.kubectl(['auth', 'can-i', verb, resource, '-n', ns, `--as=${as}`], { allowFail: true });
  return r.stdout.trim() === 'yes';
}

describe.each(['openhands', 'leastPrivilege'] as const)('preset %s covers a sandbox session', preset => {
  test('every need derived from the session objects is allowed by the authorizer', async () => {
    const { ns, as, session } = await setUp(preset);
    const needs = accessNeededFor(parseObjects(session));
    expect(needs.length).toBe(12);
    const denied: string[] = [];
    for (const n of needs) {
      const resource = n.apiGroup ? `${n.resource}.${n.apiGroup}` : n.resource;
      if (!(await canI(as, n.verb, resource, ns))) denied.push(`${n.verb} ${resource}`);
    }
    expect(denied).toEqual([]);
  });

  test('the ServiceAccount really creates, reads and deletes the session objects', async () => {
    const ns = `preset-${preset.toLowerCase()}`;
    const as = `system:serviceaccount:${ns}:default`;
    const session = synthChartYaml(c => new SandboxRuntime(c, 's', { sid: 'conv2', config: { ...DEFAULT_KUBERNETES_CONFIG, namespace: ns } }));
    const created = await cp.kubectl(['create', `--as=${as}`, '-f', '-'], { input: session, allowFail: true });
    expect(created.code, created.stderr).toBe(0);
    for (const o of parseObjects(session)) {
      const got = await cp.kubectl(['get', `--as=${as}`, '-n', ns, o.kind.toLowerCase(), o.metadata.name], { allowFail: true });
      expect(got.code, got.stderr).toBe(0);
    }
    const deleted = await cp.kubectl(['delete', `--as=${as}`, '--wait=false', '-f', '-'], { input: session, allowFail: true });
    expect(deleted.code, deleted.stderr).toBe(0);
  });
});

describe('the authorizer check can fail', () => {
  test('mirrordCli does not cover a session: creating as its ServiceAccount is forbidden', async () => {
    const { ns, as, session } = await setUp('mirrordCli');
    expect(await canI(as, 'create', 'persistentvolumeclaims', ns)).toBe(false);
    const created = await cp.kubectl(['create', `--as=${as}`, '-f', '-'], { input: session, allowFail: true });
    expect(created.code).not.toBe(0);
    expect(created.stderr).toMatch(/forbidden/i);
  });

  test('leastPrivilege grants nothing beyond the session: no secrets, no patch, no list', async () => {
    const ns = 'preset-leastprivilege';
    const as = `system:serviceaccount:${ns}:default`;
    expect(await canI(as, 'get', 'secrets', ns)).toBe(false);
    expect(await canI(as, 'patch', 'pods', ns)).toBe(false);
    expect(await canI(as, 'list', 'pods', ns)).toBe(false);
    expect(await canI(as, 'create', 'pods', 'default')).toBe(false);
  });
});
