/**
 * The prop names a construct accepts, as one declaration the compiler checks against its props interface:
 * leaving a prop out, or naming one the interface does not have, is a type error. Constructs refuse any
 * other key at synth time (`Problems.knownProps`), so a misspelt prop is never silently ignored.
 */
export type PropNameSet<T> = { readonly [K in keyof Required<T>]: true };

/** `propNames<XProps>({ a: true, b: true })`: the names of every prop of `XProps`, in declaration order. */
export function propNames<T>(names: PropNameSet<T>): readonly (keyof T & string)[] {
  return Object.keys(names) as (keyof T & string)[];
}

/** Props with the ones in `K` made present (their defaults applied). */
export type WithDefaults<P, K extends keyof P> = Omit<P, K> & { readonly [Q in K]-?: Exclude<P[Q], undefined> };

/**
 * Props over their defaults, a prop given as `undefined` keeping its default (as `??` would): the one way
 * constructs apply defaults. `defaults` is the construct's `DEFAULTS` table, declared next to its props.
 */
export function withDefaults<P extends object, K extends keyof P>(
  defaults: { readonly [Q in K]-?: Exclude<P[Q], undefined> }, props: P): WithDefaults<P, K> {
  const out: Record<string, unknown> = { ...defaults };
  for (const [k, v] of Object.entries(props)) if (v !== undefined) out[k] = v;
  return out as WithDefaults<P, K>;
}
