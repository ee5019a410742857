import { describe, expect, test } from 'vitest';
import { compareQuantities, formatQuantity, isExactlyRepresentable, multiplyQuantity, parseQuantity, resourceQuantity } from '../src/quantity';

describe('quantities', () => {
  test.each([
    ['1Gi', 3, '3Gi'], ['1.5Gi', 3, '4608Mi'], ['500m', 3, '1500m'], ['1', 3, '3'], ['2Gi', 3, '6Gi'],
    ['1e3', 3, '3e3'], ['0.5', 7, '3500m'], ['1k', 1000, '1M'], ['100Mi', 10, '1000Mi'], ['512Mi', 2, '1Gi'],
    ['0.1Ki', 3, '307200m'], ['1Ki', 0, '0'], ['1n', 3, '3n'], ['1.5', 2, '3'],
  ])('%s times %i is %s, exactly and canonically', (q, n, want) => {
    expect(multiplyQuantity(q, n)).toBe(want);
  });

  test('binary amounts below 1Ki or with a fraction print in decimal, as the API server prints them', () => {
    expect(formatQuantity(parseQuantity('0.5Ki')!)).toBe('512');
    expect(formatQuantity(parseQuantity('1.5')!)).toBe('1500m');
    expect(formatQuantity(parseQuantity('1024Ki')!)).toBe('1Mi');
  });

  test('resource lists keep milli-units: finer amounts round up', () => {
    expect(resourceQuantity('1n')).toBe('1m');
    expect(resourceQuantity('1500u')).toBe('2m');
    expect(resourceQuantity('1.5Gi')).toBe('1536Mi');
  });

  test('anything finer than a nano rounds up when parsed', () => {
    expect(parseQuantity('0.0000000001')!.nanos).toBe(1n);
  });

  test('comparison is by amount, whatever the suffix', () => {
    expect(compareQuantities('1024Mi', '1Gi')).toBe(0);
    expect(compareQuantities('999m', '1')).toBe(-1);
    expect(compareQuantities('1G', '1Gi')).toBe(-1);
  });

  test('bad input', () => {
    expect(parseQuantity('1.5 Gi')).toBeUndefined();
    expect(() => multiplyQuantity('lots', 2)).toThrow('not a quantity: "lots"');
    expect(() => multiplyQuantity('1', 1.5)).toThrow('not a non-negative integer: 1.5');
    expect(isExactlyRepresentable('8Ei')).toBe(false);
    expect(isExactlyRepresentable('7Ei')).toBe(true);
  });
});

// Before the bound, the first case ran until killed: the test's own timeout is the hang guard.
describe('any quantity is read in bounded time and memory', () => {
  test.each(['1e999999999', '1E999999999999999999999', '9'.repeat(100_000), `0.${'0'.repeat(100_000)}1`, '1e-999999999', '123456789Ei', '1e+2147483648'])('%s', q => {
    const parsed = parseQuantity(q)!;
    expect(parsed).toBeDefined();
    // Beyond the largest amount: refused as too large; below a nano: one nano, as apimachinery rounds up.
    if (/e-|^0\./.test(q)) expect(parsed.nanos).toBe(1n);
    else expect(isExactlyRepresentable(q)).toBe(false);
  });

  test('the amounts the API server keeps are still exact, up to the largest int64', () => {
    expect(isExactlyRepresentable(`${2n ** 63n - 1n}`)).toBe(true);
    expect(isExactlyRepresentable(`${2n ** 63n}`)).toBe(false);
    expect(parseQuantity('9223372036854775807')!.nanos).toBe((2n ** 63n - 1n) * 1_000_000_000n);
    expect(parseQuantity('1500m')!.nanos).toBe(1_500_000_000n);
    expect(parseQuantity('1e-9')!.nanos).toBe(1n);
    expect(parseQuantity('1e-10')!.nanos).toBe(1n);
  });
});

test('amounts beyond int64 but within reach stay exact, as the API server stores them (12E is 12E)', () => {
  expect(resourceQuantity('12E')).toBe('12E');
  expect(multiplyQuantity('12E', 1)).toBe('12E');
  expect(isExactlyRepresentable('12E')).toBe(false);
});
