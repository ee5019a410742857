/**
 * src/api-scopes.generated.ts against the API server it was captured from: a Kubernetes bump that adds, drops or
 * moves a kind fails here until the file is captured again; our CRDs, applied, are served with the scopes it holds.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ALL_APIS, CAPTURE_COMMAND, GENERATED_FILE, type ScopeRow, discoverServedScopes, discoveryGetter, serverVersion,
} from '../../scripts/capture-api-scopes';
import { BUILT_IN_API_SCOPES, CRD_API_SCOPES, KUBERNETES_VERSION } from '../../src/api-scopes.generated';
import { startControlPlane, type ControlPlane } from '../../tools/controlplane/controlplane';
import { START_TIMEOUT, eventually, repoRoot } from './helpers';

/** What differs between the data and the server, one line a kind: `+` served but missing, `-` not served, `~` another scope. */
function differences(data: readonly ScopeRow[], served: readonly ScopeRow[]): string[] {
  const key = (g: string, k: string): string => `${k}${g ? `.${g}` : ''}`;
  const had = new Map(data.map(([g, k, s]) => [key(g, k), s]));
  const has = new Map(served.map(([g, k, s]) => [key(g, k), s]));
  return [
    ...[...has].filter(([k]) => !had.has(k)).map(([k, s]) => `+ ${k} ${s} (served, missing from the data)`),
    ...[...had].filter(([k]) => !has.has(k)).map(([k, s]) => `- ${k} ${s} (in the data, not served)`),
    ...[...has].filter(([k, s]) => had.has(k) && had.get(k) !== s).map(([k, s]) => `~ ${k} is ${s}, the data says ${had.get(k)}`),
  ];
}

describe(`${GENERATED_FILE} against the live control plane`, () => {
  let cp: ControlPlane;
  let builtIns: ScopeRow[];

  beforeAll(async () => {
    cp = await startControlPlane({ nodes: 0, apiServerFlags: ALL_APIS });
    builtIns = await discoverServedScopes(discoveryGetter(cp));
  }, START_TIMEOUT);

  afterAll(async () => {
    await cp?.stop();
  });

  it('holds every built-in kind the API server serves, with its scope, and nothing else', async () => {
    const version = await serverVersion(cp);
    const recapture = `${GENERATED_FILE} is out of date with the control plane (Kubernetes ${version}): run \`${CAPTURE_COMMAND}\``;
    expect(differences(BUILT_IN_API_SCOPES, builtIns), recapture).toEqual([]);
    expect(KUBERNETES_VERSION, recapture).toBe(version);
    expect(builtIns.length).toBeGreaterThan(50);
  });

  it('our CRDs, applied, are served with the scopes the data gives their kinds', async () => {
    await Promise.all(CRD_API_SCOPES.map(set => {
      const file = path.join(repoRoot, set.file);
      // A vendored set is a JSON array of objects: kubectl takes it as a List on stdin.
      if (!set.file.endsWith('.json')) return cp.kubectl(['apply', '--server-side', '--field-manager=local-hands', '-f', file]);
      const input = JSON.stringify({ apiVersion: 'v1', kind: 'List', items: JSON.parse(fs.readFileSync(file, 'utf8')) });
      return cp.kubectl(['apply', '--server-side', '--field-manager=local-hands', '-f', '-'], { input });
    }));
    await cp.kubectl(['wait', '--for=condition=Established', 'crd', '--all', '--timeout=60s']);
    const data = CRD_API_SCOPES.flatMap(s => s.rows);
    const builtIn = new Set(builtIns.map(([g, k]) => `${g}/${k}`));
    // Discovery takes the new groups in a moment after the CRDs are Established.
    await eventually(async () => {
      const served = (await discoverServedScopes(discoveryGetter(cp))).filter(([g, k]) => !builtIn.has(`${g}/${k}`));
      expect(differences(data, served), `the custom resource kinds of ${GENERATED_FILE} differ from what the API server serves for our CRDs: run \`${CAPTURE_COMMAND}\``).toEqual([]);
    }, 30_000);
  });
});
