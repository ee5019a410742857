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

/**
 * `Kind namespace/name` as the API server identifies an object (the API group, not its version, counts). A namespaced
 * object without a namespace lands in the namespace it is applied to, `default` on KIND and in most contexts: it is
 * the same object as one named in `default`.
 */
function identity(o: ApiObject): { key: string; label: string } {
  const group = o.apiVersion.includes('/') ? o.apiVersion.split('/')[0] : '';
  const scoped = CLUSTER_SCOPED.has(o.kind);
  const namespace = scoped ? undefined : o.metadata.namespace;
  const label = `${o.kind} ${namespace === undefined ? '' : `${namespace}/`}${o.name}`;
  return { key: `${group}|${o.kind}|${scoped ? '' : namespace ?? 'default'}|${o.name}`, label };
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

/** The collisions our synth reports for `root`: none here when `refuseCollisions` made them the app's own validation. */
export function collisionsUnlessGuarded(root: IConstruct): string[] {
  return (root as IConstruct & { [GUARDED]?: true })[GUARDED] ? [] : apiObjectCollisions(root);
}

/**
 * Makes `app.synth()` refuse colliding objects (cdk8s runs the app's validations before writing): a validation on
 * the app, added once however often this is called. Our synth (`synthApp`, `synthToDir`, `renderCharts`, the CLIs)
 * always checks; constructing our constructs changes nothing about your app, so in an app you synthesize yourself,
 * call `refuseCollisions(app)` to have the check too.
 */
export function refuseCollisions(app: IConstruct): void {
  const root = app.node.root as IConstruct & { [GUARDED]?: true };
  if (root[GUARDED]) return;
  Object.defineProperty(root, GUARDED, { value: true });
  root.node.addValidation({ validate: () => apiObjectCollisions(root) });
}
