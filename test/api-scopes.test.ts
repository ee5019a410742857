import * as fs from 'fs';
import * as path from 'path';
import { App, Chart } from 'cdk8s';
import { describe, expect, test } from 'vitest';
import * as k8s from '../imports/k8s';
import * as gatewayApi from '../imports/gateway-api';
import {
  IngressMetricsMonitor, PROFILES, ProfileName, SandboxFleet, SandboxRuntime, addGatewayStack, addOpenHandsStack, addProductionStack, exampleBuild,
} from '../index';
import { renderCharts } from '../app/synth';
import { CAPTURE_COMMAND, GENERATED_FILE, crdScopeSets, renderModule } from '../scripts/capture-api-scopes';
import { UNVENDORED_CRD_SCOPES, apiScope } from '../src/api-scopes';
import { BUILT_IN_API_SCOPES, CRD_API_SCOPES, KUBERNETES_VERSION } from '../src/api-scopes.generated';
import { ROOT, parseDocs } from './util';

const RECAPTURE = `${GENERATED_FILE} is out of date: run \`${CAPTURE_COMMAND}\``;

/** Every profile as its demonstration run builds it, and the stacks and constructs with the parts the profiles leave off. */
const BUILDS: Readonly<Record<string, (app: App) => void>> = {
  ...Object.fromEntries(Object.keys(PROFILES).map(name => [`the ${name} profile`, exampleBuild(name as ProfileName)])),
  'the default stack with the server, isolation and monitoring': app => { addOpenHandsStack(app, { server: true, isolation: true, monitoring: true }); },
  'the gateway stack with monitoring': app => { addGatewayStack(app, { monitoring: true }); },
  'the production stack with a cert-manager issuer, ubuntu-dev and the mirrord RBAC': app => {
    addProductionStack(app, {
      domain: 'openhands.example.com', tls: { issuer: { name: 'letsencrypt', kind: 'ClusterIssuer' } }, ubuntuDev: {}, mirrordRbac: {},
    });
  },
  'sandbox sessions with an Ingress and with an HTTPRoute, and a fleet': app => {
    const chart = new Chart(app, 'sessions');
    new SandboxRuntime(chart, 'ingress', { sid: 'a' });
    new SandboxRuntime(chart, 'route', { sid: 'b', route: { kind: 'HTTPRoute', gateway: { namespace: 'traefik', name: 'gw', listener: 'web' } } });
    new SandboxFleet(chart, 'fleet', { sids: ['c', 'd'] });
  },
  'both ingress controllers\' metrics monitors': app => {
    const chart = new Chart(app, 'monitors');
    new IngressMetricsMonitor(chart, 'nginx');
    new IngressMetricsMonitor(chart, 'traefik', { controller: 'traefik' });
  },
};

/** The objects a build renders, as our synth writes them (every check run, collisions included). */
function rendered(build: (app: App) => void): any[] {
  const app = new App({ outdir: '/nonexistent/never-written' });
  build(app);
  return renderCharts(app).flatMap(f => parseDocs(f.text));
}

const RENDERED = Object.entries(BUILDS).map(([name, build]) => ({ name, docs: rendered(build) }));

describe('every kind we render has its scope in the data', () => {
  test.each(RENDERED)('$name', ({ docs }) => {
    expect(docs.length).toBeGreaterThan(0);
    const missing = [...new Set(docs.filter(d => apiScope(d.apiVersion, d.kind) === undefined).map(d => `${d.apiVersion} ${d.kind}`))];
    expect(missing, `kinds without a scope: add their CRD's scope (${RECAPTURE}, or UNVENDORED_CRD_SCOPES in src/api-scopes.ts)`).toEqual([]);
  });

  test('every binding in imports/ (each Kube* class a construct may use, and the Gateway API classes)', () => {
    const gvks = [...Object.values(k8s), ...Object.values(gatewayApi)]
      .flatMap(v => (typeof v === 'function' && 'GVK' in v ? [(v as unknown as { GVK: { apiVersion: string; kind: string } }).GVK] : []));
    expect(gvks.length).toBeGreaterThan(20);
    expect(gvks.filter(g => apiScope(g.apiVersion, g.kind) === undefined)).toEqual([]);
  });

  test('objects of a cluster-scoped kind are written without a namespace, whatever the chart', () => {
    const stamped = RENDERED.flatMap(({ name, docs }) => docs
      .filter(d => apiScope(d.apiVersion, d.kind) === 'Cluster' && d.metadata?.namespace !== undefined)
      .map(d => `${name}: ${d.kind} ${d.metadata.namespace}/${d.metadata.name}`));
    expect(stamped).toEqual([]);
    expect(RENDERED.flatMap(r => r.docs).filter(d => apiScope(d.apiVersion, d.kind) === 'Cluster').length).toBeGreaterThan(10);
  });
});

describe('the scopes come from data', () => {
  test('cluster-scoped kinds, built-in and custom, by API group and kind (the version does not count)', () => {
    const cluster = [
      ['rbac.authorization.k8s.io/v1', 'ClusterRole'], ['rbac.authorization.k8s.io/v1', 'ClusterRoleBinding'], ['networking.k8s.io/v1', 'IngressClass'],
      ['gateway.networking.k8s.io/v1', 'GatewayClass'], ['apiextensions.k8s.io/v1', 'CustomResourceDefinition'], ['scheduling.k8s.io/v1', 'PriorityClass'],
      ['admissionregistration.k8s.io/v1', 'ValidatingWebhookConfiguration'], ['admissionregistration.k8s.io/v1', 'ValidatingAdmissionPolicy'],
      ['v1', 'Namespace'], ['v1', 'PersistentVolume'], ['storage.k8s.io/v1', 'VolumeAttributesClass'], ['hub.traefik.io/v1alpha1', 'AccessControlPolicy'],
    ];
    expect(cluster.filter(([v, k]) => apiScope(v, k) !== 'Cluster')).toEqual([]);
    const namespaced = [
      ['v1', 'Pod'], ['apps/v1', 'Deployment'], ['autoscaling/v1', 'HorizontalPodAutoscaler'], ['autoscaling/v2', 'HorizontalPodAutoscaler'],
      ['rbac.authorization.k8s.io/v1', 'Role'], ['gateway.networking.k8s.io/v1', 'HTTPRoute'], ['traefik.io/v1alpha1', 'Middleware'],
      ['monitoring.coreos.com/v1', 'ServiceMonitor'], ['monitoring.coreos.com/v1', 'PrometheusRule'], ['cert-manager.io/v1', 'Certificate'],
    ];
    expect(namespaced.filter(([v, k]) => apiScope(v, k) !== 'Namespaced')).toEqual([]);
  });

  test('a kind the data does not hold is unknown, not namespaced; so is a known kind in another group', () => {
    expect(apiScope('example.com/v1', 'Widget')).toBeUndefined();
    expect(apiScope('example.com/v1', 'ClusterRole')).toBeUndefined();
    expect(apiScope('v1', 'Deployment')).toBeUndefined();
  });

  test('both scopes are kept, each kind once', () => {
    const all = [...BUILT_IN_API_SCOPES, ...CRD_API_SCOPES.flatMap(s => s.rows), ...UNVENDORED_CRD_SCOPES];
    const keys = all.map(([group, kind]) => `${group}/${kind}`);
    expect(keys.filter((k, i) => keys.indexOf(k) !== i)).toEqual([]);
    for (const rows of [BUILT_IN_API_SCOPES, CRD_API_SCOPES.flatMap(s => s.rows)]) {
      expect(rows.some(r => r[2] === 'Cluster') && rows.some(r => r[2] === 'Namespaced')).toBe(true);
    }
  });

  test(`the built-in kinds are those of the Kubernetes release the control plane is built from (${KUBERNETES_VERSION})`, () => {
    const goMod = fs.readFileSync(path.join(ROOT, 'tools', 'controlplane', 'go.mod'), 'utf8');
    expect(/^\s*k8s\.io\/kubernetes (v\d+\.\d+\.\d+)\b/m.exec(goMod)?.[1], RECAPTURE).toBe(KUBERNETES_VERSION);
  });

  test('the custom resource kinds are those our CRD files declare now (re-vendored CRDs need a recapture)', () => {
    expect(CRD_API_SCOPES.map(s => s.file)).toEqual([
      'constructs/vendored/gateway-api-v1.6.1-crds.json', 'constructs/vendored/traefik-41.3.0-crds.json', 'test/reference/prometheus-operator-v0.93.0/',
    ]);
    expect(CRD_API_SCOPES, RECAPTURE).toEqual(crdScopeSets(ROOT));
  });

  test('the generated file is exactly what the capture script writes for its rows (no hand edits)', () => {
    expect(fs.readFileSync(path.join(ROOT, GENERATED_FILE), 'utf8'), RECAPTURE)
      .toBe(renderModule(KUBERNETES_VERSION, BUILT_IN_API_SCOPES, CRD_API_SCOPES));
  });
});
