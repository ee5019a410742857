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
