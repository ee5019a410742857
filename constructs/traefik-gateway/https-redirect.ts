import { Construct } from 'constructs';
import { HttpRoute } from '../../imports/gateway-api';
import { propNames } from '../../src/props';
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

const PROPS = propNames<HttpsRedirectProps>({ gateway: true, listener: true, hostnames: true, statusCode: true, name: true });
const DEFAULTS = { statusCode: 301 as const, name: 'https-redirect' };

/**
 * Makes a plain-HTTP listener answer every request with a redirect to the same URL over HTTPS (the Gateway API's
 * `RequestRedirect` filter with `scheme: https`, which also moves the port to 443): an HTTPRoute with no backend,
 * in the Gateway's namespace, attached to that listener only.
 */
export class HttpsRedirect extends Construct {
  public readonly route: HttpRoute;

  constructor(scope: Construct, id: string, props: HttpsRedirectProps) {
    super(scope, id);
    const p = Problems.of(this, 'HttpsRedirect');
    p.knownProps('HttpsRedirect', props, PROPS);
    const gateway = props.gateway;
    const listener = gateway instanceof Traefik ? gateway.listeners.find(l => l.name === props.listener) : undefined;
    if (!(gateway instanceof Traefik) || !gateway.gateway) p.add('gateway', gateway instanceof Traefik ? gateway.node.path : gateway, 'a Traefik with the Gateway API provider on');
    else if (!listener) p.add('listener', props.listener, `a listener of Gateway ${gateway.namespace}/${gateway.gateway.name} (${gateway.listeners.map(l => show(l.name)).join(', ')})`);
    else {
      p.check(listener.protocol === 'HTTP', 'listener', props.listener, `a plain-HTTP listener (${show(listener.name)} speaks ${listener.protocol})`);
      const from = listener.allowedRoutes?.namespaces.from ?? 'Same';
      p.check(from === 'Same' || from === 'All', 'listener', props.listener, `a listener admitting routes from ${gateway.namespace} (from: Same or All), got from: ${from}`);
    }
    const hostnames = props.hostnames;
    if (hostnames !== undefined) {
      if (!Array.isArray(hostnames) || hostnames.length === 0) p.add('hostnames', hostnames, 'a non-empty list of host names');
      else hostnames.forEach((h, i) => {
        if (listener && !hostnameMatches(listener.hostname, h)) p.add(`hostnames[${i}]`, h, `a host under the listener's hostname ${show(listener.hostname)}`);
      });
    }
    const statusCode = props.statusCode ?? DEFAULTS.statusCode;
    p.oneOf('statusCode', statusCode, [301, 302, 303, 307, 308]);
    const name = props.name ?? DEFAULTS.name;
    p.dnsSubdomain('name', name);
    p.throwIfAny();
    this.route = new HttpRoute(this, 'route', {
      metadata: { name, namespace: gateway.namespace },
      spec: {
        parentRefs: [{ group: 'gateway.networking.k8s.io', kind: 'Gateway', name: gateway.gateway!.name, namespace: gateway.namespace, sectionName: props.listener }],
        ...(hostnames ? { hostnames: [...hostnames] } : {}),
        rules: [{ filters: [{ type: 'RequestRedirect', requestRedirect: { scheme: 'https', statusCode } }] }],
      },
    });
  }
}
