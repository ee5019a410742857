import { ApiObject, App, ImplicitTokenResolver, Lazy, LazyResolver, NumberStringUnionResolver } from 'cdk8s';
// cdk8s's token resolution, which ApiObject.toJson and its metadata call through this module's `resolve` export.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const cdk8sResolve: { resolve: (key: string[], value: any, apiObject: ApiObject) => any } = require('cdk8s/lib/resolve');

/**
 * Runs `render` with cdk8s's token resolution replaced by an equivalent that is several times cheaper, when
 * `app` uses only cdk8s's built-in resolvers (else `render` runs unchanged).
 *
 * cdk8s's `resolve` looks up the app's resolvers from the object for every value of every object (a walk to
 * the root each time), and builds a context with the value's key path for each resolver. The three built-in
 * resolvers read neither the path nor the object, so with only them the same rules (a `Lazy` is produced, an
 * object with a `resolve()` method resolved, a non-plain object carrying a number or string `value` reduced to
 * `{ value }`, each result resolved again; arrays and plain objects copied with their members resolved) give
 * the same JSON without either. A custom resolver may read both: then cdk8s's own function runs.
 */
export function withFastResolve<T>(app: App, render: () => T): T {
  const original = cdk8sResolve.resolve;
  if (!onlyBuiltInResolvers(app) || typeof original !== 'function') return render();
  cdk8sResolve.resolve = (_key, value) => resolveValue(value);
  try {
    return render();
  } finally {
    cdk8sResolve.resolve = original;
  }
}

const BUILT_IN = [LazyResolver, ImplicitTokenResolver, NumberStringUnionResolver] as const;

/** True when the app's resolvers are exactly cdk8s's defaults, in order (a subclass may behave otherwise). */
function onlyBuiltInResolvers(app: App): boolean {
  const resolvers = app.resolvers;
  return resolvers.length === BUILT_IN.length && resolvers.every((r, i) => Object.getPrototypeOf(r) === BUILT_IN[i].prototype);
}

function resolveValue(value: any): any {
  if (value === null || value === undefined) return value;
  if (value instanceof Lazy) return resolveValue(value.produce());
  if (typeof value.resolve === 'function') return resolveValue(value.resolve());
  if (value.constructor !== Object && (typeof value.value === 'number' || typeof value.value === 'string')) return resolveValue({ value: value.value });
  if (Array.isArray(value)) return value.map(resolveValue);
  if (value.constructor == Object) {
    const result: Record<string, unknown> = {};
    for (const k of Object.keys(value)) result[k] = resolveValue(value[k]);
    return result;
  }
  return value;
}
