import { Construct } from 'constructs';
import { OpenHandsServer, OpenHandsServerProps } from '../constructs/server/openhands-server';
import { IngressNginx } from '../constructs/ingress-nginx/ingress-nginx';
import type { Traefik } from '../constructs/traefik-gateway/traefik';
import { SERVER_NAMESPACE } from '../constructs/isolation/openhands-service-account';
import type { SandboxRoute } from '../constructs/sandbox/sandbox-route';
import { GatewayListenerProps } from '../src/gateway-listeners';
import { KubernetesConfig } from '../src/kubernetes-config';
import { Problems, isPlainObject } from '../src/validation';
import { SandboxIsolation } from './sandbox-isolation';

/** The server's chart id, hence `dist/server.k8s.yaml`: it sorts after `sandboxes`, which creates its namespace and ServiceAccount. */
export const SERVER_CHART = 'server';

/** What a stack sets on the server itself: the config its sessions run with, the placement, the ServiceAccount, the route. */
const SET_BY_STACK = ['config', 'namespace', 'createNamespace', 'serviceAccount', 'route'] as const;

/** The server's props a stack takes: everything but what the stack decides (`SET_BY_STACK`). */
export type StackServerProps = Omit<OpenHandsServerProps, typeof SET_BY_STACK[number]>;

/** The listener the server is served on: the `ingress_domain` itself (sessions are at `<sid>.<ingress_domain>`), routes from the server's namespace only. */
export function serverListener(config: KubernetesConfig, l: Pick<GatewayListenerProps, 'name' | 'port' | 'protocol' | 'tls'>): GatewayListenerProps {
  return {
    ...l,
    hostname: config.ingressDomain,
    allowedRoutes: { namespaces: { from: 'Selector', selector: { matchLabels: { 'kubernetes.io/metadata.name': SERVER_NAMESPACE } } } },
  };
}

/** Refuses a `server` prop that is not props, or that sets what the stack decides. */
export function checkStackServerProps(p: Problems, server: unknown): void {
  if (server === undefined || server === false || server === true) return;
  if (!isPlainObject(server)) {
    p.add('server', server, 'true, false or OpenHandsServer props (an object)');
    return;
  }
  for (const k of SET_BY_STACK) {
    if (Object.hasOwn(server, k)) p.add(`server.${k}`, server[k], `absent: the stack sets it (${k === 'config' ? 'give the stack its config' : 'the server runs in its own namespace with the isolation\'s ServiceAccount, routed by the stack'})`);
  }
}

/** What a stack decides about its server. */
export interface StackServerOptions {
  /** The `[kubernetes]` config the stack's sessions run with. */
  readonly config: KubernetesConfig;
  /** The isolation whose ServiceAccount the server runs as. */
  readonly isolation: Pick<SandboxIsolation, 'serviceAccount'>;
  /** How the server is reached: the stack's ingress class or Gateway listener. */
  readonly route: SandboxRoute;
  /** The Ingress class, with an Ingress route. @default - OpenHandsServer's */
  readonly ingressClassName?: string;
  /** The stack's ingress controller, which must serve the sessions the server creates, and the stack's name for errors. */
  readonly sessions: { readonly stack: string; readonly controller: Traefik | IngressNginx };
}

/**
 * The OpenHands server of a stack in `chart` (the stack's SERVER_CHART): in SERVER_NAMESPACE (created with the
 * isolation), running as the isolation's ServiceAccount, with the stack's `[kubernetes]` config and route, once the
 * stack's controller is known to serve its sessions.
 */
export function serverIn(chart: Construct, props: StackServerProps, o: StackServerOptions): OpenHandsServer {
  checkServesSessions(o.sessions.stack, o.sessions.controller);
  return new OpenHandsServer(chart, 'openhands', {
    ...(o.ingressClassName !== undefined ? { ingressClassName: o.ingressClassName } : {}),
    ...props,
    config: o.config,
    namespace: SERVER_NAMESPACE,
    createNamespace: false,
    serviceAccount: o.isolation.serviceAccount,
    route: o.route,
  });
}

/**
 * Refuses a controller that would not route the sessions the stack's server creates: its Kubernetes runtime makes
 * each session's Ingress without a class. Traefik's Ingress provider must run and its IngressClass be the default
 * (which the API server gives such an Ingress); ingress-nginx must watch Ingresses without a class.
 */
function checkServesSessions(stack: string, controller: Traefik | IngressNginx): void {
  const p = new Problems(stack);
  const why = "the server's Kubernetes runtime creates each session's Ingress without a class";
  if (controller instanceof IngressNginx) {
    p.check(controller.watchesIngressWithoutClass, 'ingressNginx.watchIngressWithoutClass', controller.watchesIngressWithoutClass, `true while the stack deploys the server (${why})`);
  } else {
    p.check(controller.providers.kubernetesIngress, 'traefik.providers.kubernetesIngress', controller.providers.kubernetesIngress, `true while the stack deploys the server (${why})`);
    p.check(controller.defaultIngressClassName !== undefined, 'traefik.ingressClass', controller.ingressClassName ?? false,
      `an IngressClass with default: true while the stack deploys the server (${why}; the API server gives it the default class)`);
  }
  p.throwIfAny();
}
