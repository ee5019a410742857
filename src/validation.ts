import { Construct } from 'constructs';

/**
 * The one error class local-hands throws for bad props or config.
 *
 * Its message names where the problem is (a construct path or a config file), each bad field,
 * the value it got and what is allowed, one problem per line, so a user can fix them in one go.
 */
export class LocalHandsValidationError extends Error {
  /** Each problem as `field must be ..., got ...`. */
  public readonly problems: readonly string[];
  /** The construct path or file the problems belong to. */
  public readonly where: string;

  constructor(where: string, problems: readonly string[]) {
    super(problems.length === 1
      ? `${where}: ${problems[0]}`
      : `${where}: ${problems.length} problems\n${problems.map(p => `  - ${p}`).join('\n')}`);
    this.name = 'LocalHandsValidationError';
    this.where = where;
    this.problems = problems;
  }
}

/** Renders a value for an error message the way the user wrote it. */
export function show(value: unknown): string {
  if (value === undefined) return 'undefined';
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number' || typeof value === 'boolean' || value === null) return String(value);
  try {
    return JSON.stringify(value);
  } catch {
    return String(value);
  }
}

/**
 * Collects the problems of one construct (or one config file) and throws them together.
 * Each check returns whether the value passed, so callers can skip dependent checks.
 */
export class Problems {
  private readonly list: string[] = [];

  constructor(private readonly where: string) {}

  /** `IngressNginx 'ingress' (ingress-nginx/ingress)` for a construct: where its problems are. */
  static of(scope: Construct, kind: string): Problems {
    return new Problems(`${kind} '${scope.node.id}' (${scope.node.path})`);
  }

  add(field: string, value: unknown, allowed: string): false {
    this.list.push(`${field} must be ${allowed}, got ${show(value)}`);
    return false;
  }

  /** Adds a problem whose wording does not fit `field must be ...`. */
  addRaw(message: string): false {
    this.list.push(message);
    return false;
  }

  throwIfAny(): void {
    if (this.list.length > 0) throw new LocalHandsValidationError(this.where, this.list);
  }

  check(ok: boolean, field: string, value: unknown, allowed: string): boolean {
    return ok || this.add(field, value, allowed);
  }

  /** RFC 1123 label: namespaces, Service names, container and port names' parent objects. */
  dnsLabel(field: string, value: unknown): boolean {
    return this.check(isDnsLabel(value), field, value,
      'a DNS-1123 label (at most 63 characters of a-z, 0-9 and "-", starting and ending with a letter or digit)');
  }

  /** RFC 1035 label: Service names, which become DNS names that must not look like numbers. */
  dns1035Label(field: string, value: unknown): boolean {
    return this.check(isDns1035Label(value), field, value,
      'a DNS-1035 label (at most 63 characters of a-z, 0-9 and "-", starting with a letter and ending with a letter or digit)');
  }

  /** RFC 1123 subdomain: most object names. */
  dnsSubdomain(field: string, value: unknown): boolean {
    return this.check(isDnsSubdomain(value), field, value,
      'a DNS-1123 subdomain (at most 253 characters of a-z, 0-9, "-" and ".", each part starting and ending with a letter or digit)');
  }

  port(field: string, value: unknown): boolean {
    return this.check(isPort(value), field, value, 'an integer in 1-65535');
  }

  /** Checks a list of ports for range and duplicates. */
  ports(field: string, values: readonly unknown[]): boolean {
    let ok = true;
    const seen = new Map<unknown, number>();
    values.forEach((v, i) => {
      ok = this.port(`${field}[${i}]`, v) && ok;
      if (seen.has(v)) ok = this.add(`${field}[${i}]`, v, `unique (already used by ${field}[${seen.get(v)}])`);
      else seen.set(v, i);
    });
    return ok;
  }

  quantity(field: string, value: unknown): boolean {
    return this.check(isQuantity(value), field, value,
      'a Kubernetes quantity such as "500m", "1", "256Mi" or "2Gi" (a non-negative number with an optional suffix n, u, m, k, M, G, T, P, E, Ki, Mi, Gi, Ti, Pi, Ei)');
  }

  nonNegativeInt(field: string, value: unknown, max = 2 ** 31 - 1): boolean {
    return this.check(Number.isInteger(value) && (value as number) >= 0 && (value as number) <= max,
      field, value, `an integer in 0-${max}`);
  }

  positiveInt(field: string, value: unknown, max = 2 ** 31 - 1): boolean {
    return this.check(Number.isInteger(value) && (value as number) >= 1 && (value as number) <= max,
      field, value, `an integer in 1-${max}`);
  }

  oneOf<T>(field: string, value: unknown, allowed: readonly T[]): value is T {
    return this.check(allowed.includes(value as T), field, value, `one of ${allowed.map(show).join(', ')}`);
  }

  /** A map of Kubernetes labels (or a node selector): qualified keys and label values. */
  labels(field: string, value: unknown): boolean {
    if (!isPlainObject(value)) return this.add(field, value, 'an object of label keys to string values');
    let ok = true;
    for (const [k, v] of Object.entries(value)) {
      ok = this.check(isQualifiedName(k), `${field} key ${show(k)}`, k,
        'a qualified name (an optional DNS subdomain prefix and "/", then at most 63 characters of a-z, A-Z, 0-9, "-", "_", "." starting and ending with a letter or digit)') && ok;
      ok = this.check(isLabelValue(v), `${field}[${show(k)}]`, v,
        'a label value (a string of at most 63 characters of a-z, A-Z, 0-9, "-", "_", ".", starting and ending with a letter or digit, or empty)') && ok;
    }
    return ok;
  }

  /** A Kubernetes toleration, as the core/v1 API validates it. */
  toleration(field: string, t: unknown): boolean {
    if (!isPlainObject(t)) return this.add(field, t, 'a toleration object ({ key, operator, value, effect, tolerationSeconds })');
    let ok = true;
    const known = ['key', 'operator', 'value', 'effect', 'tolerationSeconds'];
    for (const k of Object.keys(t)) {
      if (!known.includes(k)) ok = this.add(`${field}.${k}`, t[k], `absent (a toleration has only ${known.join(', ')})`);
    }
    const op = t.operator ?? 'Equal';
    if (t.operator !== undefined) ok = this.oneOf(`${field}.operator`, t.operator, ['Exists', 'Equal']) && ok;
    if (t.key !== undefined) {
      ok = this.check(typeof t.key === 'string' && (t.key === '' || isQualifiedName(t.key)), `${field}.key`, t.key,
        'a qualified name such as "node-role.kubernetes.io/control-plane"') && ok;
    }
    if ((t.key === undefined || t.key === '') && op !== 'Exists') {
      ok = this.add(`${field}.operator`, t.operator, '"Exists" when key is empty');
    }
    if (t.value !== undefined) {
      if (op === 'Exists' && t.value !== '') ok = this.add(`${field}.value`, t.value, 'empty when operator is "Exists"');
      else ok = this.check(isLabelValue(t.value), `${field}.value`, t.value, 'a label value') && ok;
    }
    if (t.effect !== undefined) {
      ok = this.oneOf(`${field}.effect`, t.effect, ['NoSchedule', 'PreferNoSchedule', 'NoExecute']) && ok;
    }
    if (t.tolerationSeconds !== undefined) {
      // An int64 field; beyond 2^53 a JavaScript number is no longer exact, and 1e21 would be written as "1e+21".
      ok = this.check(Number.isSafeInteger(t.tolerationSeconds), `${field}.tolerationSeconds`, t.tolerationSeconds, 'an integer of at most 2^53-1 in magnitude') && ok;
      if (t.effect !== 'NoExecute') ok = this.add(`${field}.effect`, t.effect, '"NoExecute" when tolerationSeconds is set');
    }
    return ok;
  }

  /** An environment variable name, as Kubernetes accepts it. */
  envName(field: string, value: unknown): boolean {
    return this.check(typeof value === 'string' && /^[-._a-zA-Z][-._a-zA-Z0-9]*$/.test(value), field, value,
      'a C identifier-like name (letters, digits, "_", "-", "."; not starting with a digit)');
  }

  /** A container image reference: `[registry/]repository[:tag][@sha256:digest]`. */
  image(field: string, value: unknown): boolean {
    return this.check(isImageRef(value), field, value,
      'an image reference such as "ubuntu:22.04" or "registry.k8s.io/pause:3.9@sha256:<64 hex>"');
  }

  /**
   * Refuses props that are not an object (thrown at once: nothing else can be checked) and props a construct
   * does not have (a typo would otherwise be silently ignored). `known` comes from the props table (`propSpec` in src/props.ts).
   */
  knownProps(construct: string, props: unknown, known: readonly string[]): void {
    if (!isPlainObject(props)) {
      this.add('props', props, `an object of ${construct} props (known: ${known.join(', ')})`);
      this.throwIfAny();
      return;
    }
    for (const k of Object.keys(props)) {
      if (!known.includes(k)) this.add(k, props[k], `absent: ${construct} has no prop ${show(k)} (known: ${known.join(', ')})`);
    }
  }

  /** A list of plain environment variables `{ name, value }`, names unique and none of `reserved`. */
  envVars(field: string, env: unknown, reserved: readonly string[] = []): boolean {
    if (!Array.isArray(env)) return this.add(field, env, 'a list of { name, value }');
    const before = this.list.length;
    const seen = new Set<string>();
    env.forEach((e, i) => {
      if (!isPlainObject(e)) { this.add(`${field}[${i}]`, e, 'an object { name, value }'); return; }
      if (this.envName(`${field}[${i}].name`, e.name)) {
        if (reserved.includes(e.name)) this.add(`${field}[${i}].name`, e.name, `a name other than ${reserved.join(', ')} (set by the construct)`);
        else if (seen.has(e.name)) this.add(`${field}[${i}].name`, e.name, 'unique among env names');
        seen.add(e.name);
      }
      this.check(typeof e.value === 'string', `${field}[${i}].value`, e.value, 'a string');
    });
    return this.list.length === before;
  }

  nonEmptyStrings(field: string, value: unknown): boolean {
    if (!Array.isArray(value) || value.length === 0) return this.add(field, value, 'a non-empty list of strings');
    let ok = true;
    value.forEach((v, i) => { ok = this.check(typeof v === 'string', `${field}[${i}]`, v, 'a string') && ok; });
    return ok;
  }
}

/**
 * A plain object (a literal, `Object.create(null)`, or parsed JSON/TOML/YAML): not an array, and not a `Map`, a class
 * instance or anything else whose fields are not its own enumerable keys (a `Map` of props would read as empty).
 */
export function isPlainObject(v: unknown): v is Record<string, any> {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return false;
  const proto = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}

export function isDnsLabel(v: unknown): v is string {
  return typeof v === 'string' && v.length <= 63 && /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(v);
}

export function isDns1035Label(v: unknown): v is string {
  return typeof v === 'string' && v.length <= 63 && /^[a-z]([-a-z0-9]*[a-z0-9])?$/.test(v);
}

export function isDnsSubdomain(v: unknown): v is string {
  return typeof v === 'string' && v.length <= 253
    && /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/.test(v);
}

/**
 * Whether a name is an IP address, which the API server refuses as an Ingress host ("must be a DNS name, not an IP
 * address"), as Go's `net.ParseIP` reads one: four dotted decimal octets of at most 255 (a DNS name can look so).
 */
export function isIpv4Address(v: string): boolean {
  const parts = v.split('.');
  return parts.length === 4 && parts.every(p => /^\d{1,3}$/.test(p) && Number(p) <= 255);
}

export function isPort(v: unknown): v is number {
  return Number.isInteger(v) && (v as number) >= 1 && (v as number) <= 65535;
}

/** An IANA_SVC_NAME, as container port names must be. */
export function isPortName(v: unknown): v is string {
  return typeof v === 'string' && v.length <= 15 && /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(v)
    && /[a-z]/.test(v) && !v.includes('--');
}

const QUANTITY = /^(\d+(\.\d*)?|\.\d+)(Ki|Mi|Gi|Ti|Pi|Ei|n|u|m|k|M|G|T|P|E|[eE][-+]?\d+)?$/;

/** A non-negative Kubernetes resource quantity (apimachinery's canonical grammar). */
export function isQuantity(v: unknown): v is string {
  return typeof v === 'string' && QUANTITY.test(v);
}

export function isLabelValue(v: unknown): v is string {
  return typeof v === 'string' && v.length <= 63 && (v === '' || /^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/.test(v));
}

export function isQualifiedName(v: unknown): v is string {
  if (typeof v !== 'string') return false;
  const parts = v.split('/');
  if (parts.length > 2) return false;
  const name = parts[parts.length - 1];
  if (parts.length === 2 && !isDnsSubdomain(parts[0])) return false;
  return name.length >= 1 && name.length <= 63 && /^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/.test(name);
}

export function isImageRef(v: unknown): v is string {
  return typeof v === 'string'
    && /^[a-z0-9]+([._-][a-z0-9]+)*(:[0-9]+)?(\/[a-z0-9]+([._-]+[a-z0-9]+)*)*(:[\w][\w.-]{0,127})?(@sha256:[a-f0-9]{64})?$/.test(v);
}

export const DIGEST = /^sha256:[a-f0-9]{64}$/;
