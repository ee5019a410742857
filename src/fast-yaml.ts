import { Yaml } from 'cdk8s';
import { prerenderedBytes } from './prerendered-api-object';

/**
 * Renders manifests byte for byte as cdk8s's `Yaml.stringify` does (the `yaml` library, YAML 1.1 schema,
 * no line folding), several times faster.
 *
 * The `yaml` library builds a full document tree per object; manifests are plain JSON trees of maps,
 * lists, integers, booleans and single-line strings, whose block layout is fixed. Those are written
 * directly. Strings that are not plainly safe are rendered by the `yaml` library itself (in the same
 * context, so the quoting is its own), in one batch per call, and cached. Anything else (multi-line strings, floats, nested
 * lists, empty keys) makes the whole document fall back to `Yaml.stringify`, so the output never differs.
 */
export function stringifyManifests(docs: readonly unknown[]): string {
  return renderDocs(docs).map(d => (typeof d === 'string' ? d : d.toString())).join('---\n');
}

/**
 * `stringifyManifests`, as the UTF-8 bytes a file gets, in pieces (a caller joining several batches copies the
 * bytes once): a vendored object's YAML is copied from the bytes it was read as, never decoded and encoded
 * again, and the text of the others is encoded once.
 * @internal Node.js Buffers, for synthApp
 */
export function manifestParts(docs: readonly unknown[]): Buffer[] {
  const parts: Buffer[] = [];
  let texts: string[] = [];
  const flush = () => {
    if (texts.length > 0) parts.push(Buffer.from(texts.join('')));
    texts = [];
  };
  renderDocs(docs).forEach((doc, i) => {
    if (i > 0) texts.push('---\n');
    if (typeof doc === 'string') {
      texts.push(doc);
    } else {
      flush();
      parts.push(doc);
    }
  });
  flush();
  return parts;
}

/**
 * Each document's YAML: a vendored object (a CRD) comes with the bytes `Yaml.stringify` writes for it (reading
 * it again would parse its body); the others are laid out here, or by the library as a whole.
 *
 * Strings only the library can judge are rendered by it in one batch per call, not one call each. They are
 * gathered while rendering (a document that met one is rendered again once the batch is in the caches), so
 * that documents of strings we judge ourselves, nearly all of them, are walked once, not twice.
 */
function renderDocs(docs: readonly unknown[]): (string | Buffer)[] {
  const out: (string | Buffer)[] = [];
  const again: number[] = [];
  const gathered: Gathered = { values: new Set(), keys: new Set(), count: 0 };
  gathering = gathered;
  try {
    docs.forEach((doc, i) => {
      const bytes = prerenderedBytes(doc);
      if (bytes !== undefined) {
        out[i] = bytes;
        return;
      }
      const before = gathered.count;
      const text = stringifyDoc(doc);
      if (text !== undefined && gathered.count !== before) again.push(i);
      else out[i] = text ?? Yaml.stringify(doc);
    });
  } finally {
    gathering = undefined;
  }
  if (again.length > 0) {
    prime(gathered);
    for (const i of again) out[i] = stringifyDoc(docs[i]) ?? Yaml.stringify(docs[i]);
  }
  return out;
}

/** Strings met during a first rendering pass that only the library can judge and no cache holds yet. */
interface Gathered {
  readonly values: Set<string>;
  readonly keys: Set<string>;
  /** How many times one was met: a document that met any is rendered again. */
  count: number;
}

let gathering: Gathered | undefined;

/** What a gathered string stands in as during the first pass (that rendering is thrown away). */
const GATHERED = '';

class Fallback extends Error {}

// YAML 1.1 words the `yaml` library would read back as booleans or null; they must be quoted.
const RESERVED = new Set([
  'y', 'Y', 'yes', 'Yes', 'YES', 'n', 'N', 'no', 'No', 'NO', 'true', 'True', 'TRUE', 'false', 'False', 'FALSE',
  'on', 'On', 'ON', 'off', 'Off', 'OFF', 'null', 'Null', 'NULL',
]);

// Plain scalars the library writes as they are. Whatever the first character, the rest holds no space, tab,
// quote, backslash or '#' and does not end in ':', so none of YAML's block-context indicators can form.
// - A letter first: only the RESERVED words, and exponents with no digits before them (e5, E+5), read back as
//   other than a string (every other YAML 1.1 number, timestamp, null and merge key starts with a digit,
//   sign, dot, '~' or '<').
// - '/' first, or '-' then a letter or a second '-' (not a third: '---' marks a document): the same, with a
//   sign (-e5); it is no sequence entry.
// - Digits, then a unit of letters none of which can make a number (exponents e/E, bases x/b/o): quantities
//   such as 512Mi and 300m. Or three or more dot-separated runs of digits: version numbers such as 1.12.1.
const PLAIN = /^(?:[A-Za-z]|\/|-[A-Za-z]|--(?!-))(?:[A-Za-z0-9._/=$(),:@+~-]*[A-Za-z0-9._/=$(),@+~-])?$|^[0-9]+(?:\.[0-9]+)?[ac-dfg-npq-wyzAC-DFG-NPQ-WYZ][ac-dfg-npq-wyzAC-DFG-NPQ-WYZ]*$|^[0-9]+(?:\.[0-9]+){2,}$/;
// Strings the library double-quotes: plain decimal integers, which YAML 1.1 reads back as numbers.
const INTEGER = /^[0-9]+$/;

const valueCache = new Map<string, string>();
const keyCache = new Map<string, string>();

// The library's YAML 1.1 float with an empty mantissa.
const BARE_EXPONENT = /^-?[eE][-+]?[0-9]+$/;

const plain = (s: string) => PLAIN.test(s) && !RESERVED.has(s) && !BARE_EXPONENT.test(s);

// Single-line printable ASCII with no backslash: the library writes such a string as it is, or quoted with
// nothing to escape: in double quotes, or in single quotes when it holds a double quote (and no single one).
const SIMPLE = /^[\x20-\x5b\x5d-\x7e]*$/;
// A key longer than 1024 characters as written is no implicit key: the library writes it as `? key`.
const MAX_KNOWN_LENGTH = 1000;
// What makes the library quote a block-context string: an indicator first, a lone or spaced '-' or '?', ': ',
// ' #', or a space or colon at the end.
const INDICATED = /^[ ,[\]{}#&*!|>'"%@`]|^[?-]$|^[?-] |: | #| $|:$/;
// A document marker or directive at the start, which the library lays out by position: left to it.
const DOCUMENT_MARKER = /^(?:%|---|\.\.\.)/;
// Strings the library's YAML 1.1 schema reads back as null.
const NULLS = new Set(['', '~', 'null', 'Null', 'NULL']);
// Every character of YAML 1.1's numbers, infinities, NaN, sexagesimals and timestamps (and the merge key): a
// string with any other character is none of them. One made only of these is left to the library.
const MAYBE_TYPED = /^(?:[-+0-9._:eExXa-fA-FbBoOiInNtTzZ \t]*|<<)$/;

/**
 * What the library writes for a string we can judge ourselves, as a block map value or key, or undefined
 * when only the library can tell (exported for its property test against the library).
 */
export function known(s: string): string | undefined {
  if (s.length > MAX_KNOWN_LENGTH) return undefined;
  if (plain(s)) return s;
  if (!SIMPLE.test(s)) return undefined;
  if (INDICATED.test(s)) return quoted(s);
  if (DOCUMENT_MARKER.test(s)) return undefined;
  if (NULLS.has(s) || RESERVED.has(s) || INTEGER.test(s)) return `"${s}"`;
  if (MAYBE_TYPED.test(s)) return undefined;
  return s;
}

/** `s` (a SIMPLE string) quoted as the library quotes it, or undefined when it holds both kinds of quote. */
function quoted(s: string): string | undefined {
  if (!s.includes('"')) return `"${s}"`;
  return s.includes("'") ? undefined : `'${s}'`;
}

/**
 * Renders the gathered strings in two library calls (values, then keys) instead of one call each: a single-line
 * string renders the same in any block map value, or as any block map key. A batch whose lines do not come out
 * one per string is not used; those strings are then rendered singly.
 */
function prime({ values, keys }: Gathered): void {
  if (values.size > 0) {
    const list = [...values];
    const lines = Yaml.stringify(Object.fromEntries(list.map((x, i) => [`v${i}`, x]))).split('\n').slice(0, -1);
    if (lines.length === list.length && lines.every((l, i) => l.startsWith(`v${i}: `))) {
      list.forEach((x, i) => valueCache.set(x, lines[i].slice(`v${i}: `.length)));
    }
  }
  if (keys.size > 0) {
    const list = [...keys];
    // A Map keeps the order (an object would move integer-like keys first).
    const lines = Yaml.stringify(new Map(list.map(k => [k, 0]))).split('\n').slice(0, -1);
    if (lines.length === list.length && lines.every(l => l.endsWith(': 0'))) {
      list.forEach((k, i) => keyCache.set(k, lines[i].slice(0, -3)));
    }
  }
}

function scalarString(s: string): string {
  let out = known(s) ?? valueCache.get(s);
  if (out === undefined) {
    if (gathering !== undefined) {
      gathering.values.add(s);
      gathering.count++;
      return GATHERED;
    }
    const full = Yaml.stringify({ k: s });
    out = full.slice(3, -1);
    if (!full.startsWith('k: ') || out.includes('\n')) throw new Fallback();
    valueCache.set(s, out);
  }
  return out;
}

function key(s: string): string {
  // The library writes an empty key in its explicit form; the document is left to it.
  if (s === '') throw new Fallback();
  let out = known(s) ?? keyCache.get(s);
  if (out === undefined) {
    // A multi-line key is the library's to lay out: the document falls back to it below.
    if (gathering !== undefined && !s.includes('\n')) {
      gathering.keys.add(s);
      gathering.count++;
      return GATHERED;
    }
    const full = Yaml.stringify({ [s]: 0 });
    if (!full.endsWith(': 0\n')) throw new Fallback();
    out = full.slice(0, -4);
    if (out.includes('\n')) throw new Fallback();
    keyCache.set(s, out);
  }
  return out;
}

function scalar(v: unknown): string | undefined {
  switch (typeof v) {
    case 'string': return scalarString(v);
    case 'boolean': return v ? 'true' : 'false';
    case 'number':
      if (!Number.isSafeInteger(v) || Object.is(v, -0)) throw new Fallback();
      return String(v);
    case 'object':
      if (v === null) throw new Fallback();
      return undefined;
    default:
      throw new Fallback();
  }
}

const isMap = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v) && Object.getPrototypeOf(v) === Object.prototype;

/** Writes the map's entries, each line at `indent` spaces. */
function writeMap(map: Record<string, unknown>, indent: string, out: string[], firstPrefix?: string): void {
  let first = true;
  for (const k of Object.keys(map)) {
    const v = map[k];
    if (v === undefined) throw new Fallback();
    const lead = first && firstPrefix !== undefined ? firstPrefix : indent;
    first = false;
    writeEntry(`${lead}${key(k)}:`, v, indent, out);
  }
}

/** Writes `head` (e.g. `  name:` or `  -`) followed by the value, nested at `indent` + 2. */
function writeEntry(head: string, v: unknown, indent: string, out: string[]): void {
  if (typeof v === 'string' && v.includes('\n')) {
    out.push(`${head} ${blockOrFallback(v, `${indent}  `)}\n`);
    return;
  }
  const s = scalar(v);
  if (s !== undefined) {
    out.push(`${head} ${s}\n`);
  } else if (Array.isArray(v)) {
    if (v.length === 0) out.push(`${head} []\n`);
    else {
      out.push(`${head}\n`);
      writeSeq(v, `${indent}  `, out);
    }
  } else if (isMap(v)) {
    if (Object.keys(v).length === 0) out.push(`${head} {}\n`);
    else {
      out.push(`${head}\n`);
      writeMap(v, `${indent}  `, out);
    }
  } else {
    throw new Fallback();
  }
}

function writeSeq(seq: readonly unknown[], indent: string, out: string[]): void {
  for (const item of seq) {
    if (typeof item === 'string' && item.includes('\n')) {
      out.push(`${indent}- ${blockOrFallback(item, `${indent}  `)}\n`);
      continue;
    }
    const s = scalar(item);
    if (s !== undefined) out.push(`${indent}- ${s}\n`);
    else if (isMap(item)) {
      if (Object.keys(item).length === 0) out.push(`${indent}- {}\n`);
      else writeMap(item, `${indent}  `, out, `${indent}- `);
    } else {
      // A list directly in a list, or an exotic value: rare in manifests; let the library lay it out.
      throw new Fallback();
    }
  }
}

// A multi-line string the library writes as a literal block without an indentation indicator: printable
// ASCII lines (tabs inside), the first not starting with a space, none holding only blanks, and at most one
// line break at the end (none: strip chomping '|-'; one: clip '|').
const LITERAL_BLOCK = /^(?:[\x21-\x7e][\t\x20-\x7e]*|)(?:\n(?:[\t\x20-\x7e]*[\x21-\x7e][\t\x20-\x7e]*|))*\n?$/;

/**
 * A multi-line string as the library writes it as a block map value or sequence item (with `|-` or `|`, its
 * lines at `contentIndent`, empty lines left empty), or undefined when only the library can tell (exported
 * for its property test against the library).
 */
export function literalBlock(s: string, contentIndent: string): string | undefined {
  if (!LITERAL_BLOCK.test(s) || s.startsWith('\n')) return undefined;
  const clip = s.endsWith('\n');
  const lines = (clip ? s.slice(0, -1) : s).split('\n');
  if (lines[lines.length - 1] === '') return undefined;
  return `|${clip ? '' : '-'}\n${lines.map(l => (l === '' ? '' : contentIndent + l)).join('\n')}`;
}

function blockOrFallback(s: string, contentIndent: string): string {
  const block = literalBlock(s, contentIndent);
  if (block === undefined) throw new Fallback();
  return block;
}

function stringifyDoc(doc: unknown): string | undefined {
  if (!isMap(doc) || Object.keys(doc).length === 0) return undefined;
  const out: string[] = [];
  try {
    writeMap(doc, '', out);
  } catch (e) {
    if (e instanceof Fallback) return undefined;
    throw e;
  }
  return out.join('');
}
