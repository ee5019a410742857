import { App, Chart } from 'cdk8s';
import { Construct } from 'constructs';
import { LocalHandsValidationError } from '../src/validation';

/**
 * Refuses a stack whose charts (or KIND config) would take ids the app already has, before anything is added: the
 * same stack twice, two stacks sharing ids (every profile has `mirrord-rbac`, say), or a chart of the user's. Without
 * it the constructs library would refuse the second chart with a message about construct trees.
 */
export function claimIds(app: App, stack: string, ids: readonly string[]): void {
  const taken = ids.filter(id => app.node.tryFindChild(id) !== undefined);
  if (taken.length === 0) return;
  const first = app.node.tryFindChild(taken[0])!;
  throw new LocalHandsValidationError(stack, [
    `the app has ${taken.length === 1 ? 'a construct' : 'constructs'} ${taken.map(t => JSON.stringify(t)).join(', ')} already (${first.node.path} from an earlier stack or your own code): `
    + `the stack needs the ids ${ids.map(i => JSON.stringify(i)).join(', ')}; add one stack per app, or build the other parts from the constructs themselves`,
  ]);
}

/**
 * One part of a stack, as one entry of the stack's table of parts: the id it takes in the app (a chart's, which names
 * its file in `dist/`, or the KIND config's), when the stack has it, and how it is built. Entries are built in table
 * order, each seeing the parts built before it in `b.parts`.
 */
export interface StackPart<B, T> {
  /** The app child's id: the chart the stack creates for the part, or, with `inApp`, the id `build` gives its construct. */
  readonly id: string;
  /** `build` gets the app instead of a chart of its own (the KIND config, which is no chart). */
  readonly inApp?: true;
  /** Whether the stack has the part. @default - always */
  readonly when?: (b: B) => boolean;
  /** Its fields go into the stack's result as they are (a part of several constructs), not under the entry's name. */
  readonly spread?: true;
  readonly build: (scope: Construct, b: B, id: string) => T;
}

type PartValue<E> = E extends { readonly build: (...args: any[]) => infer T } ? T : never;
type IsOptional<E> = E extends { readonly when: unknown } ? true : false;
type UnionToIntersection<U> = (U extends unknown ? (u: U) => void : never) extends (i: infer I) => void ? I : never;

/** What a table of parts gives a stack's result: each part under its name (optional with `when`), spread parts' fields. */
export type StackPartsOf<T> =
  & { readonly [K in keyof T as T[K] extends { readonly spread: true } ? never : IsOptional<T[K]> extends true ? never : K]: PartValue<T[K]> }
  & { readonly [K in keyof T as T[K] extends { readonly spread: true } ? never : IsOptional<T[K]> extends true ? K : never]?: PartValue<T[K]> }
  & UnionToIntersection<{ [K in keyof T]: T[K] extends { readonly spread: true }
    ? (IsOptional<T[K]> extends true ? Partial<PartValue<T[K]>> : PartValue<T[K]>) : never }[keyof T]>;

/** `stackParts<B>()({ name: { id, build }, ... })`: a stack's table of parts, each built with what `B` holds. */
export function stackParts<B>() {
  return <const T extends Readonly<Record<string, StackPart<B, unknown>>>>(parts: T): T => parts;
}

/** The chart ids of a table of parts, by part name (the KIND config, no chart, left out). */
export function chartIds<const T extends Readonly<Record<string, StackPart<never, unknown>>>>(table: T): { readonly [K in keyof T as T[K] extends { readonly inApp: true } ? never : K]: T[K]['id'] } {
  return Object.fromEntries(Object.entries(table).filter(([, part]) => !part.inApp).map(([name, part]) => [name, part.id])) as never;
}

/**
 * Adds the parts of a stack the props ask for (their ids claimed first, in table order), each built into a chart of
 * its own or into the app; returns them by name and the charts, in table order.
 */
export function addStackParts<B extends { readonly parts: object }, T extends Readonly<Record<string, StackPart<B, unknown>>>>(
  app: App, stack: string, b: B, table: T): StackPartsOf<T> & { readonly charts: readonly Chart[] } {
  const present = Object.entries(table).filter(([, part]) => part.when?.(b) ?? true);
  claimIds(app, stack, present.map(([, part]) => part.id));
  const made = b.parts as Record<string, unknown>;
  for (const [name, part] of present) {
    const value = part.build(part.inApp ? app : new Chart(app, part.id), b, part.id);
    if (part.spread) Object.assign(made, value);
    else made[name] = value;
  }
  const charts = present.map(([, part]) => app.node.tryFindChild(part.id)).filter((c): c is Chart => c instanceof Chart);
  return { ...made, charts } as StackPartsOf<T> & { readonly charts: readonly Chart[] };
}

/**
 * `stackResult<XStack>()({ ...parts, ... })`: the stack's result, refused by the compiler when it has a field its
 * result interface does not declare (a part added to the table and not to the interface, which documents it).
 */
export function stackResult<S>() {
  return <R extends S>(result: R & { readonly [K in Exclude<keyof R, keyof S>]: never }): S => result;
}
