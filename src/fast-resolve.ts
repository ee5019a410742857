import { ApiObject, App, ImplicitTokenResolver, JsonPatch, Lazy, LazyResolver, NumberStringUnionResolver } from 'cdk8s';
// cdk8s's token resolution, which ApiObject.toJson and its metadata call through this module's `resolve` export.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const cdk8sResolve: { resolve: (key: string[], value: any, apiObject: ApiObject) => any } = require('cdk8s/lib/resolve');
// cdk8s's JSON clean-up (null values dropped, keys sorted), which ApiObject.toJson runs on what it resolved.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const cdk8sUtil: { sanitizeValue: (obj: any, options?: SanitizeOptions) => any } = require('cdk8s/lib/_util');

interface SanitizeOptions {
  readonly sortKeys?: boolean;
  readonly filterEmptyArrays?: boolean;
  readonly filterEmptyObjects?: boolean;
}

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
 *
 * `ApiObject.toJson` resolves a copy of the whole object, then copies it again to drop null values and sort
 * the keys (`sanitizeValue`); with only the built-in resolvers it does both in one copy (`resolveSanitized`).
 */
export function withFastResolve<T>(app: App, render: () => T): T {
  const original = cdk8sResolve.resolve;
  const originalToJson = ApiObject.prototype.toJson;
  if (!onlyBuiltInResolvers(app) || typeof original !== 'function' || originalToJson !== CDK8S_TO_JSON
    || typeof cdk8sUtil.sanitizeValue !== 'function') return render();
  cdk8sResolve.resolve = (_key, value) => resolveValue(value);
  ApiObject.prototype.toJson = fusedToJson;
  try {
    return render();
  } finally {
    cdk8sResolve.resolve = original;
    ApiObject.prototype.toJson = originalToJson;
  }
}

/**
 * cdk8s 2.70's `ApiObject.toJson` (the props with the rendered metadata, resolved and sanitized, JSON patches
 * applied, apiVersion, kind and metadata first), with resolution and sanitizing fused. The byte-for-byte tests
 * against `app.synth()` (test/fast-yaml.test.ts) keep it equal to cdk8s's.
 */
function fusedToJson(this: ApiObject): any {
  const { props, patches } = this as unknown as { props?: Record<string, unknown>; patches?: JsonPatch[] };
  // Fields of cdk8s's own object: a release that renamed them gets its own toJson.
  if (!('props' in this) || !Array.isArray(patches)) return CDK8S_TO_JSON.call(this);
  try {
    const data = { ...props, metadata: this.metadata.toJson() };
    const json = resolveSanitized(data, { sortKeys: !process.env.CDK8S_DISABLE_SORT });
    // With no patches cdk8s's apply hands the document back as it is; skipping it leaves the JSON patch library unloaded.
    const patched = patches.length === 0 ? json : JsonPatch.apply(json, ...patches);
    const result: Record<string, unknown> = {};
    for (const k of ['apiVersion', 'kind', 'metadata', ...Object.keys(patched)]) {
      if (k in patched) result[k] = patched[k];
    }
    return result;
  } catch (e) {
    throw new Error(`Failed serializing construct at path '${this.node.path}' with name '${this.name}': ${e}`);
  }
}

/** cdk8s's own `ApiObject.toJson`, as loaded (a render in progress has replaced it). */
const CDK8S_TO_JSON = ApiObject.prototype.toJson;

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

/**
 * `sanitizeValue(resolveValue(value), options)` in one copy: values resolved in the same order (each object's
 * keys as inserted, so any Lazy is produced when it would be), null values dropped, keys sorted unless told
 * not to, empty lists and objects dropped when asked. A `__proto__` key is dropped, as resolving a copy would
 * have made it the copy's prototype. Anything but plain data, lists and tokens goes to cdk8s's own
 * `sanitizeValue`, which accepts a plain object of another realm and refuses the rest with its own message.
 */
function resolveSanitized(value: any, o: SanitizeOptions): any {
  if (value === null || value === undefined) return undefined;
  if (value instanceof Lazy) return resolveSanitized(value.produce(), o);
  if (typeof value.resolve === 'function') return resolveSanitized(value.resolve(), o);
  if (value.constructor !== Object && (typeof value.value === 'number' || typeof value.value === 'string')) return { value: value.value };
  if (Array.isArray(value)) {
    if (o.filterEmptyArrays && value.length === 0) return undefined;
    return value.map(x => resolveSanitized(x, o));
  }
  if (value.constructor === Object) {
    const keys = Object.keys(value);
    const values = keys.map(k => resolveSanitized(value[k], o));
    const out: Record<string, unknown> = {};
    let kept = 0;
    const put = (k: string, v: unknown) => {
      if (v === null || v === undefined || k === '__proto__') return;
      out[k] = v;
      kept++;
    };
    if (o.sortKeys === false || isSorted(keys)) {
      keys.forEach((k, i) => put(k, values[i]));
    } else {
      // Sorted as cdk8s sorts them; a handful of keys is found again faster by a scan than through a map.
      const at = keys.length <= 16 ? (k: string) => keys.indexOf(k) : indexOf(keys);
      for (const k of [...keys].sort()) put(k, values[at(k)]);
    }
    return o.filterEmptyObjects && kept === 0 ? undefined : out;
  }
  return typeof value === 'object' ? cdk8sUtil.sanitizeValue(value, o) : value;
}

function isSorted(keys: readonly string[]): boolean {
  for (let i = 1; i < keys.length; i++) if (keys[i - 1] > keys[i]) return false;
  return true;
}

function indexOf(keys: readonly string[]): (k: string) => number {
  const at = new Map(keys.map((k, i) => [k, i]));
  return k => at.get(k)!;
}
