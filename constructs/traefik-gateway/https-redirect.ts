import { Construct } from 'constructs';
import { HttpRoute } from '../../imports/gateway-api';
import { ResolvedProps, propSpec, resolveProps } from '../../src/props';
import { isGatewayHostname } from '../../src/gateway-listeners';
import { Problems, show } from '../../src/validation';
import { hostnameMatches } from '../sandbox/sandbox-route';
import { Traefik } from './traefik';

export interface HttpsRedirectProps {
  /** The Traefik whose Gateway answers the redirect. */
  readonly gateway: Traefik;
  /** The plain-HTTP listener whose every request is redirected; it must admit routes from Traefik's namespace. */
  readonly listener: string;
  /** The host names redirected. @default - every host the listener serves */
  readonly hostnames?: readonly string[];
  /** The redirect's status: 301 (permanent) or 302, 303, 307, 308. @default 301 */
  readonly statusCode?: 301 | 302 | 303 | 307 | 308;
  /** Name of the HTTPRoute. @default 'https-redirect' */
  readonly name?: string;
}

/** The most host names an HTTPRoute takes (its CRD's `maxItems`). */
const MAX_HOSTNAMES = 16;

const PROPS = propSpec<HttpsRedirectProps>()('HttpsRedirect', {
  gateway: { required: true },
  listener: { required: true },
  hostnames: {},
  statusCode: { default: 301, check: (p, f, v) => p.oneOf(f, v, [301, 302, 303, 307, 308]) },
  name: { default: 'https-redirect', check: (p, f, v) => p.dnsSubdomain(f, v) },
});

/** The Gateway's plain-HTTP listener, admitting routes from Traefik's namespace, and host names under its own. */
function checkListener(p: Problems, v: ResolvedProps<typeof PROPS>) {
  const gateway = v.gateway;
  const listener = gateway instanceof Traefik ? gateway.listeners.find(l => l.name === v.listener) : undefined;
  if (!(gateway instanceof Traefik) || !gateway.gateway) p.add('gateway', gateway instanceof Traefik ? gateway.node.path : gateway, 'a Traefik with the Gateway API provider on');
  else if (!listener) p.add('listener', v.listener, `a listener of Gateway ${gateway.namespace}/${gateway.gateway.name} (${gateway.listeners.map(l => show(l.name)).join(', ')})`);
  else {
    p.check(listener.protocol === 'HTTP', 'listener', v.listener, `a plain-HTTP listener (${show(listener.name)} speaks ${listener.protocol})`);
    const from = listener.allowedRoutes?.namespaces.from ?? 'Same';
    p.check(from === 'Same' || from === 'All', 'listener', v.listener, `a listener admitting routes from ${gateway.namespace} (from: Same or All; ${show(listener.name)} admits from: ${from})`);
  }
  const hostnames = v.hostnames;
  if (hostnames !== undefined) {
    // An HTTPRoute's spec.hostnames: 1-16 Gateway API hostnames.
    if (!Array.isArray(hostnames) || hostnames.length === 0 || hostnames.length > MAX_HOSTNAMES) {
      p.add('hostnames', hostnames, `a list of 1-${MAX_HOSTNAMES} host names`);
    } else hostnames.forEach((h, i) => {
      if (!isGatewayHostname(h)) p.add(`hostnames[${i}]`, h, 'a DNS name such as "example.com", or a wildcard such as "*.example.com" (lowercase, at most 253)');
      else if (listener && !hostnameMatches(listener.hostname, h)) p.add(`hostnames[${i}]`, h, `a host under the listener's hostname ${show(listener.hostname)}`);
    });
  }
  return v;
}

/**
 * Makes a plain-HTTP listener answer every request with a redirect to the same URL over HTTPS (the Gateway API's
 * `RequestRedirect` filter with `scheme: https`, which also moves the port to 443): an HTTPRoute with no backend,
 * in the Gateway's namespace, attached to that listener only.
 */
export class HttpsRedirect extends Construct {
  public readonly route: HttpRoute;

  constructor(scope: Construct, id: string, props: HttpsRedirectProps) {
    super(scope, id);
    const { gateway, listener, hostnames, statusCode, name } = resolveProps(this, props, PROPS, checkListener);
    this.route = new HttpRoute(this, 'route', {
      metadata: { name, namespace: gateway.namespace },
      spec: {
        parentRefs: [{ group: 'gateway.networking.k8s.io', kind: 'Gateway', name: gateway.gateway!.name, namespace: gateway.namespace, sectionName: listener }],
        ...(hostnames ? { hostnames: [...hostnames] } : {}),
        rules: [{ filters: [{ type: 'RequestRedirect', requestRedirect: { scheme: 'https', statusCode } }] }],
      },
    });
  }
}
