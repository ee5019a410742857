// What the Traefik Helm chart renders, as data: the chart and proxy versions, the image, the RBAC rules
// and the controller arguments of chart 41.3.0 (`traefik/traefik-helm-chart`, tag v41.3.0), as rendered
// in ../shared/reference/traefik-kind/. `Traefik` (traefik.ts) assembles them.
import type { PolicyRule } from '../../imports/k8s';

export const TRAEFIK_CHART_VERSION = '41.3.0';
/** The proxy release chart 41.3.0 runs. */
export const TRAEFIK_VERSION = 'v3.7.11';

export const TRAEFIK_IMAGE = { registry: 'docker.io', repository: 'traefik', tag: TRAEFIK_VERSION } as const;

/** The chart's release name, which names the ServiceAccount, Service and Deployment. */
export const TRAEFIK_NAME = 'traefik';

/** The chart's entry points: name, container port, and whether the Service exposes it (port 80/443). */
export const TRAEFIK_ENTRY_POINTS = [
  { name: 'metrics', port: 9100 },
  { name: 'traefik', port: 8080 },
  { name: 'web', port: 8000, servicePort: 80 },
  { name: 'websecure', port: 8443, servicePort: 443 },
] as const;

/** The IngressClass and GatewayClass controller names Traefik answers to. */
export const TRAEFIK_INGRESS_CONTROLLER = 'traefik.io/ingress-controller';
export const TRAEFIK_GATEWAY_CONTROLLER = 'traefik.io/gateway-controller';

/** The default Gateway the chart renders with the Gateway API provider on. */
export const TRAEFIK_DEFAULT_GATEWAY = { name: 'traefik-gateway', listeners: [{ name: 'web', port: 8000, protocol: 'HTTP' }] } as const;

const read = ['get', 'list', 'watch'];

/** ClusterRole rules every configuration has. */
export const TRAEFIK_BASE_RULES: readonly PolicyRule[] = [
  { apiGroups: [''], resources: ['configmaps', 'nodes', 'services'], verbs: read },
  { apiGroups: ['discovery.k8s.io'], resources: ['endpointslices'], verbs: ['list', 'watch'] },
  { apiGroups: [''], resources: ['pods'], verbs: ['get'] },
  { apiGroups: [''], resources: ['secrets'], verbs: read },
];

/** For the Kubernetes Ingress provider or the ingress-nginx one (both read Ingresses). */
export const TRAEFIK_INGRESS_RULES: readonly PolicyRule[] = [
  { apiGroups: ['extensions', 'networking.k8s.io'], resources: ['ingressclasses', 'ingresses'], verbs: read },
  { apiGroups: ['extensions', 'networking.k8s.io'], resources: ['ingresses/status'], verbs: ['update'] },
  { apiGroups: [''], resources: ['namespaces'], verbs: ['list', 'watch'] },
];

/** The CRD provider reads IngressClasses itself when no Ingress provider does. */
export const TRAEFIK_CRD_INGRESS_CLASS_RULES: readonly PolicyRule[] = [
  { apiGroups: ['extensions', 'networking.k8s.io'], resources: ['ingressclasses'], verbs: read },
];

export const TRAEFIK_CRD_RULES: readonly PolicyRule[] = [
  {
    apiGroups: ['traefik.io'],
    resources: ['ingressroutes', 'ingressroutetcps', 'ingressrouteudps', 'middlewares', 'middlewaretcps',
      'serverstransports', 'serverstransporttcps', 'tlsoptions', 'tlsstores', 'traefikservices'],
    verbs: read,
  },
];

export const TRAEFIK_GATEWAY_RULES: readonly PolicyRule[] = [
  { apiGroups: [''], resources: ['namespaces'], verbs: ['list', 'watch'] },
  {
    apiGroups: ['gateway.networking.k8s.io'],
    resources: ['backendtlspolicies', 'gatewayclasses', 'gateways', 'grpcroutes', 'httproutes', 'referencegrants', 'tcproutes', 'tlsroutes'],
    verbs: read,
  },
  {
    apiGroups: ['gateway.networking.k8s.io'],
    resources: ['backendtlspolicies/status', 'gatewayclasses/status', 'gateways/status', 'grpcroutes/status',
      'httproutes/status', 'tcproutes/status', 'tlsroutes/status'],
    verbs: ['update'],
  },
];

/** Arguments before the providers': entry points, dashboard, health check, Prometheus metrics. */
export const TRAEFIK_LEADING_ARGS: readonly string[] = [
  ...TRAEFIK_ENTRY_POINTS.map(e => `--entryPoints.${e.name}.address=:${e.port}/tcp`),
  '--api.dashboard=true',
  '--ping=true',
  '--metrics.prometheus=true',
  '--metrics.prometheus.entrypoint=metrics',
];

export const TRAEFIK_CRD_ARGS: readonly string[] = ['--providers.kubernetescrd', '--providers.kubernetescrd.allowEmptyServices=true'];

/** The Ingress provider; it publishes the Service's address in Ingress status. */
export function traefikIngressArgs(namespace: string): string[] {
  return [
    '--providers.kubernetesingress',
    '--providers.kubernetesingress.allowEmptyServices=true',
    `--providers.kubernetesingress.ingressendpoint.publishedservice=${namespace}/${TRAEFIK_NAME}`,
  ];
}

/** The Gateway API provider; it reports the Service's address in Gateway status. */
export function traefikGatewayArgs(namespace: string): string[] {
  return [
    '--providers.kubernetesgateway',
    `--providers.kubernetesgateway.statusaddress.service.name=${TRAEFIK_NAME}`,
    `--providers.kubernetesgateway.statusaddress.service.namespace=${namespace}`,
  ];
}

/** The provider that serves Ingresses written for ingress-nginx (class `nginx`), with the chart's defaults. */
export const TRAEFIK_INGRESS_NGINX_ARGS: readonly string[] = [
  '--providers.kubernetesingressnginx',
  '--providers.kubernetesingressnginx.controllerClass=k8s.io/ingress-nginx',
  '--providers.kubernetesingressnginx.disableSvcExternalName=false',
  '--providers.kubernetesingressnginx.httpEntryPoint=web',
  '--providers.kubernetesingressnginx.httpsEntryPoint=websecure',
  '--providers.kubernetesingressnginx.ingressClass=nginx',
  '--providers.kubernetesingressnginx.ingressClassByName=false',
  '--providers.kubernetesingressnginx.watchIngressWithoutClass=false',
];

/** The chart's rendering of `ports.web.http.redirections.entryPoint` (to websecure, whose exposed port is 443; https; permanent). */
export const TRAEFIK_REDIRECT_ARGS: readonly string[] = [
  '--entryPoints.web.http.redirections.entryPoint.to=:443',
  '--entryPoints.web.http.redirections.entryPoint.scheme=https',
  '--entryPoints.web.http.redirections.entryPoint.permanent=true',
];

/** The last arguments: TLS on websecure, then the log level. */
export function traefikTrailingArgs(logLevel: string): string[] {
  return ['--entryPoints.websecure.http.tls=true', `--log.level=${logLevel}`];
}

/** Pod annotations the chart sets so a Prometheus scrapes the metrics entry point. */
export const TRAEFIK_POD_ANNOTATIONS = {
  'prometheus.io/path': '/metrics',
  'prometheus.io/port': '9100',
  'prometheus.io/scrape': 'true',
} as const;

/** The chart's liveness and readiness probes differ only in their failure threshold. */
export function traefikProbe(failureThreshold: number) {
  return {
    failureThreshold,
    httpGet: { path: '/ping', port: 8080, scheme: 'HTTP' },
    initialDelaySeconds: 2,
    periodSeconds: 10,
    successThreshold: 1,
    timeoutSeconds: 2,
  };
}
