import { describe, expect, test } from 'vitest';
import {
  MIRRORD_RBAC_PRESETS, SandboxRuntime, accessNeededFor, missingAccess, resourceOf, rulesAllow, sandboxSessionAccess, sandboxSessionRules,
} from '../index';
import type { RbacRule } from '../src/rbac';
import { synthChart } from './util';

// What the runtime needs is derived from what SandboxRuntime creates, never kept by hand: with VS Code and
// TLS on, every kind the runtime can create appears.
const objects = synthChart(c => new SandboxRuntime(c, 's', { sid: 'abc' }));
const needed = accessNeededFor(objects);

describe('RBAC presets cover what the sandbox runtime does', () => {
  test('the needs are derived from the objects: four resources, get/create/delete each, in the config namespace', () => {
    expect(needed.map(a => `${a.verb} ${a.apiGroup || 'core'}/${a.resource} in ${a.namespace}`).sort()).toEqual([
      'create core/persistentvolumeclaims in default', 'create core/pods in default', 'create core/services in default',
      'create networking.k8s.io/ingresses in default',
      'delete core/persistentvolumeclaims in default', 'delete core/pods in default', 'delete core/services in default',
      'delete networking.k8s.io/ingresses in default',
      'get core/persistentvolumeclaims in default', 'get core/pods in default', 'get core/services in default',
      'get networking.k8s.io/ingresses in default',
    ]);
  });

  test.each(['openhands', 'leastPrivilege'] as const)('%s covers every need', preset => {
    expect(missingAccess(MIRRORD_RBAC_PRESETS[preset], needed)).toEqual([]);
  });

  test('leastPrivilege grants nothing the runtime does not need', () => {
    const grants = MIRRORD_RBAC_PRESETS.leastPrivilege.flatMap(r => r.apiGroups.flatMap(g => r.resources.flatMap(res => r.verbs.map(v => `${v} ${g}/${res}`))));
    const needs = new Set(needed.map(a => `${a.verb} ${a.apiGroup}/${a.resource}`));
    expect(grants.filter(g => !needs.has(g))).toEqual([]);
  });

  test('mirrordCli alone does not cover the runtime (the check can fail)', () => {
    expect(missingAccess(MIRRORD_RBAC_PRESETS.mirrordCli, needed).length).toBeGreaterThan(0);
  });

  test('a rule limited by resourceNames does not allow a nameless create', () => {
    expect(rulesAllow([{ apiGroups: [''], resources: ['pods'], verbs: ['create'], resourceNames: ['x'] }], { apiGroup: '', resource: 'pods', verb: 'create' })).toBe(false);
  });

  test('kinds map to resources by the API machinery rule', () => {
    expect(resourceOf({ apiVersion: 'v1', kind: 'PersistentVolumeClaim' })).toEqual({ apiGroup: '', resource: 'persistentvolumeclaims' });
    expect(resourceOf({ apiVersion: 'networking.k8s.io/v1', kind: 'Ingress' })).toEqual({ apiGroup: 'networking.k8s.io', resource: 'ingresses' });
    expect(resourceOf({ apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy' })).toEqual({ apiGroup: 'networking.k8s.io', resource: 'networkpolicies' });
  });
});

// The same check for sessions routed by an HTTPRoute: the needs come from a real SandboxRuntime with that route.
const routed = synthChart(c => new SandboxRuntime(c, 's', { sid: 'abc', route: { kind: 'HTTPRoute', gateway: { namespace: 'traefik', name: 'gw' } } }));
const routedNeeds = accessNeededFor(routed);
const grantsOf = (rules: readonly RbacRule[]) => rules.flatMap(r => r.apiGroups.flatMap(g => r.resources.flatMap(res => r.verbs.map(v => `${v} ${g}/${res}`)))).sort();

describe('RBAC for sessions routed by an HTTPRoute', () => {
  test('the needs swap ingresses for gateway.networking.k8s.io httproutes, create/delete/get', () => {
    const routes = routedNeeds.filter(a => a.resource === 'httproutes' || a.resource === 'ingresses');
    expect(routes.map(a => `${a.verb} ${a.apiGroup}/${a.resource}`).sort()).toEqual([
      'create gateway.networking.k8s.io/httproutes', 'delete gateway.networking.k8s.io/httproutes', 'get gateway.networking.k8s.io/httproutes',
    ]);
    expect(routedNeeds).toHaveLength(12);
  });

  test('sandboxSessionAccess reads the same needs from its own HTTPRoute session', () => {
    const key = (a: { verb: string; apiGroup: string; resource: string }) => `${a.verb} ${a.apiGroup}/${a.resource}`;
    expect(sandboxSessionAccess('HTTPRoute').map(key).sort()).toEqual(routedNeeds.map(key).sort());
  });

  test('leastPrivilegeHttpRoute covers every need and grants nothing else', () => {
    expect(missingAccess(MIRRORD_RBAC_PRESETS.leastPrivilegeHttpRoute, routedNeeds)).toEqual([]);
    expect(grantsOf(MIRRORD_RBAC_PRESETS.leastPrivilegeHttpRoute)).toEqual([...new Set(routedNeeds.map(a => `${a.verb} ${a.apiGroup}/${a.resource}`))].sort());
    expect(grantsOf(sandboxSessionRules('HTTPRoute'))).toEqual(grantsOf(MIRRORD_RBAC_PRESETS.leastPrivilegeHttpRoute));
  });

  test('the Ingress preset does not cover an HTTPRoute session, nor the reverse (the check can fail)', () => {
    expect(missingAccess(MIRRORD_RBAC_PRESETS.leastPrivilege, routedNeeds).map(a => `${a.verb} ${a.resource}`).sort())
      .toEqual(['create httproutes', 'delete httproutes', 'get httproutes']);
    expect(missingAccess(MIRRORD_RBAC_PRESETS.leastPrivilegeHttpRoute, needed).map(a => `${a.verb} ${a.resource}`).sort())
      .toEqual(['create ingresses', 'delete ingresses', 'get ingresses']);
  });
});
