// Gateway API (gateway.networking.k8s.io/v1) bindings for the few kinds local-hands writes.
//
// `cdk8s import` would generate these from the CRDs, but it needs the network and produces thousands of
// lines for every optional field. These are hand-written, small and typed: the fields local-hands renders,
// named and shaped as in the Gateway API v1.6.1 CRDs (constructs/traefik-gateway/gateway-api-crds-data.ts). The API server
// enforces the CRDs' OpenAPI and CEL rules; constructs check the same rules at synth time.
import { ApiObject, ApiObjectMetadata } from 'cdk8s';
import { Construct } from 'constructs';

export const GATEWAY_API_VERSION = 'gateway.networking.k8s.io/v1';

/** A Kubernetes label selector, as in meta/v1. */
export interface LabelSelector {
  readonly matchLabels?: Readonly<Record<string, string>>;
  readonly matchExpressions?: readonly LabelSelectorRequirement[];
}

export interface LabelSelectorRequirement {
  readonly key: string;
  readonly operator: 'In' | 'NotIn' | 'Exists' | 'DoesNotExist';
  readonly values?: readonly string[];
}

export interface GatewayClassSpec {
  /** The controller that manages Gateways of this class, e.g. `traefik.io/gateway-controller`. */
  readonly controllerName: string;
}

/** Which namespaces a listener admits routes from. */
export interface RouteNamespaces {
  readonly from?: 'All' | 'Same' | 'Selector';
  /** Only with `from: 'Selector'`. */
  readonly selector?: LabelSelector;
}

export interface AllowedRoutes {
  readonly namespaces?: RouteNamespaces;
}

/** A reference to a certificate object (a Secret unless kind says otherwise). */
export interface SecretObjectReference {
  readonly group?: string;
  readonly kind?: string;
  readonly name: string;
  readonly namespace?: string;
}

export interface GatewayTlsConfig {
  readonly mode?: 'Terminate' | 'Passthrough';
  readonly certificateRefs?: readonly SecretObjectReference[];
}

export interface Listener {
  readonly name: string;
  readonly port: number;
  readonly protocol: string;
  readonly hostname?: string;
  readonly allowedRoutes?: AllowedRoutes;
  readonly tls?: GatewayTlsConfig;
}

export interface GatewaySpec {
  readonly gatewayClassName: string;
  readonly listeners: readonly Listener[];
}

/** A reference from a route to the Gateway (and listener) it attaches to. */
export interface ParentReference {
  readonly group?: string;
  readonly kind?: string;
  readonly name: string;
  readonly namespace?: string;
  /** The listener name. */
  readonly sectionName?: string;
  readonly port?: number;
}

export interface HttpRouteBackendRef {
  readonly group?: string;
  readonly kind?: string;
  readonly name: string;
  readonly namespace?: string;
  readonly port?: number;
  readonly weight?: number;
}

export interface HttpPathMatch {
  readonly type?: 'Exact' | 'PathPrefix' | 'RegularExpression';
  readonly value?: string;
}

export interface HttpRouteMatch {
  readonly path?: HttpPathMatch;
}

/** A redirect answered by the Gateway itself (`RequestRedirect` filter). */
export interface HttpRequestRedirectFilter {
  readonly scheme?: 'http' | 'https';
  readonly hostname?: string;
  readonly port?: number;
  readonly statusCode?: 301 | 302 | 303 | 307 | 308;
}

export interface HttpRouteFilter {
  readonly type: 'RequestRedirect';
  readonly requestRedirect?: HttpRequestRedirectFilter;
}

export interface HttpRouteRule {
  readonly matches?: readonly HttpRouteMatch[];
  readonly filters?: readonly HttpRouteFilter[];
  readonly backendRefs?: readonly HttpRouteBackendRef[];
}

export interface HttpRouteSpec {
  readonly parentRefs?: readonly ParentReference[];
  readonly hostnames?: readonly string[];
  readonly rules?: readonly HttpRouteRule[];
}

export interface GatewayClassProps {
  readonly metadata?: ApiObjectMetadata;
  readonly spec: GatewayClassSpec;
}

export interface GatewayProps {
  readonly metadata?: ApiObjectMetadata;
  readonly spec: GatewaySpec;
}

export interface HttpRouteProps {
  readonly metadata?: ApiObjectMetadata;
  readonly spec: HttpRouteSpec;
}

/** `gateway.networking.k8s.io/v1` GatewayClass (cluster-scoped). */
export class GatewayClass extends ApiObject {
  public static readonly GVK = { apiVersion: GATEWAY_API_VERSION, kind: 'GatewayClass' } as const;
  constructor(scope: Construct, id: string, props: GatewayClassProps) {
    super(scope, id, { ...GatewayClass.GVK, ...props });
  }
}

/** `gateway.networking.k8s.io/v1` Gateway. */
export class Gateway extends ApiObject {
  public static readonly GVK = { apiVersion: GATEWAY_API_VERSION, kind: 'Gateway' } as const;
  constructor(scope: Construct, id: string, props: GatewayProps) {
    super(scope, id, { ...Gateway.GVK, ...props });
  }
}

/** `gateway.networking.k8s.io/v1` HTTPRoute. */
export class HttpRoute extends ApiObject {
  public static readonly GVK = { apiVersion: GATEWAY_API_VERSION, kind: 'HTTPRoute' } as const;
  constructor(scope: Construct, id: string, props: HttpRouteProps) {
    super(scope, id, { ...HttpRoute.GVK, ...props });
  }
}
