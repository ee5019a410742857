import { Construct } from 'constructs';
import { describe, expect, test } from 'vitest';
import { HttpsRedirect, HttpsRedirectProps } from '../constructs/traefik-gateway/https-redirect';
import { Traefik, TraefikProps } from '../constructs/traefik-gateway/traefik';
import { errorOf, find, synthChart } from './util';

/** A Traefik whose Gateway has a plain-HTTP listener `web` (for `*.example.com`, routes from its own namespace) and an HTTPS one. */
const GATEWAY: TraefikProps = {
  providers: { kubernetesGateway: true },
  gateway: {
    listeners: [
      { name: 'web', port: 8000, protocol: 'HTTP', hostname: '*.example.com', allowedRoutes: { namespaces: { from: 'Same' } } },
      { name: 'websecure', port: 8443, protocol: 'HTTPS', hostname: '*.example.com', tls: { certificateRefs: [{ name: 'tls' }] } },
      { name: 'open', port: 8000, protocol: 'HTTP', hostname: 'open.example.org', allowedRoutes: { namespaces: { from: 'Selector', selector: { matchLabels: { team: 'a' } } } } },
    ],
  },
};

const redirect = (c: Construct, props: Partial<HttpsRedirectProps> = {}, traefik: TraefikProps = GATEWAY) =>
  new HttpsRedirect(c, 'redirect', { gateway: new Traefik(c, 'traefik', traefik), listener: 'web', ...props });

describe('HttpsRedirect', () => {
  test("an HTTPRoute without a backend in the Gateway's namespace, on that listener only, redirecting to https with 301", () => {
    const route = find(synthChart(c => redirect(c, { hostnames: ['*.example.com', 'a.example.com'] })), 'HTTPRoute');
    expect(route).toEqual({
      apiVersion: 'gateway.networking.k8s.io/v1',
      kind: 'HTTPRoute',
      metadata: { name: 'https-redirect', namespace: 'traefik' },
      spec: {
        parentRefs: [{ group: 'gateway.networking.k8s.io', kind: 'Gateway', name: 'traefik-gateway', namespace: 'traefik', sectionName: 'web' }],
        hostnames: ['*.example.com', 'a.example.com'],
        rules: [{ filters: [{ type: 'RequestRedirect', requestRedirect: { scheme: 'https', statusCode: 301 } }] }],
      },
    });
  });

  test('without hostnames it redirects every host the listener serves; the status and name are props', () => {
    const route = find(synthChart(c => redirect(c, { statusCode: 308, name: 'to-https' })), 'HTTPRoute');
    expect(route.metadata.name).toBe('to-https');
    expect(route.spec.hostnames).toBeUndefined();
    expect(route.spec.rules[0].filters[0].requestRedirect.statusCode).toBe(308);
  });
});

describe('HttpsRedirect refuses, in one line naming the field', () => {
  test.each<[string, Partial<HttpsRedirectProps>, string]>([
    ['a listener the Gateway lacks', { listener: 'http' }, 'listener must be a listener of Gateway traefik/traefik-gateway ("web", "websecure", "open"), got "http"'],
    ['an HTTPS listener', { listener: 'websecure' }, 'listener must be a plain-HTTP listener ("websecure" speaks HTTPS), got "websecure"'],
    ['a listener admitting other namespaces only', { listener: 'open' }, 'listener must be a listener admitting routes from traefik (from: Same or All; "open" admits from: Selector), got "open"'],
    ['a host outside the listener', { hostnames: ['example.org'] }, 'hostnames[0] must be a host under the listener\'s hostname "*.example.com", got "example.org"'],
    ['a host that is no DNS name', { hostnames: ['A.example.com'] }, 'hostnames[0] must be a DNS name such as "example.com", or a wildcard such as "*.example.com" (lowercase, at most 253), got "A.example.com"'],
    ['a host that is not a string', { hostnames: [42 as unknown as string] }, 'hostnames[0] must be a DNS name such as "example.com", or a wildcard such as "*.example.com" (lowercase, at most 253), got 42'],
    ['no hosts', { hostnames: [] }, 'hostnames must be a list of 1-16 host names, got []'],
    ['more hosts than an HTTPRoute takes', { hostnames: Array.from({ length: 17 }, (_, i) => `h${i}.example.com`) },
      `hostnames must be a list of 1-16 host names, got ${JSON.stringify(Array.from({ length: 17 }, (_, i) => `h${i}.example.com`))}`],
    ['a status that is no redirect', { statusCode: 200 as 301 }, 'statusCode must be one of 301, 302, 303, 307, 308, got 200'],
    ['a bad name', { name: 'To_HTTPS' }, 'name must be a DNS-1123 subdomain (at most 253 characters of a-z, 0-9, "-" and ".", each part starting and ending with a letter or digit), got "To_HTTPS"'],
  ])('%s', (_name, props, message) => {
    const m = errorOf(c => redirect(c, props));
    expect(m.split('\n')).toHaveLength(1);
    expect(m).toBe(`HttpsRedirect 'redirect' (test/redirect): ${message}`);
  });

  test('a Traefik without the Gateway API provider', () => {
    expect(errorOf(c => redirect(c, {}, {}))).toBe("HttpsRedirect 'redirect' (test/redirect): gateway must be a Traefik with the Gateway API provider on, got \"test/traefik\"");
  });
});
