// The Kubernetes 1.27 API bindings local-hands builds on.
//
// `cdk8s import k8s@1.27` would generate these from the upstream OpenAPI schema, but it needs the
// network at import time. cdk8s-plus-27 already ships exactly that generated code (same generator,
// same 1.27 schema), so we re-export from it instead of keeping a 2.5 MB copy: one version of the
// bindings, updated with the cdk8s-plus-27 pin.
//
// The list is explicit on purpose: the synth bundle keeps only these classes and what they reach
// (tools/launcher/prune-k8s.cjs), so the main job does not load 700 unused classes. Add a name here to use it.
export {
  IntOrString,
  KubeClusterRole,
  KubeClusterRoleBinding,
  KubeConfigMap,
  KubeDeployment,
  KubeHorizontalPodAutoscalerV2,
  KubeIngress,
  KubeIngressClass,
  KubeJob,
  KubeLimitRange,
  KubeNamespace,
  KubeNetworkPolicy,
  KubePersistentVolumeClaim,
  KubePod,
  KubePodDisruptionBudget,
  KubeResourceQuota,
  KubeRole,
  KubeRoleBinding,
  KubeService,
  KubeServiceAccount,
  KubeValidatingWebhookConfiguration,
  Quantity,
} from 'cdk8s-plus-27/lib/imports/k8s';
export type { EnvVar, NetworkPolicyPeer, NetworkPolicyPort, NetworkPolicySpec, PolicyRule, ResourceRequirements, ServicePort } from 'cdk8s-plus-27/lib/imports/k8s';
