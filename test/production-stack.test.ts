import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App } from 'cdk8s';
import { describe, expect, test } from 'vitest';
import { PRODUCTION_STACK_CHARTS, ProductionStack, ProductionStackProps, addProductionStack } from '../app/production-stack';
import { exampleBuild } from '../app/profiles';
import { renderCharts, synthToDir } from '../app/synth';
import { find, objectKey, parseDocs } from './util';

const DOMAIN = 'openhands.example.com';

function build(props: Partial<ProductionStackProps> = {}): { stack: ProductionStack; files: { name: string; text: string }[] } {
  const app = new App({ outdir: '/nonexistent' });
  const stack = addProductionStack(app, { domain: DOMAIN, ...props });
  return { stack, files: renderCharts(app) };
}

/** Every object but the CRDs (two charts of vendored data, checked by their own tests). */
function objects(props?: Partial<ProductionStackProps>): any[] {
  return build(props).files.filter(f => !f.name.startsWith('crds-')).flatMap(f => parseDocs(f.text));
}

/** The files but the CRDs, as one text, for the snapshot. */
function snapshotText(props?: Partial<ProductionStackProps>): string {
  return build(props).files.filter(f => !f.name.startsWith('crds-')).map(f => `# ${f.name}\n${f.text}`).join('');
}

const podTemplates = (docs: any[]) => docs.flatMap(d => {
  if (d.kind === 'Pod') return [d.spec];
  return d.spec?.template?.spec ? [d.spec.template.spec] : [];
});

const WITH_ISSUER: ProductionStackProps = {
  domain: 'sandboxes.example.com',
  config: { namespace: 'agents' },
  tls: { secretName: 'agents-tls', issuer: { name: 'letsencrypt-dns', kind: 'ClusterIssuer' } },
  traefik: { autoscaling: false, replicas: 3, podDisruptionBudget: { minAvailable: 2 } },
  maxSessions: 10,
  ubuntuDev: {},
  mirrordRbac: {},
};

describe('the production profile', () => {
  test('snapshot: the defaults', async () => {
    await expect(snapshotText()).toMatchFileSnapshot('../__snapshots__/production-stack.k8s.yaml');
  });

  test('snapshot: an issuer, fixed replicas, the local development parts asked for', async () => {
    await expect(snapshotText(WITH_ISSUER)).toMatchFileSnapshot('../__snapshots__/production-stack-issuer.k8s.yaml');
  });

  test('files: the CRDs sort first; no ubuntu-dev or mirrord unless asked', () => {
    expect(build().files.map(f => f.name)).toEqual([
      'crds-gateway-api.k8s.yaml', 'crds-traefik.k8s.yaml', 'traefik.k8s.yaml', 'sandboxes.k8s.yaml', 'monitoring.k8s.yaml', 'server.k8s.yaml',
    ]);
    expect(build(WITH_ISSUER).files.map(f => f.name)).toContain('ubuntu-dev.k8s.yaml');
    expect(build(WITH_ISSUER).files.map(f => f.name)).toContain('mirrord-rbac.k8s.yaml');
    expect(objects().some(d => /ubuntu|mirrord/.test(d.metadata.name))).toBe(false);
  });

  test('`kubectl apply -f dist` reads the files in name order: every namespace is created before the objects in it', () => {
    for (const props of [undefined, WITH_ISSUER]) {
      // `default` is in every cluster; `monitoring` is the Prometheus Operator's (kube-prometheus-stack creates it), not ours.
      const created = new Set(['default', 'monitoring']);
      const files = build(props).files.sort((a, b) => a.name.localeCompare(b.name));
      for (const doc of files.flatMap(f => parseDocs(f.text))) {
        if (doc.kind === 'Namespace') created.add(doc.metadata.name);
        if (doc.metadata.namespace !== undefined) expect(created.has(doc.metadata.namespace), objectKey(doc)).toBe(true);
      }
    }
  });

  test('the controller: a LoadBalancer, no host ports, an HPA of 2-5 owning the count, a PDB of 1, the spread, rolling 0/1', () => {
    const docs = objects();
    expect(find(docs, 'Service', 'traefik').spec.type).toBe('LoadBalancer');
    const deploy = find(docs, 'Deployment', 'traefik');
    expect(deploy.spec.replicas).toBeUndefined();
    expect(deploy.spec.strategy).toEqual({ type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 0, maxSurge: 1 } });
    expect(find(docs, 'HorizontalPodAutoscaler', 'traefik').spec).toMatchObject({
      scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'traefik' }, minReplicas: 2, maxReplicas: 5,
    });
    expect(find(docs, 'PodDisruptionBudget', 'traefik').spec).toEqual({ minAvailable: 1, selector: deploy.spec.selector });
    const spread = deploy.spec.template.spec.topologySpreadConstraints;
    expect(spread.map((c: any) => [c.topologyKey, c.whenUnsatisfiable, c.nodeTaintsPolicy])).toEqual([
      ['kubernetes.io/hostname', 'DoNotSchedule', 'Honor'], ['topology.kubernetes.io/zone', 'ScheduleAnyway', 'Honor'],
    ]);
  });

  test('no host port anywhere, and every container has CPU and memory requests and a memory limit', () => {
    for (const props of [undefined, WITH_ISSUER]) {
      const docs = objects(props);
      const containers = podTemplates(docs).flatMap(s => [...(s.initContainers ?? []), ...s.containers]);
      expect(containers.length).toBeGreaterThan(0);
      for (const c of containers) {
        expect(c.ports?.some((p: any) => p.hostPort !== undefined) ?? false, c.name).toBe(false);
        expect(c.resources?.requests?.cpu, c.name).toBeDefined();
        expect(c.resources?.requests?.memory, c.name).toBeDefined();
        expect(c.resources?.limits?.memory, c.name).toBeDefined();
      }
    }
  });

  test('an HTTPS listener terminates with the Secret named in props; a Certificate only with an issuer', () => {
    const gateway = find(objects(), 'Gateway');
    expect(gateway.spec.listeners.find((l: any) => l.protocol === 'HTTPS')).toMatchObject({
      name: 'websecure', port: 8443, hostname: `*.${DOMAIN}`, tls: { certificateRefs: [{ name: 'openhands-sandboxes-tls' }] },
    });
    expect(objects().some(d => d.kind === 'Certificate')).toBe(false);
    const docs = objects(WITH_ISSUER);
    expect(find(docs, 'Gateway').spec.listeners.find((l: any) => l.protocol === 'HTTPS').tls.certificateRefs).toEqual([{ name: 'agents-tls' }]);
    expect(find(docs, 'Certificate')).toEqual({
      apiVersion: 'cert-manager.io/v1',
      kind: 'Certificate',
      metadata: { name: 'agents-tls', namespace: 'traefik' },
      spec: {
        secretName: 'agents-tls',
        dnsNames: ['sandboxes.example.com', '*.sandboxes.example.com'],
        issuerRef: { group: 'cert-manager.io', kind: 'ClusterIssuer', name: 'letsencrypt-dns' },
      },
    });
    expect(find(docs, 'Deployment', 'traefik').spec.replicas).toBe(3);
    expect(docs.some(d => d.kind === 'HorizontalPodAutoscaler')).toBe(false);
  });

  test('the sandbox isolation and the monitoring objects, scoped to Traefik and the sandbox namespace', () => {
    const keys = objects().map(objectKey);
    expect(keys).toEqual(expect.arrayContaining([
      'Namespace openhands-sandboxes', 'ResourceQuota openhands-sandboxes/openhands-sandboxes',
      'LimitRange openhands-sandboxes/openhands-sandboxes', 'ServiceAccount openhands/openhands', 'PodMonitor traefik/traefik', 'PrometheusRule monitoring/openhands-alerts',
      'ConfigMap monitoring/openhands-dashboard', 'Namespace openhands', 'Deployment openhands/openhands', 'HTTPRoute openhands/openhands',
    ]));
    expect(keys).not.toContain('ServiceAccount openhands-sandboxes/openhands');
    expect(objects().filter(d => d.kind === 'NetworkPolicy').length).toBeGreaterThan(0);
    const rules = find(objects(), 'PrometheusRule').spec.groups.flatMap((g: any) => g.rules.map((r: any) => r.expr)).join('\n');
    expect(rules).toContain('traefik_');
    expect(rules).toContain('namespace="openhands-sandboxes"');
  });

  test('handles point at the parts', () => {
    const { stack } = build(WITH_ISSUER);
    expect(stack.traefik.hpa).toBeUndefined();
    expect(stack.traefik.podDisruptionBudget?.name).toBe('traefik');
    expect(stack.certificate?.secretName).toBe('agents-tls');
    expect(stack.sandboxNamespace).toBeDefined();
    expect(stack.ubuntuDev).toBeDefined();
    expect(stack.config.namespace).toBe('agents');
    const c = PRODUCTION_STACK_CHARTS;
    expect(stack.charts.map(x => x.node.id)).toEqual([c.gatewayApiCrds, c.traefikCrds, c.traefik, c.sandboxes, c.monitoring, 'server', c.mirrordRbac, c.ubuntuDev]);
    expect(stack.server.namespace).toBe('openhands');
    expect(stack.httpsRedirect.route.name).toBe('https-redirect');
    expect(build().stack.traefik.hpa?.name).toBe('traefik');
  });

  test('`--profile production` writes dist/ and no KIND config (the KIND folder is left alone)', () => {
    const top = fs.mkdtempSync(path.join(os.tmpdir(), 'lh-production-'));
    try {
      const written = synthToDir(exampleBuild('production'), path.join(top, 'dist'), path.join(top, 'kind'));
      expect(written.map(f => path.basename(f)).filter(f => f.endsWith('.yaml'))).toEqual([
        'crds-gateway-api.k8s.yaml', 'crds-traefik.k8s.yaml', 'monitoring.k8s.yaml', 'sandboxes.k8s.yaml', 'server.k8s.yaml', 'traefik.k8s.yaml',
      ]);
      expect(fs.existsSync(path.join(top, 'kind'))).toBe(false);
    } finally {
      fs.rmSync(top, { recursive: true, force: true });
    }
  });
});

const bad = (props: unknown) => {
  try {
    build(props as ProductionStackProps);
  } catch (e) {
    return (e as Error).message;
  }
  throw new Error('expected an error, got none');
};

describe('the production profile refuses what breaks its shape, in one line', () => {
  test.each<[string, unknown, string]>([
    ['host ports', { traefik: { hostPorts: { web: 80 } } },
      'traefik.hostPorts must be absent (a LoadBalancer Service brings the traffic; host ports pin one replica per node to ports of the machine), got {"web":80}'],
    ['one fixed replica', { traefik: { autoscaling: false, replicas: 1 } },
      'traefik.replicas must be at least 2 without autoscaling (one replica per node, so a node can fail or drain), got 1'],
    ['an autoscaler down to one', { traefik: { autoscaling: { minReplicas: 1 } } },
      'traefik.autoscaling.minReplicas must be at least 2 (one replica per node, so a node can fail or drain), got 1'],
    ['no disruption budget', { traefik: { podDisruptionBudget: false } }, 'traefik.podDisruptionBudget must be a budget (drains must leave a replica Ready), got false'],
    ['no node spread', { traefik: { topologySpread: { nodes: false } } },
      'traefik.topologySpread must be a spread with nodes on (replicas on one node fail together), got {"nodes":false}'],
    ['no memory limit', { traefik: { resources: { requests: { cpu: '1', memory: '1Gi' } } } },
      'traefik.resources.limits.memory must be set (the scheduler places by requests; a memory limit bounds what one pod can take from a node), got undefined'],
    ['ubuntu-dev without a memory limit', { ubuntuDev: { resources: { requests: { cpu: '1', memory: '1Gi' } } } },
      'ubuntuDev.resources.limits.memory must be set (the scheduler places by requests; a memory limit bounds what one pod can take from a node), got undefined'],
    ['the Gateway provider off', { traefik: { providers: { kubernetesGateway: false } } },
      'traefik.providers.kubernetesGateway must be true (the server and the HTTPS listeners are served through the Gateway), got false'],
    ['plain HTTP not redirected at the entry point', { traefik: { redirectToHttps: false } },
      "traefik.redirectToHttps must be true (plain HTTP only redirects; the sessions' Ingresses would be served on it otherwise), got false"],
    ['sessions without TLS', { config: { ingressTlsSecret: '' } },
      'config.ingressTlsSecret must be a Secret name (sessions are served over HTTPS only; it defaults to tls.secretName), got ""'],
    ['a bad Secret name', { tls: { secretName: 'TLS!' } },
      'tls.secretName must be a DNS-1123 subdomain (at most 253 characters of a-z, 0-9, "-" and ".", each part starting and ending with a letter or digit), got "TLS!"'],
    ['an unknown tls field', { tls: { cert: 'x' } }, 'tls.cert must be absent (only secretName and issuer), got "x"'],
    ['a replica too many for the server', { server: { replicas: 2 } }, expect.stringMatching(
      /^OpenHandsServer 'openhands' \(server\/openhands\): replicas must be 0 or 1 \(the server keeps running conversations in memory and its state on a ReadWriteOnce volume/) as unknown as string],
    ['a server placed by hand', { server: { namespace: 'elsewhere' } },
      "server.namespace must be absent: the stack sets it (the server runs in its own namespace with the isolation's ServiceAccount, routed by the stack), got \"elsewhere\""],
    ['an ingress domain apart from the domain', { config: { ingressDomain: 'other.example.com' } },
      'config.ingressDomain must be absent or equal to domain ("openhands.example.com"): the domain sets it, got "other.example.com"'],
    ['an unknown prop', { kind: {} }, expect.stringContaining('kind must be absent: addProductionStack has no prop "kind"') as unknown as string],
  ])('%s', (_name, props, message) => {
    const m = bad(props);
    expect(m.split('\n')).toHaveLength(1);
    expect(m).toEqual(typeof message === 'string' ? `addProductionStack: ${message}` : message);
  });

  test.each<[string, unknown]>([
    ['missing', undefined], ['KIND\'s', 'localhost'], ['under localhost', 'openhands.localhost'], ['one label', 'openhands'],
    ['not a DNS name', 'Open_Hands.example.com'], ['an IP address', '10.0.0.1'], ['a wildcard', '*.example.com'], ['too long for <sid>.<domain>', `${'a'.repeat(63)}.${'b'.repeat(63)}.${'c'.repeat(63)}.${'d'.repeat(30)}.com`],
  ])('a domain %s', (_name, domain) => {
    const m = bad({ domain });
    expect(m).toBe(`addProductionStack: domain must be ${domain === undefined ? 'set: ' : ''}a DNS name such as "openhands.example.com" (at least two labels, not localhost nor an IP address, at most 220 characters; sessions are served at "<sid>.<domain>"), got ${domain === undefined ? 'undefined' : JSON.stringify(domain)}`);
  });

  test("Traefik's own checks still apply, naming Traefik's field", () => {
    expect(bad({ traefik: { autoscaling: { minReplicas: 2 }, podDisruptionBudget: { minAvailable: 2 } } })).toMatch(
      /^Traefik 'traefik' \(traefik\/traefik\): podDisruptionBudget\.minAvailable must be an integer in 1-1 \(below autoscaling\.minReplicas/);
  });

  test('a Certificate issuer of an unknown kind', () => {
    expect(bad({ tls: { issuer: { name: 'ca', kind: 'Vault' } } })).toBe(
      "CertManagerCertificate 'certificate' (traefik/certificate): issuer.kind must be one of \"Issuer\", \"ClusterIssuer\", got \"Vault\"");
  });

  test('the stack added twice', () => {
    const app = new App({ outdir: '/nonexistent' });
    addProductionStack(app, { domain: DOMAIN });
    expect(() => addProductionStack(app, { domain: DOMAIN })).toThrow(/^addProductionStack: the app has constructs "crds-gateway-api", .* already .*add one stack per app/);
  });
});
