// Each props table against its props interface, read with the TypeScript compiler: a field's `@default` literal
// (or the exported constant it names) is the table's default, a field the table gives no default says
// `@default - ...`, and a required field has a required row. The doc and the row sit side by side and cannot drift.
import * as fs from 'fs';
import * as path from 'path';
import { isDeepStrictEqual } from 'util';
import * as ts from 'typescript';
import { describe, expect, test } from 'vitest';
import * as api from '../index';
import { OptionalPropRow, PropSpec, propSpecs } from '../src/props';
import { Problems, show } from '../src/validation';
import { ROOT } from './util';

type Row = OptionalPropRow<unknown> & { readonly required?: true };

interface Field {
  readonly name: string;
  readonly optional: boolean;
  /** The text of its `@default` tag, when it has one. */
  readonly doc?: string;
}

/** Every exported interface of the library, by name. */
function interfaces(): Map<string, { decl: ts.InterfaceDeclaration; sf: ts.SourceFile }> {
  const out = new Map<string, { decl: ts.InterfaceDeclaration; sf: ts.SourceFile }>();
  const walk = (dir: string) => {
    for (const e of fs.readdirSync(path.join(ROOT, dir), { withFileTypes: true })) {
      const rel = `${dir}/${e.name}`;
      if (e.isDirectory()) walk(rel);
      else if (e.name.endsWith('.ts')) {
        const sf = ts.createSourceFile(rel, fs.readFileSync(path.join(ROOT, rel), 'utf8'), ts.ScriptTarget.ES2022, true);
        for (const s of sf.statements) if (ts.isInterfaceDeclaration(s)) out.set(s.name.text, { decl: s, sf });
      }
    }
  };
  for (const dir of ['constructs', 'app', 'src']) walk(dir);
  return out;
}

const INTERFACES = interfaces();

function defaultTag(m: ts.PropertySignature, sf: ts.SourceFile): string | undefined {
  const tag = ts.getJSDocTags(m).find(t => t.tagName.text === 'default');
  if (!tag) return undefined;
  const c = tag.comment;
  return (typeof c === 'string' ? c : (c ?? []).map(x => x.getText(sf)).join('')).replace(/\s+/g, ' ').trim();
}

/** The fields of an interface, inherited ones included (`extends X`, `extends Omit<X, 'a' | 'b'>`). */
function fields(name: string): Field[] {
  const found = INTERFACES.get(name);
  if (!found) throw new Error(`no interface ${name}`);
  const { decl, sf } = found;
  const inherited = (decl.heritageClauses ?? []).flatMap(h => h.types).flatMap(t => {
    const base = t.expression.getText(sf);
    if (base !== 'Omit') return fields(base);
    const [of, omitted] = t.typeArguments!;
    const left = new Set(omitted.getText(sf).split('|').map(s => s.trim().replace(/^'|'$/g, '')));
    return fields(of.getText(sf)).filter(f => !left.has(f.name));
  });
  const own = decl.members.filter(ts.isPropertySignature).map(m => ({ name: m.name.getText(sf), optional: m.questionToken !== undefined, doc: defaultTag(m, sf) }));
  return [...inherited, ...own];
}

/**
 * The value a `@default` starts with: a literal ('x', 1, -1, true, [..], { .. }) or the name of a constant the package
 * exports. `undefined` for a description (`- ...`).
 */
function documentedDefault(doc: string): { value: unknown } | undefined {
  if (/^-(\s|$)/.test(doc)) return undefined;
  const scanner = ts.createScanner(ts.ScriptTarget.ES2022, true, ts.LanguageVariant.Standard, doc);
  let depth = 0;
  let end = 0;
  do {
    const token = scanner.scan();
    if (token === ts.SyntaxKind.EndOfFileToken) break;
    if (token === ts.SyntaxKind.OpenBracketToken || token === ts.SyntaxKind.OpenBraceToken) depth++;
    if (token === ts.SyntaxKind.CloseBracketToken || token === ts.SyntaxKind.CloseBraceToken) depth--;
    end = scanner.getTokenEnd();
  } while (depth > 0 || scanner.getToken() === ts.SyntaxKind.MinusToken);
  const text = doc.slice(0, end);
  const rest = doc.slice(end).trim();
  if (rest !== '' && !rest.startsWith('(')) throw new Error(`"@default ${doc}" is neither a literal, an exported constant nor "- ..." (a remark after a literal goes in parentheses)`);
  const sf = ts.createSourceFile('default.ts', `(${text})`, ts.ScriptTarget.ES2022, true);
  const stmt = sf.statements[0];
  if (sf.statements.length !== 1 || !ts.isExpressionStatement(stmt)) throw new Error(`"@default ${doc}" is neither a literal nor "- ..."`);
  return { value: evaluate((stmt.expression as ts.ParenthesizedExpression).expression, doc) };
}

function evaluate(e: ts.Expression, doc: string): unknown {
  if (ts.isStringLiteral(e) || ts.isNoSubstitutionTemplateLiteral(e)) return e.text;
  if (ts.isNumericLiteral(e)) return Number(e.text);
  if (ts.isPrefixUnaryExpression(e) && e.operator === ts.SyntaxKind.MinusToken) return -(evaluate(e.operand, doc) as number);
  if (e.kind === ts.SyntaxKind.TrueKeyword) return true;
  if (e.kind === ts.SyntaxKind.FalseKeyword) return false;
  if (ts.isArrayLiteralExpression(e)) return e.elements.map(x => evaluate(x, doc));
  if (ts.isObjectLiteralExpression(e)) {
    return Object.fromEntries(e.properties.map(p => {
      if (!ts.isPropertyAssignment(p)) throw new Error(`"@default ${doc}": only key: value pairs in an object`);
      return [ts.isStringLiteral(p.name) ? p.name.text : p.name.getText(), evaluate(p.initializer, doc)];
    }));
  }
  if (ts.isIdentifier(e) && Object.hasOwn(api, e.text)) return (api as Record<string, unknown>)[e.text];
  throw new Error(`"@default ${doc}" is neither a literal, an exported constant nor "- ..."`);
}

/** The props interface of a spec: `XProps` for construct `X`, `XStackProps` for `addXStack`. */
function interfaceOf(spec: PropSpec<unknown, unknown>): string {
  return `${spec.kind.replace(/^add/, '')}Props`;
}

const SPECS = new Map(propSpecs().map(s => [s.kind, s]));

/** The row that holds a prop's default: its own, or the one of the construct it is handed on to. */
function rowOf(spec: PropSpec<unknown, unknown>, name: string): Row {
  const row = (spec.rows as Record<string, Row>)[name];
  if (row.forwardedTo === undefined) return row;
  const target = SPECS.get(row.forwardedTo);
  if (!target) throw new Error(`${spec.kind}.${name} is forwarded to ${row.forwardedTo}, which has no props table`);
  return rowOf(target, name);
}

/** Where a field's doc and its row disagree, one line each. */
function drift(spec: PropSpec<unknown, unknown>): string[] {
  const out: string[] = [];
  const docs = fields(interfaceOf(spec));
  for (const f of docs) {
    const where = `${interfaceOf(spec)}.${f.name}`;
    const row = rowOf(spec, f.name);
    if (!f.optional) {
      if (!row.required) out.push(`${where} is required, its row is not { required: true }`);
      continue;
    }
    if (f.doc === undefined) {
      out.push(`${where} has no @default`);
      continue;
    }
    const documented = documentedDefault(f.doc);
    if (documented === undefined) {
      // A description may tell a default the table applies, or one the construct derives; two kinds can be held to it.
      const described = /^- (\w+)/.exec(f.doc)?.[1];
      const empty = (v: unknown) => v === undefined || (Array.isArray(v) ? v.length === 0 : typeof v === 'object' && v !== null && Object.keys(v).length === 0);
      if (described === 'none' && !empty(row.default)) out.push(`${where} says @default ${f.doc}, its row's default is ${show(row.default)}`);
      if (described !== undefined && /^[A-Z][A-Z0-9_]+$/.test(described) && 'default' in row && !isDeepStrictEqual((api as Record<string, unknown>)[described], row.default)) {
        out.push(`${where} says @default ${f.doc}, its row's default is ${show(row.default)}`);
      }
      continue;
    }
    if (!('default' in row)) out.push(`${where} says @default ${f.doc}, its row has no default (say "@default - ..." for one the construct derives)`);
    else if (!isDeepStrictEqual(documented.value, row.default)) out.push(`${where} says @default ${f.doc}, its row's default is ${show(row.default)}`);
  }
  const documented = new Set(docs.map(f => f.name));
  for (const name of spec.names) if (!documented.has(name)) out.push(`${interfaceOf(spec)} has no field ${name}, its table has a row for it`);
  return out;
}

describe('every props table agrees with its props interface', () => {
  test('the props tables are those of the constructs and stacks the package exports', () => {
    const tables = [...SPECS.keys()].sort();
    const exported = Object.keys(api).filter(k => INTERFACES.has(`${k}Props`) && (typeof (api as Record<string, unknown>)[k] === 'function'))
      .concat(Object.keys(api).filter(k => /^add\w+Stack$/.test(k)))
      .sort();
    expect(tables).toEqual(exported);
  });

  test.each([...SPECS.values()].map(s => [s.kind, s] as const))('%s: each @default is its row\'s default', (_kind, spec) => {
    expect(drift(spec)).toEqual([]);
  });

  test.each([...SPECS.values()].map(s => [s.kind, s] as const))('%s: each default passes its own check', (_kind, spec) => {
    const p = new Problems(spec.kind);
    for (const [name, row] of Object.entries(spec.rows as Record<string, Row>)) if ('default' in row && row.check) row.check(p, name, row.default);
    expect(() => p.throwIfAny()).not.toThrow();
  });
});

describe('the doc reader', () => {
  const spec = {
    kind: 'Example', names: ['name', 'count', 'list', 'id'], rows: { name: { default: 'x' }, count: {}, list: { default: ['a'] }, id: {} },
  } as unknown as PropSpec<unknown, unknown>;

  test('reads literals, exported constants and descriptions', () => {
    expect(documentedDefault("'ubuntu-dev'")).toEqual({ value: 'ubuntu-dev' });
    expect(documentedDefault("[{ port: 8099, targetPort: 3000, protocol: 'TCP' }]")).toEqual({ value: [{ port: 8099, targetPort: 3000, protocol: 'TCP' }] });
    expect(documentedDefault("{ release: 'kube-prometheus-stack' } (what kube-prometheus-stack's Prometheus selects)")).toEqual({ value: { release: 'kube-prometheus-stack' } });
    expect(documentedDefault('-1')).toEqual({ value: -1 });
    expect(documentedDefault('false (upstream runs sandboxes in `default`, unisolated)')).toEqual({ value: false });
    expect(documentedDefault('SERVER_NAMESPACE')).toEqual({ value: api.SERVER_NAMESPACE });
    expect(documentedDefault('- none')).toBeUndefined();
    expect(() => documentedDefault('none')).toThrow(/neither a literal, an exported constant nor "- \.\.\."/);
  });

  test('a @default that differs from the row, a literal the row does not have, "- none" over a default, are reported', () => {
    INTERFACES.set('ExampleProps', parseInterface(`export interface ExampleProps {
      /** @default 'y' */
      readonly name?: string;
      /** @default 3 */
      readonly count?: number;
      /** @default - none */
      readonly list?: readonly string[];
      /** The id. */
      readonly id: string;
    }`));
    expect(drift(spec)).toEqual([
      'ExampleProps.name says @default \'y\', its row\'s default is "x"',
      'ExampleProps.count says @default 3, its row has no default (say "@default - ..." for one the construct derives)',
      'ExampleProps.list says @default - none, its row\'s default is ["a"]',
      'ExampleProps.id is required, its row is not { required: true }',
    ]);
    INTERFACES.delete('ExampleProps');
  });
});

function parseInterface(text: string): { decl: ts.InterfaceDeclaration; sf: ts.SourceFile } {
  const sf = ts.createSourceFile('example.ts', text, ts.ScriptTarget.ES2022, true);
  return { decl: sf.statements[0] as ts.InterfaceDeclaration, sf };
}
