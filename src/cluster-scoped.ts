import { ApiObject, JsonPatch } from 'cdk8s';

/**
 * Keeps a chart's `namespace` off a cluster-scoped object. cdk8s gives every object of a namespaced
 * chart that namespace, including Namespaces, ClusterRoles and IngressClasses, which have none.
 */
export function clusterScoped<T extends ApiObject>(obj: T): T {
  if (obj.metadata.namespace !== undefined) obj.addJsonPatch(JsonPatch.remove('/metadata/namespace'));
  return obj;
}
