/**
 * "A second apply changes nothing", judged on what the applier owns.
 *
 * `kubectl diff --server-side` compares the live object with a dry-run apply read a moment later, whole: a
 * controller that moves a Job's or a Deployment's status between the two reads shows up as a change although
 * the apply changes nothing. Here each object is compared only on the fields its field manager owns (the
 * `fieldsV1` set of its Apply entry in `managedFields`): the live values against the dry-run's, plus the owned
 * set itself (an apply that would take or drop a field is a change too). Status, which an applier never owns,
 * is never compared.
 */
import type { ControlPlane } from './controlplane';

/** One object a second apply would change, and the owned fields that differ. */
export interface ApplyChange {
  readonly object: string;
  readonly fields: readonly string[];
}

type Json = any;
interface FieldSet { readonly [key: string]: FieldSet }

/** The owned fields of `manager`'s Apply entry, or undefined when it owns none. */
export function ownedFields(object: Json, manager: string): FieldSet | undefined {
  const entry = (object?.metadata?.managedFields ?? []).find((m: Json) => m.manager === manager && m.operation === 'Apply');
  return entry?.fieldsV1;
}

/**
 * The paths (`spec.template.spec.containers[name=x].image`) whose values differ between `a` and `b`, walking
 * only the owned set: `f:name` a field, `k:{...}` a list item by its keys, `v:...` a set member, `i:N` an index.
 */
export function ownedDifferences(a: Json, b: Json, fields: FieldSet, at = ''): string[] {
  const keys = Object.keys(fields).filter(k => k !== '.');
  if (keys.length === 0) return JSON.stringify(a) === JSON.stringify(b) ? [] : [at || '.'];
  return keys.flatMap(k => {
    const sub = fields[k];
    if (k.startsWith('f:')) return ownedDifferences(a?.[k.slice(2)], b?.[k.slice(2)], sub, at ? `${at}.${k.slice(2)}` : k.slice(2));
    if (k.startsWith('k:')) {
      const want = JSON.parse(k.slice(2)) as Record<string, unknown>;
      const find = (list: Json) => (Array.isArray(list) ? list : []).find(item => Object.entries(want).every(([n, v]) => JSON.stringify(item?.[n]) === JSON.stringify(v)));
      return ownedDifferences(find(a), find(b), sub, `${at}[${Object.entries(want).map(([n, v]) => `${n}=${v}`).join(',')}]`);
    }
    if (k.startsWith('v:')) {
      const value = k.slice(2);
      const has = (list: Json) => (Array.isArray(list) ? list : []).some(item => JSON.stringify(item) === value);
      return has(a) === has(b) ? [] : [`${at}[${value}]`];
    }
    if (k.startsWith('i:')) {
      const i = Number(k.slice(2));
      return ownedDifferences(a?.[i], b?.[i], sub, `${at}[${i}]`);
    }
    return [`${at}: unknown managedFields key ${k}`];
  });
}

function label(o: Json): string {
  return `${o.kind} ${o.metadata?.namespace ? `${o.metadata.namespace}/` : ''}${o.metadata?.name}`;
}

function items(stdout: string): Json[] {
  const parsed = JSON.parse(stdout);
  return parsed.kind === 'List' ? parsed.items : [parsed];
}

/** What a second server-side apply of `files` by `manager` would change, on the fields it owns. */
export async function secondApplyChanges(cp: Pick<ControlPlane, 'kubectl'>, files: readonly string[], manager: string): Promise<ApplyChange[]> {
  const args = files.flatMap(f => ['-f', f]);
  const dry = await cp.kubectl(['apply', '--server-side', `--field-manager=${manager}`, '--dry-run=server', '--show-managed-fields', '-o', 'json', ...args], { timeoutMs: 180_000, allowFail: true });
  // Another writer took a field we own: the second apply would fail on the conflict, which is a change too.
  if (dry.code !== 0) return [{ object: '(apply refused)', fields: dry.stderr.split('\n').filter(l => /conflict/i.test(l)).map(l => l.trim()) }];
  const live = await cp.kubectl(['get', '--show-managed-fields', '-o', 'json', ...args], { timeoutMs: 180_000 });
  const liveByLabel = new Map(items(live.stdout).map(o => [label(o), o]));
  return items(dry.stdout).flatMap(after => {
    const before = liveByLabel.get(label(after));
    if (before === undefined) return [{ object: label(after), fields: ['(not found live)'] }];
    // An object whose manifest sets nothing beyond its name (a bare Namespace) leaves its applier no entry at all.
    const owned = ownedFields(before, manager);
    const fields = owned === undefined ? [] : ownedDifferences(before, after, owned);
    if (JSON.stringify(owned) !== JSON.stringify(ownedFields(after, manager))) fields.push('(owned field set)');
    return fields.length > 0 ? [{ object: label(after), fields }] : [];
  });
}
