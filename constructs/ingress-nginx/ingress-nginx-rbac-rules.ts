// The RBAC rules of the ingress-nginx bundle, as upstream's kind manifest has them.
import type { RbacRule } from '../../src/rbac';

/** The controller's Role in its namespace, as the kind manifest grants it; its leader-election Lease is `electionId`. */
export const controllerRoleRules = (electionId: string): readonly RbacRule[] => [
  { apiGroups: [''], resources: ['namespaces'], verbs: ['get'] },
  { apiGroups: [''], resources: ['configmaps', 'pods', 'secrets', 'endpoints'], verbs: ['get', 'list', 'watch'] },
  { apiGroups: [''], resources: ['services'], verbs: ['get', 'list', 'watch'] },
  { apiGroups: ['networking.k8s.io'], resources: ['ingresses'], verbs: ['get', 'list', 'watch'] },
  { apiGroups: ['networking.k8s.io'], resources: ['ingresses/status'], verbs: ['update'] },
  { apiGroups: ['networking.k8s.io'], resources: ['ingressclasses'], verbs: ['get', 'list', 'watch'] },
  { apiGroups: ['coordination.k8s.io'], resourceNames: [electionId], resources: ['leases'], verbs: ['get', 'update'] },
  { apiGroups: ['coordination.k8s.io'], resources: ['leases'], verbs: ['create'] },
  { apiGroups: [''], resources: ['events'], verbs: ['create', 'patch'] },
  { apiGroups: ['discovery.k8s.io'], resources: ['endpointslices'], verbs: ['list', 'watch', 'get'] },
];

/** The controller's ClusterRole. */
export const CONTROLLER_CLUSTER_ROLE_RULES: readonly RbacRule[] = [
  { apiGroups: [''], resources: ['configmaps', 'endpoints', 'nodes', 'pods', 'secrets', 'namespaces'], verbs: ['list', 'watch'] },
  { apiGroups: ['coordination.k8s.io'], resources: ['leases'], verbs: ['list', 'watch'] },
  { apiGroups: [''], resources: ['nodes'], verbs: ['get'] },
  { apiGroups: [''], resources: ['services'], verbs: ['get', 'list', 'watch'] },
  { apiGroups: ['networking.k8s.io'], resources: ['ingresses'], verbs: ['get', 'list', 'watch'] },
  { apiGroups: [''], resources: ['events'], verbs: ['create', 'patch'] },
  { apiGroups: ['networking.k8s.io'], resources: ['ingresses/status'], verbs: ['update'] },
  { apiGroups: ['networking.k8s.io'], resources: ['ingressclasses'], verbs: ['get', 'list', 'watch'] },
  { apiGroups: ['discovery.k8s.io'], resources: ['endpointslices'], verbs: ['list', 'watch', 'get'] },
];

/** The certificate Jobs' Role: they create the webhook's TLS Secret and read it back. */
export const ADMISSION_ROLE_RULES: readonly RbacRule[] = [
  { apiGroups: [''], resources: ['secrets'], verbs: ['get', 'create'] },
];

/** The patch Job writes the CA bundle into the webhook configuration. */
export const ADMISSION_CLUSTER_ROLE_RULES: readonly RbacRule[] = [
  { apiGroups: ['admissionregistration.k8s.io'], resources: ['validatingwebhookconfigurations'], verbs: ['get', 'update'] },
];
