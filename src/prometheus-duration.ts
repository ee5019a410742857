/**
 * Prometheus durations (`5m`, `1h30m`, `0`), as Prometheus' `model.ParseDuration` reads them and as the
 * Prometheus Operator CRDs' `pattern` allows them: units in the order y, w, d, h, m, s, ms, each at most once.
 */
const DURATION = /^(([0-9]+)y)?(([0-9]+)w)?(([0-9]+)d)?(([0-9]+)h)?(([0-9]+)m)?(([0-9]+)s)?(([0-9]+)ms)?$/;

const UNIT_MS: readonly number[] = [365 * 86_400_000, 7 * 86_400_000, 86_400_000, 3_600_000, 60_000, 1_000, 1];
/** Prometheus holds a duration as Go's time.Duration, int64 nanoseconds, and refuses longer ones ("duration out of range"). */
const MAX_MS = Number((2n ** 63n - 1n) / 1_000_000n);

/** Milliseconds of a Prometheus duration, or undefined when the text is no Prometheus duration. */
export function prometheusDurationMs(v: unknown): number | undefined {
  if (typeof v !== 'string') return undefined;
  if (v === '0') return 0;
  // The CRD pattern accepts "", Prometheus does not: an empty `for:` would fail only when the rules load.
  if (v === '') return undefined;
  const m = DURATION.exec(v);
  if (!m) return undefined;
  let ms = 0;
  UNIT_MS.forEach((unit, i) => {
    const n = m[2 + 2 * i];
    if (n !== undefined) ms += Number(n) * unit;
  });
  return Number.isSafeInteger(ms) && ms <= MAX_MS ? ms : undefined;
}

export function isPrometheusDuration(v: unknown): v is string {
  return prometheusDurationMs(v) !== undefined;
}

export const PROMETHEUS_DURATION_ALLOWED = 'a Prometheus duration such as "30s", "5m" or "1h30m" (units y, w, d, h, m, s, ms in that order, or "0"; at most 292y, Prometheus\' int64 nanoseconds)';
