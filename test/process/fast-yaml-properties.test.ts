// fast-yaml against the yaml library on many generated inputs: the slow property tests, run by `npm run test:process`
// (the unit suite keeps the byte-for-byte comparisons of every app configuration, in test/fast-yaml.test.ts).
import fc from 'fast-check';
import { Yaml } from 'cdk8s';
import { describe, expect, test } from 'vitest';
import { known, literalBlock, manifestParts, stringifyManifests } from '../../src/fast-yaml';

const RESERVED_WORDS = ['y', 'Yes', 'no', 'ON', 'off', 'null', 'Null', 'true', 'FALSE', 'n', 'N'];

describe('stringifyManifests equals Yaml.stringify on random manifests', () => {
  // A seeded generator, so a failure reproduces.
  let seed = 42;
  const rnd = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)];
  const STRINGS = ['', ' ', 'a', 'y', 'Yes', 'no', 'ON', 'off', 'null', '~', 'true', 'False', '0', '007', '1.5', '1e3', '0x1F', '.inf', '-', '-a', 'a-',
    'a: b', 'a:b', 'a #b', '#a', '@a', '`a`', '!a', '&a', '*a', '%a', '|', '>', "'q'", '"q"', 'a\nb', 'a\tb', ' lead', 'trail ', 'é', 'ünï', '日本',
    'http://x/y?z=1', '$(POD_NAMESPACE)/x', '2001-12-14', '12:30:45', '<<', '=', '?', 'a,b', '[a]', '{a}', 'k8s.io/ingress-nginx', 'x'.repeat(200)];
  const str = () => (rnd() < 0.5 ? pick(STRINGS) : `${pick(STRINGS)}${pick(STRINGS)}`);
  const value = (depth: number): unknown => {
    const r = rnd();
    if (depth > 3 || r < 0.4) return pick([str(), str(), Math.floor(rnd() * 70000) - 10, rnd() < 0.5, 0.25]);
    if (r < 0.7) return Object.fromEntries(Array.from({ length: Math.floor(rnd() * 4) }, () => [str(), value(depth + 1)]));
    return Array.from({ length: Math.floor(rnd() * 4) }, () => value(depth + 1));
  };
  test('6,000 documents', () => {
    for (let i = 0; i < 6000; i++) {
      const doc = { apiVersion: 'v1', kind: 'ConfigMap', data: value(0), [str()]: value(1) };
      const yaml = [doc, doc].map(d => Yaml.stringify(d)).join('---\n');
      expect(stringifyManifests([doc, doc])).toBe(yaml);
      expect(Buffer.concat(manifestParts([doc, doc])).equals(Buffer.from(yaml))).toBe(true);
    }
  });
});

describe('the strings fast-yaml judges itself are written as the yaml library writes them', () => {
  // Characters around every rule: units, exponents, bases, indicators, separators, quotes, spaces.
  const CHARS = [...'aZyYnNoOeExXbBmMiGkKtTvsdlu0123456789._/-=$(),:;@+~#"\' \t\n<>!&*%`?[]{}|\\^', 'é', '\u0007'];
  const fromChars = fc.array(fc.constantFrom(...CHARS), { maxLength: 14 }).map(cs => cs.join(''));
  const shaped = fc.oneof(
    fc.tuple(fc.stringMatching(/^[0-9]{1,4}$/), fc.constantFrom('', '.5', '.25'), fc.stringMatching(/^[a-zA-Z]{0,3}$/)).map(([d, f, u]) => `${d}${f}${u}`),
    fc.array(fc.stringMatching(/^[0-9]{1,3}$/), { minLength: 1, maxLength: 5 }).map(parts => parts.join('.')),
    fc.tuple(fc.constantFrom('-', '--', '/', 'a', '-1', '.', '~', '0x', '0b', '0o', '1_0'), fromChars).map(([a, b]) => a + b),
    fc.tuple(fc.constantFrom('', 'a', 'Above 80% of', '*.', '0.0.0.0', '::'), fc.constantFrom('', ' ', ': ', ' #', '/0', 'localhost', ' x', ':', "'s"), fc.constantFrom('', 'b', ' ', ':')).map(([a, b, c]) => a + b + c),
    fc.tuple(fc.stringMatching(/^[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}$/), fc.constantFrom('', 't', 'T', ' ', 'x'), fc.constantFrom('', '1:02:03', '10:20:30.5', '1:2'), fc.constantFrom('', 'Z', ' +5', '-03:30')).map(parts => parts.join('')),
    fc.tuple(fc.constantFrom('k', 'a: b', '#'), fc.integer({ min: 1000, max: 1030 })).map(([c, n]) => c.padEnd(n, 'x')),
    fc.constantFrom(...RESERVED_WORDS, '~', 'NULL', '---', '--- a', '...', '%YAML', '2001-12-14 21:59:43.10 -5', '1:20', '-.5', '+12', '.5', '1e3', '1E3', '-1', '+1', '.inf', '-.inf', '.nan', '0x1F', '0b101', '0o17', '017', '190:20:30', '1_000', '2001-12-14', '<<', '1.12.1', '512Mi', '300m', '1.5Gi', '1e', 'e1'),
  );
  test('as values and as keys, over 40,000 generated strings', () => {
    let judged = 0;
    fc.assert(fc.property(fc.oneof(fromChars, shaped), s => {
      const ours = known(s);
      if (ours === undefined) return;
      judged++;
      expect(Yaml.stringify({ k: s })).toBe(`k: ${ours}\n`);
      // (An empty key is never judged: the whole document goes to the library.)
      if (s !== '') expect(Yaml.stringify({ [s]: 0 })).toBe(`${ours}: 0\n`);
    }), { numRuns: 40_000, seed: 7 });
    // The fast path must be the common one, or the test would prove nothing.
    expect(judged).toBeGreaterThan(10_000);
  });
});

describe('the multi-line strings fast-yaml lays out itself are written as the yaml library writes them', () => {
  // Mostly lines of the kind a JSON or config file has, some that make the library choose another layout.
  const line = fc.oneof(
    { weight: 4, arbitrary: fc.constantFrom('a', 'b: c', '  x', '{', '"q": 1,', "'s'", '#c', '- d', 'e ', 'f\tg', '|', '>', '&a *b', '---', '...', '%x', '') },
    { weight: 1, arbitrary: fc.constantFrom(' ', '\t', 'é', '  ') },
  );
  const text = fc.tuple(fc.constantFrom('', '', '', ' ', '\n'), fc.array(line, { minLength: 1, maxLength: 6 }), fc.constantFrom('', '', '\n', '\n\n'))
    .map(([lead, lines, end]) => lead + lines.join('\n') + end)
    .filter(s => s.includes('\n'));
  test('as map values and sequence items, nested, over 10,000 generated texts', () => {
    let judged = 0;
    fc.assert(fc.property(text, s => {
      if (literalBlock(s, '') !== undefined) judged++;
      const doc = { apiVersion: 'v1', kind: 'ConfigMap', data: { k: s, nested: { deeper: s } }, list: [s, { item: s }] };
      expect(stringifyManifests([doc])).toBe(Yaml.stringify(doc));
    }), { numRuns: 10_000, seed: 11 });
    expect(judged).toBeGreaterThan(1_500);
  });
});
