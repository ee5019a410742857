import { Construct } from 'constructs';
import { DEFAULT_KUBERNETES_CONFIG, KubernetesConfig, checkKubernetesConfig } from './kubernetes-config';
import { Problems, isPlainObject } from './validation';

/**
 * Checks one prop's value (the one given, or its default) and adds each problem to `p` under `field` (what it
 * returns is not used: the `Problems` checks return whether the value passed).
 */
export type PropCheck<V> = (p: Problems, field: string, value: V) => unknown;

/** The row of an optional prop: its default (what its `@default` shows) and its check, each when it has one. */
export interface OptionalPropRow<V> {
  /** Applied when the prop is absent or `undefined`; the resolved props then always have it. */
  readonly default?: V;
  /** Runs on the given value or the default; not at all when the prop is absent and has no default. */
  readonly check?: PropCheck<V>;
  /** The construct hands the prop on, unread, to the construct (the spec's `kind`) whose row of that name holds its default and check. */
  readonly forwardedTo?: string;
  readonly required?: never;
}

/** The row of a required prop: no default, and its check runs even when the prop is missing. */
export interface RequiredPropRow<V> {
  readonly required: true;
  readonly check?: PropCheck<V | undefined>;
  readonly default?: never;
  readonly forwardedTo?: never;
}

type IsOptional<P, K extends keyof P> = {} extends Pick<P, K> ? true : false;

/** The row `propSpec` takes for prop `K` of `P`. */
export type PropRow<P, K extends keyof P> = IsOptional<P, K> extends true
  ? OptionalPropRow<Exclude<P[K], undefined>>
  : RequiredPropRow<P[K]>;

/** A row for every prop of `P`: the compiler refuses a missing one. */
export type PropRows<P> = { readonly [K in keyof Required<P>]: PropRow<P, K & keyof P> };

/** Keys of `T` that `P` does not have, each typed `never`: what makes the compiler refuse an extra row. */
type NoExtraRows<T, P> = { readonly [K in Exclude<keyof T, keyof P>]: never };

/** The props whose row has a default. */
type DefaultedKeys<T> = { [K in keyof T]-?: T[K] extends { readonly default: unknown } ? K : never }[keyof T];

/** Props with the ones in `K` made present (their defaults applied). */
export type WithDefaults<P, K extends keyof P> = Omit<P, K> & { readonly [Q in K]-?: Exclude<P[Q], undefined> };

/**
 * One construct's props, declared once next to its props interface: for each prop (in the order the construct
 * lists them when it refuses an unknown one) its default and its check.
 */
export interface PropSpec<P, T = PropRows<P>> {
  /** What the construct is called in messages: `UbuntuDevWorkload`, `addGatewayStack`. */
  readonly kind: string;
  readonly rows: T;
  /** The prop names, in row order. */
  readonly names: readonly (keyof P & string)[];
  /** Never set: carries the props type for `ResolvedProps`. */
  readonly propsType?: P;
}

/** Props `P` after rows `T` applied their defaults: each prop whose row has a default is present. */
export type ResolvedRows<P, T> = WithDefaults<P, DefaultedKeys<T> & keyof P>;

/** The props of `spec` after `resolveProps`: each prop whose row has a default is present. */
export type ResolvedProps<S> = S extends PropSpec<infer P, infer T> ? ResolvedRows<P, T> : never;

const SPECS: PropSpec<unknown, unknown>[] = [];

/**
 * `propSpec<XProps>()('Xxx', { name: { default: 'x', check: (p, f, v) => p.dnsLabel(f, v) }, ... })`: the table of a
 * construct's props. The compiler refuses a missing or extra row, a default of the wrong type, and a default on a
 * required prop; `resolveProps` applies it. Each spec is kept (`propSpecs`) so tests can hold it to the props' docs.
 */
export function propSpec<P>() {
  return <T extends PropRows<P>>(kind: string, rows: T & NoExtraRows<T, P>): PropSpec<P, T> => {
    const spec: PropSpec<P, T> = { kind, rows, names: Object.keys(rows) as (keyof P & string)[] };
    SPECS.push(spec as PropSpec<unknown, unknown>);
    return spec;
  };
}

/**
 * Rows for props a construct shares with others (`IndicatorProps`), spread into each construct's `propSpec`:
 * every prop of `P` has one, as in a spec.
 */
export function propRows<P>() {
  return <T extends PropRows<P>>(rows: T & NoExtraRows<T, P>): T => rows;
}

/** Rows for the props of `spec` but `omit` that a construct hands on unread to the construct of `spec`. */
export function forwardedRows<P, K extends keyof P>(spec: PropSpec<P, unknown>, ...omit: K[]): { readonly [Q in Exclude<keyof Required<P>, K>]: { readonly forwardedTo: string } } {
  const rows: Record<string, { forwardedTo: string }> = {};
  for (const name of spec.names) if (!(omit as (keyof P)[]).includes(name)) rows[name] = { forwardedTo: spec.kind };
  return rows as never;
}

/** Every spec declared so far (each construct module declares its own when loaded). */
export function propSpecs(): readonly PropSpec<unknown, unknown>[] {
  return SPECS;
}

/**
 * Applies a spec to the props given: refuses props that are not an object (at once) and unknown props, applies the
 * defaults (a prop given as `undefined` keeps its default), runs each row's check, then `cross` (the checks across
 * props, and what is derived from several; `given` tells a default from a value given) with the same problems, and
 * throws once with every problem.
 */
export function resolveProps<P, T, R = ResolvedProps<PropSpec<P, T>>>(
  where: Construct | Problems, props: P, spec: PropSpec<P, T>,
  cross?: (p: Problems, v: ResolvedProps<PropSpec<P, T>>, given: P) => R): R {
  const p = where instanceof Problems ? where : Problems.of(where, spec.kind);
  p.knownProps(spec.kind, props, spec.names);
  const given = props as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const name of spec.names) {
    const row = (spec.rows as Record<string, OptionalPropRow<unknown> & { required?: boolean }>)[name];
    const value = given[name] !== undefined ? given[name] : row.default;
    if (value !== undefined) out[name] = value;
    if (row.check !== undefined && (value !== undefined || row.required)) row.check(p, name, value);
  }
  const v = out as ResolvedProps<PropSpec<P, T>>;
  const r = cross ? cross(p, v, props) : v as unknown as R;
  p.throwIfAny();
  return r;
}

/** The check of a boolean prop: `check: isBoolean`. */
export const isBoolean: PropCheck<boolean> = (p, field, value) => p.check(typeof value === 'boolean', field, value, 'true or false');

/**
 * The row of the `[kubernetes]` config prop six constructs take (`config: CONFIG_ROW`): the fields given are
 * checked over DEFAULT_KUBERNETES_CONFIG (`fullConfig` is what the construct then renders from).
 */
export const CONFIG_ROW: OptionalPropRow<Partial<KubernetesConfig>> = {
  check: (p, field, config) => (isPlainObject(config)
    ? checkKubernetesConfig(p, field, fullConfig(config))
    : p.add(field, config, 'a KubernetesConfig (see loadKubernetesConfig)')),
};

/** The config prop over DEFAULT_KUBERNETES_CONFIG (a prop that is not an object, refused by CONFIG_ROW, adds nothing). */
export function fullConfig(config: unknown): KubernetesConfig {
  return { ...DEFAULT_KUBERNETES_CONFIG, ...(isPlainObject(config) ? config : {}) };
}
