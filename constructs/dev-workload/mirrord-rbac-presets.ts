import type { RbacRule } from '../../src/rbac';

/** Rule sets for the `mirrord-role` Role. */
export type MirrordRbacPreset = 'openhands' | 'leastPrivilege' | 'leastPrivilegeHttpRoute' | 'mirrordCli';

/**
 * The rule sets `MirrordRbac` offers.
 * - `openhands`: upstream's `kind/manifests/role.yaml`, as OpenHands ships it.
 * - `leastPrivilege`: what the OpenHands Kubernetes runtime does to run a sandbox session, nothing more
 *   (the `get`s make re-runs idempotent).
 * - `leastPrivilegeHttpRoute`: the same for sessions routed by a Gateway API HTTPRoute (the gateway profile):
 *   httproutes instead of ingresses.
 * - `mirrordCli`: what the mirrord CLI needs to steal or mirror traffic without its operator.
 */
export const MIRRORD_RBAC_PRESETS: Readonly<Record<MirrordRbacPreset, readonly RbacRule[]>> = {
  openhands: [
    {
      apiGroups: [''],
      resources: ['pods', 'pods/exec', 'pods/portforward', 'services', 'persistentvolumeclaims'],
      verbs: ['get', 'list', 'create', 'delete', 'watch', 'update'],
    },
    {
      apiGroups: ['networking.k8s.io'],
      resources: ['ingresses', 'networkpolicies'],
      verbs: ['get', 'list', 'create', 'delete', 'watch', 'update'],
    },
  ],
  leastPrivilege: [
    { apiGroups: [''], resources: ['pods', 'persistentvolumeclaims', 'services'], verbs: ['get', 'create', 'delete'] },
    { apiGroups: ['networking.k8s.io'], resources: ['ingresses'], verbs: ['get', 'create', 'delete'] },
  ],
  leastPrivilegeHttpRoute: [
    { apiGroups: [''], resources: ['pods', 'persistentvolumeclaims', 'services'], verbs: ['get', 'create', 'delete'] },
    { apiGroups: ['gateway.networking.k8s.io'], resources: ['httproutes'], verbs: ['get', 'create', 'delete'] },
  ],
  mirrordCli: [
    { apiGroups: ['apps'], resources: ['deployments'], verbs: ['get'] },
    { apiGroups: [''], resources: ['pods'], verbs: ['list', 'watch'] },
    { apiGroups: ['batch'], resources: ['jobs'], verbs: ['create'] },
    { apiGroups: [''], resources: ['pods/log'], verbs: ['get'] },
    { apiGroups: [''], resources: ['pods/portforward'], verbs: ['create', 'get'] },
    { apiGroups: [''], resources: ['pods/ephemeralcontainers'], verbs: ['get', 'update'] },
  ],
};
