import { App, Chart } from 'cdk8s';
import { describe, expect, test } from 'vitest';
import { validateApp } from '../app/synth';
import { hostnameMatches } from '../constructs/sandbox/sandbox-route';
import { SandboxFleet, SandboxRuntime, SandboxRuntimeProps, Traefik, TraefikProps } from '../index';
import { errorOf, find, synthChart, synthChartYaml } from './util';

const GATEWAY_TRAEFIK: TraefikProps = {
  providers: { kubernetesGateway: true },
  gateway: {
    listeners: [
      { name: 'web', port: 8000, protocol: 'HTTP', hostname: '*.localhost', allowedRoutes: { namespaces: { from: 'Selector', selector: { matchLabels: { 'kubernetes.io/metadata.name': 'sandboxes' } } } } },
      { name: 'other', port: 8000, protocol: 'HTTP', hostname: 'other.example.com', allowedRoutes: { namespaces: { from: 'All' } } },
    ],
  },
};

/** An app with a Traefik Gateway and one session attached to it; returns the validation problems (none: []). */
function problems(session: Partial<SandboxRuntimeProps> & { sectionName?: string }, traefik: TraefikProps = GATEWAY_TRAEFIK): string[] {
  const app = new App({ outdir: '/nonexistent' });
  const t = new Traefik(new Chart(app, 'traefik'), 'traefik', traefik);
  const { sectionName, ...props } = session;
  new SandboxRuntime(new Chart(app, 'session'), 'session', {
    sid: 'abc', config: { namespace: 'sandboxes' }, route: { kind: 'HTTPRoute', gateway: t, ...(sectionName ? { sectionName } : {}) }, ...props,
  });
  try {
    validateApp(app.node.findAll());
    return [];
  } catch (e) {
    return (e as { problems: string[] }).problems;
  }
}

describe('SandboxRuntime with an HTTPRoute', () => {
  test('renders P-route-code for <sid>.<ingress_domain>, backed by the VS Code Service port, attached to the listener (snapshot)', async () => {
    const yaml = synthChartYaml(c => new SandboxRuntime(c, 's', { sid: 'abc', route: { kind: 'HTTPRoute', gateway: { namespace: 'traefik', name: 'gw', listener: 'web' } } }));
    await expect(yaml).toMatchFileSnapshot('../__snapshots__/sandbox-runtime-httproute.k8s.yaml');
    const docs = synthChart(c => new SandboxRuntime(c, 's', { sid: 'abc', route: { kind: 'HTTPRoute', gateway: { namespace: 'traefik', name: 'gw', listener: 'web' } } }));
    expect(docs.map(d => d.kind)).toEqual(['PersistentVolumeClaim', 'Pod', 'Service', 'Service', 'HTTPRoute']);
    const route = find(docs, 'HTTPRoute');
    expect(route.apiVersion).toBe('gateway.networking.k8s.io/v1');
    expect(route.metadata).toEqual({ name: 'openhands-runtime-abc-route-code', namespace: 'default' });
    expect(route.spec).toEqual({
      parentRefs: [{ group: 'gateway.networking.k8s.io', kind: 'Gateway', name: 'gw', namespace: 'traefik', sectionName: 'web' }],
      hostnames: ['abc.localhost'],
      rules: [{ matches: [{ path: { type: 'PathPrefix', value: '/' } }], backendRefs: [{ name: 'openhands-runtime-abc-svc-code', port: 8081 }] }],
    });
  });

  test('the default stays the Ingress, byte for byte', () => {
    const plain = synthChartYaml(c => new SandboxRuntime(c, 's', { sid: 'abc' }));
    expect(synthChartYaml(c => new SandboxRuntime(c, 's', { sid: 'abc', route: { kind: 'Ingress' } }))).toBe(plain);
    expect(plain).toContain('kind: Ingress');
  });

  test('a Traefik handle: its Gateway and first listener; the handles say what was rendered', () => {
    const app = new App({ outdir: '/nonexistent' });
    const t = new Traefik(new Chart(app, 'traefik'), 'traefik', GATEWAY_TRAEFIK);
    const s = new SandboxRuntime(new Chart(app, 'session'), 'session', { sid: 'abc', config: { namespace: 'sandboxes' }, route: { kind: 'HTTPRoute', gateway: t } });
    expect(s.routeKind).toBe('HTTPRoute');
    expect(s.ingress).toBeUndefined();
    expect(s.httpRoute?.toJson().spec.parentRefs).toEqual([{ group: 'gateway.networking.k8s.io', kind: 'Gateway', name: 'traefik-gateway', namespace: 'traefik', sectionName: 'web' }]);
    expect(() => validateApp(app.node.findAll())).not.toThrow();
  });

  test('SandboxFleet passes the route to every session', () => {
    const docs = synthChart(c => new SandboxFleet(c, 'f', { count: 2, route: { kind: 'HTTPRoute', gateway: { namespace: 'traefik', name: 'gw' } } }));
    expect(docs.filter(d => d.kind === 'HTTPRoute').map(d => d.spec.hostnames[0])).toEqual(['session-1.localhost', 'session-2.localhost']);
  });

  test('wildcard hostnames match any depth below them, never the bare domain', () => {
    expect(hostnameMatches('*.localhost', 'abc.localhost')).toBe(true);
    expect(hostnameMatches('*.example.com', 'a.b.example.com')).toBe(true);
    expect(hostnameMatches('*.example.com', 'example.com')).toBe(false);
    expect(hostnameMatches('*.example.com', 'abc.example.org')).toBe(false);
    expect(hostnameMatches('abc.localhost', 'abc.localhost')).toBe(true);
    expect(hostnameMatches(undefined, 'anything.at.all')).toBe(true);
  });
});

describe('synth-time cross-checks of the HTTPRoute against the app', () => {
  test('a listener that exists, admits the namespace by selector and covers the host: no problem', () => {
    expect(problems({})).toEqual([]);
  });

  test('an unknown listener names the Gateway and its listeners', () => {
    expect(problems({ sectionName: 'websecure' })).toEqual([
      '[session/session] SandboxRuntime \'session\' (session/session): route.sectionName must be a listener of Gateway traefik/traefik-gateway ("web", "other"), got "websecure"',
    ]);
  });

  test("the chart's default Gateway admits only its own namespace: a session in another is refused", () => {
    expect(problems({}, { providers: { kubernetesGateway: true } })).toEqual([
      '[session/session] SandboxRuntime \'session\' (session/session): namespace must be one listener "web" of Gateway traefik/traefik-gateway admits routes from (Same: traefik only), got "sandboxes"',
    ]);
  });

  test('a selector the namespace does not match is refused', () => {
    expect(problems({ config: { namespace: 'default' } })[0]).toMatch(/namespace must be one listener "web" of Gateway traefik\/traefik-gateway admits routes from \(Selector \{"matchLabels":\{"kubernetes.io\/metadata.name":"sandboxes"\}\}, matched against the namespace's labels in this app\), got "default"/);
  });

  test('a host outside the listener hostname is refused', () => {
    expect(problems({ sectionName: 'other' })).toEqual([
      '[session/session] SandboxRuntime \'session\' (session/session): host must fall under hostname "other.example.com" of listener "other" of Gateway traefik/traefik-gateway, got "abc.localhost" (set ingress_domain)',
    ]);
  });

  test('a Traefik without the Gateway API provider is refused at construction', () => {
    const msg = errorOf(c => {
      const t = new Traefik(c, 'traefik');
      new SandboxRuntime(c, 's', { sid: 'abc', route: { kind: 'HTTPRoute', gateway: t } });
    });
    expect(msg).toBe("SandboxRuntime 's' (test/s): route.gateway must be a Traefik with providers.kubernetesGateway on (this one renders no Gateway), got \"test/traefik\"");
  });

  test('a reference to a Gateway of the app is checked against it', () => {
    const app = new App({ outdir: '/nonexistent' });
    new Traefik(new Chart(app, 'traefik'), 'traefik', GATEWAY_TRAEFIK);
    new SandboxRuntime(new Chart(app, 'session'), 'session', { sid: 'abc', config: { namespace: 'sandboxes' }, route: { kind: 'HTTPRoute', gateway: { namespace: 'traefik', name: 'traefik-gateway', listener: 'nope' } } });
    expect(() => validateApp(app.node.findAll())).toThrow(/route\.sectionName must be a listener of Gateway traefik\/traefik-gateway \("web", "other"\), got "nope"/);
  });

  test("a reference outside the app is checked against what it says (hostname, admitted namespaces)", () => {
    const app = new App({ outdir: '/nonexistent' });
    new SandboxRuntime(new Chart(app, 'session'), 'session', {
      sid: 'abc', route: { kind: 'HTTPRoute', gateway: { namespace: 'edge', name: 'gw', hostname: '*.example.com', allowedRouteNamespaces: ['sandboxes'] } },
    });
    let problemsFound: readonly string[] = [];
    try { validateApp(app.node.findAll()); } catch (e) { problemsFound = (e as { problems: string[] }).problems; }
    expect(problemsFound).toEqual([
      "[session/session] SandboxRuntime 'session' (session/session): namespace must be one Gateway edge/gw admits routes from (sandboxes), got \"default\" (set the config's namespace, or attach to another Gateway)",
      "[session/session] SandboxRuntime 'session' (session/session): host must fall under listener hostname \"*.example.com\" of Gateway edge/gw, got \"abc.localhost\" (set ingress_domain)",
    ]);
  });

  test('app.synth() reports the same problems (cdk8s validation)', () => {
    const app = new App({ outdir: '/nonexistent' });
    const t = new Traefik(new Chart(app, 'traefik'), 'traefik', { providers: { kubernetesGateway: true } });
    new SandboxRuntime(new Chart(app, 'session'), 'session', { sid: 'abc', route: { kind: 'HTTPRoute', gateway: t } });
    expect(() => app.synthYaml()).toThrow(/\[session\/session\] SandboxRuntime 'session' \(session\/session\): namespace must be one listener "web"/);
  });

  test.each([
    ['an unknown kind', { kind: 'GRPCRoute' }, /route must be \{ kind: 'Ingress' \} or \{ kind: 'HTTPRoute', gateway, sectionName \}, got \{"kind":"GRPCRoute"\}/],
    ['a gateway that is neither', { kind: 'HTTPRoute', gateway: 'traefik' }, /route\.gateway must be a Traefik construct or a reference/],
    ['a bad namespace', { kind: 'HTTPRoute', gateway: { namespace: 'Traefik', name: 'gw' } }, /route\.gateway\.namespace must be a namespace name \(a DNS-1123 label\), got "Traefik"/],
    ['a bad listener name', { kind: 'HTTPRoute', gateway: { namespace: 't', name: 'gw' }, sectionName: 'Web_1' }, /route\.sectionName must be a listener name \(a DNS-1123 subdomain\), got "Web_1"/],
    ['two different listeners', { kind: 'HTTPRoute', gateway: { namespace: 't', name: 'gw', listener: 'a' }, sectionName: 'b' }, /route\.sectionName must be absent or equal to route\.gateway\.listener \("a"\), got "b"/],
    ['an unknown reference key', { kind: 'HTTPRoute', gateway: { namespace: 't', name: 'gw', port: 80 } }, /route\.gateway\.port must be absent/],
    ['a gateway on an Ingress route', { kind: 'Ingress', gateway: { namespace: 't', name: 'gw' } }, /route\.gateway must be absent for kind Ingress/],
  ])('bad route props are refused at construction: %s', (_n, route, message) => {
    expect(errorOf(c => new SandboxRuntime(c, 's', { sid: 'abc', route: route as any }))).toMatch(message);
  });
});
