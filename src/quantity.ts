import { isQuantity } from './validation';

/**
 * How apimachinery remembers a quantity was written, which decides how it prints it back:
 * `BinarySI` for Ki..Ei, `DecimalExponent` for `e` notation, `DecimalSI` otherwise.
 */
export type QuantityFormat = 'DecimalSI' | 'BinarySI' | 'DecimalExponent';

/** A non-negative quantity held exactly, in billionths of its unit (apimachinery's finest scale). */
export interface ExactQuantity {
  readonly nanos: bigint;
  readonly format: QuantityFormat;
}

const NANO = 1_000_000_000n;
const MILLI = 1_000_000n;
const DECIMAL_SUFFIXES: Readonly<Record<string, number>> = { n: -9, u: -6, m: -3, '': 0, k: 3, M: 6, G: 9, T: 12, P: 15, E: 18 };
const BINARY_SUFFIXES = ['', 'Ki', 'Mi', 'Gi', 'Ti', 'Pi', 'Ei'];
/** apimachinery caps binary quantities at the largest int64, and keeps int64 amounts exact. */
const MAX_UNITS = 2n ** 63n - 1n;
/**
 * What an amount of more than MAX_DIGITS digits of nanos reads as: one unit beyond 2^63-1, which every check refuses.
 * Without the cap an exponent such as `1e999999999` would have us compute a number of a billion digits. Amounts up to
 * MAX_DIGITS stay exact (the API server keeps decimal amounts beyond int64 exactly: 12E is stored as 12E).
 */
const TOO_LARGE = (MAX_UNITS + 1n) * NANO;
/** More digits than any amount up to 2^63-1 units has in nanos (28). */
const MAX_DIGITS = 30;

/**
 * Reads a quantity the way `resource.ParseQuantity` does: exact, with anything finer than a nano
 * rounded up (a request for "some" resource never becomes zero). `undefined` when it does not parse.
 */
export function parseQuantity(text: string): ExactQuantity | undefined {
  if (!isQuantity(text)) return undefined;
  const m = /^(\d*)(?:\.(\d*))?(.*)$/.exec(text)!;
  const [, whole, fraction = '', suffix] = m;
  let digits = BigInt(`${whole}${fraction}` || '0');
  let scale = -fraction.length;
  let format: QuantityFormat = 'DecimalSI';
  if (Object.hasOwn(DECIMAL_SUFFIXES, suffix)) scale += DECIMAL_SUFFIXES[suffix];
  else if (BINARY_SUFFIXES.includes(suffix)) {
    digits *= 1024n ** BigInt(BINARY_SUFFIXES.indexOf(suffix));
    format = 'BinarySI';
  } else {
    scale += Number(suffix.slice(1));
    format = 'DecimalExponent';
  }
  const shift = scale + 9;
  const significant = digits.toString().length;
  // Bounded work for any exponent: far beyond the largest amount, or below a nano (rounded up to one, as apimachinery does).
  if (digits === 0n) return { nanos: 0n, format };
  if (shift > 0 && significant + shift > MAX_DIGITS) return { nanos: TOO_LARGE, format };
  if (shift < 0 && -shift > significant) return { nanos: 1n, format };
  const nanos = shift >= 0 ? digits * 10n ** BigInt(shift) : ceilDiv(digits, 10n ** BigInt(-shift));
  return { nanos, format };
}

/** Prints a quantity as the API server stores it (`Quantity.String()`, i.e. `CanonicalizeBytes`). */
export function formatQuantity(q: ExactQuantity): string {
  if (q.nanos === 0n) return '0';
  // Below 1Ki or with a fraction, a binary quantity prints in decimal so nothing is rounded.
  const binary = q.format === 'BinarySI' && q.nanos >= 1024n * NANO && q.nanos % NANO === 0n;
  if (binary) {
    let units = q.nanos / NANO;
    let power = 0;
    while (units % 1024n === 0n && power < BINARY_SUFFIXES.length - 1) {
      units /= 1024n;
      power++;
    }
    return `${units}${BINARY_SUFFIXES[power]}`;
  }
  let mantissa = q.nanos;
  let exponent = -9;
  while (mantissa % 10n === 0n) {
    mantissa /= 10n;
    exponent++;
  }
  // The exponent goes down to a multiple of 3 so it names an SI suffix.
  const down = ((exponent % 3) + 3) % 3;
  mantissa *= 10n ** BigInt(down);
  exponent -= down;
  if (q.format === 'DecimalExponent') return exponent === 0 ? `${mantissa}` : `${mantissa}e${exponent}`;
  const suffix = Object.keys(DECIMAL_SUFFIXES).find(s => DECIMAL_SUFFIXES[s] === exponent)!;
  return `${mantissa}${suffix}`;
}

/** `quantity` times a non-negative integer, exactly, in the canonical form the API server would store. */
export function multiplyQuantity(quantity: string, times: number): string {
  const q = parseQuantity(quantity);
  if (q === undefined) throw new RangeError(`not a quantity: ${JSON.stringify(quantity)}`);
  if (!Number.isSafeInteger(times) || times < 0) throw new RangeError(`not a non-negative integer: ${times}`);
  return formatQuantity({ nanos: q.nanos * BigInt(times), format: q.format });
}

/**
 * The amount a core/v1 resource list (Pod resources, ResourceQuota, LimitRange) stores: the API server rounds
 * every value up to a whole milli-unit when it converts the object (`1n` is kept as `1m`), then prints it
 * canonically.
 */
export function resourceQuantity(quantity: string): string {
  const q = parseQuantity(quantity);
  if (q === undefined) throw new RangeError(`not a quantity: ${JSON.stringify(quantity)}`);
  return formatQuantity({ nanos: ceilDiv(q.nanos, MILLI) * MILLI, format: q.format });
}

/** Whether a quantity stays within what the API server keeps exactly (at most 2^63-1 of its unit). */
export function isExactlyRepresentable(quantity: string): boolean {
  const q = parseQuantity(quantity);
  return q !== undefined && q.nanos <= MAX_UNITS * NANO;
}

/** Compares two quantities by amount: negative, zero or positive like a sort comparator. */
export function compareQuantities(a: string, b: string): number {
  const x = parseQuantity(a);
  const y = parseQuantity(b);
  if (x === undefined || y === undefined) throw new RangeError(`not a quantity: ${JSON.stringify(x === undefined ? a : b)}`);
  return x.nanos < y.nanos ? -1 : x.nanos > y.nanos ? 1 : 0;
}

function ceilDiv(a: bigint, b: bigint): bigint {
  return (a + b - 1n) / b;
}
