import { ApiObject } from 'cdk8s';
import { IConstruct } from 'constructs';

/**
 * Kinds without a namespace: two of them collide by name alone, whatever namespace a chart stamped on them.
 * Kinds not listed are treated as namespaced.
 */
const CLUSTER_SCOPED = new Set([
  'APIService', 'ClusterRole', 'ClusterRoleBinding', 'CSIDriver', 'CustomResourceDefinition', 'GatewayClass', 'IngressClass',
  'MutatingWebhookConfiguration', 'Namespace', 'Node', 'PersistentVolume', 'PriorityClass', 'RuntimeClass', 'StorageClass',
  'ValidatingAdmissionPolicy', 'ValidatingAdmissionPolicyBinding', 'ValidatingWebhookConfiguration',
]);

/** `Kind namespace/name` as the API server identifies an object (the API group, not its version, counts). */
function identity(o: ApiObject): { key: string; label: string } {
  const group = o.apiVersion.includes('/') ? o.apiVersion.split('/')[0] : '';
  const namespace = CLUSTER_SCOPED.has(o.kind) ? undefined : o.metadata.namespace;
  const label = `${o.kind} ${namespace === undefined ? '' : `${namespace}/`}${o.name}`;
  return { key: `${group}|${o.kind}|${namespace ?? ''}|${o.name}`, label };
}

/**
 * Every pair of API objects under `root` that are the same Kubernetes object (apiVersion group, kind, namespace,
 * name): applied together, the second would silently overwrite the first. One message per extra copy.
 */
export function apiObjectCollisions(root: IConstruct): string[] {
  const seen = new Map<string, ApiObject>();
  const out: string[] = [];
  for (const c of root.node.findAll()) {
    if (!(c instanceof ApiObject)) continue;
    const { key, label } = identity(c);
    const first = seen.get(key);
    if (first) out.push(`${label} is defined twice, by ${first.node.path} and by ${c.node.path}: give one of them another name or namespace`);
    else seen.set(key, c);
  }
  return out;
}

const GUARDED = Symbol.for('local-hands.collision-guard');

/**
 * Makes the synth of the app `scope` belongs to refuse colliding objects: a validation on the root, added once
 * per app, so `app.synth()` (cdk8s validation) and `synthToDir` both report them. Every local-hands construct calls it.
 */
export function refuseCollisions(scope: IConstruct): void {
  const root = scope.node.root as IConstruct & { [GUARDED]?: true };
  if (root[GUARDED]) return;
  Object.defineProperty(root, GUARDED, { value: true });
  root.node.addValidation({ validate: () => apiObjectCollisions(root) });
}
