import * as fs from 'fs';
import * as path from 'path';
import { expect, test } from 'vitest';
import { SHARED_REFERENCE, VENDORED_REFERENCE } from './util';

function files(dir: string, base = dir): Record<string, string> {
  const out: Record<string, string> = {};
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) Object.assign(out, files(p, base));
    else out[path.relative(base, p)] = fs.readFileSync(p, 'utf8');
  }
  return out;
}

test.skipIf(!fs.existsSync(SHARED_REFERENCE))('test/reference is a byte-for-byte copy of ../shared/reference', () => {
  expect(files(VENDORED_REFERENCE)).toEqual(files(SHARED_REFERENCE));
});

const GATEWAY_API_CRDS = ['backendtlspolicies', 'gatewayclasses', 'gateways', 'grpcroutes', 'httproutes', 'listenersets',
  'referencegrants', 'tcproutes', 'tlsroutes', 'udproutes', 'vap_safeupgrades'].map(f => `gateway-api-v1.6.1/gateway.networking.k8s.io_${f}.yaml`);

test('the vendored reference holds the upstream files', () => {
  expect(Object.keys(files(VENDORED_REFERENCE)).sort()).toEqual([
    'README.md',
    ...GATEWAY_API_CRDS,
    'ingress-nginx-kind/ingress-nginx-kind-v1.12.1.yaml',
    'ingress-nginx-kind/ingress-nginx-kind-v1.15.1.yaml',
    'openhands-kind/cluster.yaml',
    'openhands-kind/config.kubernetes.toml',
    'openhands-kind/manifests/deployment.yaml',
    'openhands-kind/manifests/nginx.yaml',
    'openhands-kind/manifests/role.yaml',
    'openhands-kind/manifests/roleBinding.yaml',
    'openhands-kind/manifests/service.yaml',
    'prometheus-operator-v0.93.0/monitoring.coreos.com_podmonitors.yaml',
    'prometheus-operator-v0.93.0/monitoring.coreos.com_prometheusrules.yaml',
    'prometheus-operator-v0.93.0/monitoring.coreos.com_servicemonitors.yaml',
    'traefik-kind/traefik-41.3.0-crds.yaml',
    'traefik-kind/traefik-41.3.0-kind-gateway.yaml',
    'traefik-kind/traefik-41.3.0-kind-ingress-nginx.yaml',
    'traefik-kind/traefik-41.3.0-kind.yaml',
  ]);
});
