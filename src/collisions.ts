import { ApiObject } from 'cdk8s';
import { IConstruct } from 'constructs';
import { ApiScope, apiGroup, apiKindKey, apiScope } from './api-scopes';

/**
 * The scope of each object's kind: from the data (src/api-scopes.ts: every built-in kind of our Kubernetes release and
 * the kinds of our CRDs), else from a CustomResourceDefinition in the app itself (a custom resource of yours, its CRD
 * applied with it), else namespaced: with neither, the API server would refuse the object anyway.
 */
function scopeOf(objects: readonly ApiObject[]): (o: ApiObject) => ApiScope {
  let fromApp: ReadonlyMap<string, ApiScope> | undefined;
  return o => apiScope(o.apiVersion, o.kind)
    ?? (fromApp ??= crdScopes(objects)).get(apiKindKey(apiGroup(o.apiVersion), o.kind))
    ?? 'Namespaced';
}

/** The kinds the app's own CustomResourceDefinitions declare, with their `spec.scope`. */
function crdScopes(objects: readonly ApiObject[]): ReadonlyMap<string, ApiScope> {
  const out = new Map<string, ApiScope>();
  for (const o of objects) {
    if (o.kind !== 'CustomResourceDefinition' || apiGroup(o.apiVersion) !== 'apiextensions.k8s.io') continue;
    const spec = (o.toJson() as { spec?: { group?: unknown; scope?: unknown; names?: { kind?: unknown } } }).spec;
    const kind = spec?.names?.kind;
    if (typeof spec?.group === 'string' && typeof kind === 'string' && (spec.scope === 'Cluster' || spec.scope === 'Namespaced')) {
      out.set(apiKindKey(spec.group, kind), spec.scope);
    }
  }
  return out;
}

/**
 * `Kind namespace/name` as the API server identifies an object (the API group, not its version, counts). A namespaced
 * object without a namespace lands in the namespace it is applied to, `default` on KIND and in most contexts: it is
 * the same object as one named in `default`. A cluster-scoped object has no namespace, whatever a chart stamped on it.
 */
function identity(o: ApiObject, scope: ApiScope): { key: string; label: string } {
  const clusterScoped = scope === 'Cluster';
  const namespace = clusterScoped ? undefined : o.metadata.namespace;
  const label = `${o.kind} ${namespace === undefined ? '' : `${namespace}/`}${o.name}`;
  return { key: `${apiGroup(o.apiVersion)}|${o.kind}|${clusterScoped ? '' : namespace ?? 'default'}|${o.name}`, label };
}

/**
 * Every pair of API objects under `root` that are the same Kubernetes object (apiVersion group, kind, namespace,
 * name): applied together, the second would silently overwrite the first. One message per extra copy.
 */
export function apiObjectCollisions(root: IConstruct): string[] {
  const objects = root.node.findAll().filter((c): c is ApiObject => c instanceof ApiObject);
  const scope = scopeOf(objects);
  const seen = new Map<string, ApiObject>();
  const out: string[] = [];
  for (const c of objects) {
    const { key, label } = identity(c, scope(c));
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
