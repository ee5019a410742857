/**
 * CIDR blocks as NetworkPolicy `ipBlock`s take them. The API server (with StrictIPCIDRValidation, on in
 * 1.36) refuses leading zeros, bits set beyond the prefix and IPv4-mapped IPv6; we also ask for the
 * canonical spelling (lowercase, `::` for the longest zero run) so a CIDR reads the same everywhere.
 */
export interface Cidr {
  readonly family: 4 | 6;
  /** The network address as a number (32 or 128 bits). */
  readonly address: bigint;
  readonly prefix: number;
}

/** Parses a canonical IPv4 or IPv6 CIDR; `undefined` for anything else (see `cidrProblem` for why). */
export function parseCidr(text: string): Cidr | undefined {
  const parsed = parseLoose(text);
  return parsed !== undefined && cidrProblem(text) === undefined ? parsed : undefined;
}

/** Why a string is not a CIDR the constructs accept, or `undefined` when it is one. */
export function cidrProblem(text: unknown): string | undefined {
  if (typeof text !== 'string') return 'not a string';
  const parsed = parseLoose(text);
  if (parsed === undefined) return 'not an IPv4 or IPv6 CIDR';
  const bits = parsed.family === 4 ? 32 : 128;
  const hostMask = (1n << BigInt(bits - parsed.prefix)) - 1n;
  if ((parsed.address & hostMask) !== 0n) {
    return `bits set beyond the prefix length (the network is ${formatCidr({ ...parsed, address: parsed.address & ~hostMask })})`;
  }
  if (parsed.family === 6 && parsed.address >> 32n === 0xffffn) return 'an IPv4-mapped IPv6 address (write the IPv4 CIDR)';
  const canonical = formatCidr(parsed);
  if (canonical !== text) return `not in canonical form (${canonical})`;
  return undefined;
}

/** Whether `inner` lies inside `outer` (same family, at least as long a prefix). */
export function cidrContains(outer: Cidr, inner: Cidr): boolean {
  if (outer.family !== inner.family || inner.prefix < outer.prefix) return false;
  const bits = outer.family === 4 ? 32 : 128;
  const shift = BigInt(bits - outer.prefix);
  return (outer.address >> shift) === (inner.address >> shift);
}

/** Whether an address (a /32 or /128) lies in a CIDR: `cidrContains` for single addresses. */
export function cidrContainsAddress(outer: Cidr, address: string): boolean {
  const one = parseLoose(`${address}/${address.includes(':') ? 128 : 32}`);
  if (one === undefined) throw new RangeError(`not an IP address: ${JSON.stringify(address)}`);
  return cidrContains(outer, one);
}

/** The canonical spelling: dotted quad, or RFC 5952 IPv6 (lowercase, the longest zero run as `::`). */
export function formatCidr(c: Cidr): string {
  if (c.family === 4) {
    return `${[24n, 16n, 8n, 0n].map(s => (c.address >> s) & 255n).join('.')}/${c.prefix}`;
  }
  const groups = Array.from({ length: 8 }, (_, i) => Number((c.address >> BigInt(112 - 16 * i)) & 0xffffn));
  let best = { start: -1, length: 0 };
  for (let i = 0; i < 8;) {
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > best.length) best = { start: i, length: j - i };
    i = j === i ? i + 1 : j;
  }
  const hex = groups.map(g => g.toString(16));
  if (best.length < 2) return `${hex.join(':')}/${c.prefix}`;
  const head = hex.slice(0, best.start).join(':');
  const tail = hex.slice(best.start + best.length).join(':');
  return `${head}::${tail}/${c.prefix}`;
}

function parseLoose(text: string): Cidr | undefined {
  const m = /^([^/]+)\/(0|[1-9]\d{0,2})$/.exec(text);
  if (!m) return undefined;
  const prefix = Number(m[2]);
  const v4 = parseIpv4(m[1]);
  if (v4 !== undefined) return prefix <= 32 ? { family: 4, address: v4, prefix } : undefined;
  const v6 = parseIpv6(m[1]);
  if (v6 !== undefined) return prefix <= 128 ? { family: 6, address: v6, prefix } : undefined;
  return undefined;
}

function parseIpv4(text: string): bigint | undefined {
  const parts = text.split('.');
  // Leading zeros are refused: some parsers read them as octal.
  if (parts.length !== 4 || !parts.every(p => /^(0|[1-9]\d{0,2})$/.test(p) && Number(p) <= 255)) return undefined;
  return parts.reduce((acc, p) => (acc << 8n) | BigInt(p), 0n);
}

function parseIpv6(text: string): bigint | undefined {
  const halves = text.split('::');
  if (halves.length > 2) return undefined;
  const groups = (s: string) => (s === '' ? [] : s.split(':'));
  const head = groups(halves[0]);
  const tail = halves.length === 2 ? groups(halves[1]) : [];
  if (![...head, ...tail].every(g => /^[0-9a-fA-F]{1,4}$/.test(g))) return undefined;
  const missing = 8 - head.length - tail.length;
  if (halves.length === 2 ? missing < 1 : missing !== 0) return undefined;
  const all = [...head, ...Array(halves.length === 2 ? missing : 0).fill('0'), ...tail];
  return all.reduce((acc, g) => (acc << 16n) | BigInt(parseInt(g, 16)), 0n);
}
