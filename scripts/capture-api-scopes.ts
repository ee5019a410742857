/**
 * `node tools/launcher/run.cjs scripts/capture-api-scopes.ts`: writes src/api-scopes.generated.ts, the scope
 * (Namespaced or Cluster) of every kind the collision check (src/collisions.ts) may meet, taken from data:
 *
 * - built-in kinds: the aggregated discovery documents (/api, /apis) of a throwaway control plane of the
 *   pinned Kubernetes release (tools/controlplane/), every API group and version it has (alpha and beta included);
 * - custom resources: `spec.scope` of every CustomResourceDefinition vendored in constructs/vendored/*.json, and of
 *   the Prometheus Operator CRDs kept as reference data (test/reference/prometheus-operator-<version>/), whose kinds
 *   the monitoring constructs render.
 *
 * Both scopes are kept, so a kind missing from the data is told apart from a namespaced one. The output is sorted
 * and holds no time or path of the run: a rerun on the same pins writes the same bytes. Rerun it after bumping
 * Kubernetes (test/cluster/api-scopes.test.ts fails until then) or re-vendoring CRDs (test/api-scopes.test.ts).
 */
import * as fs from 'node:fs';
import * as https from 'node:https';
import * as path from 'node:path';
import { parse, parseAllDocuments } from 'yaml';
import { findRepoRoot, startControlPlane, type ControlPlane } from '../tools/controlplane/controlplane';

export type Scope = 'Namespaced' | 'Cluster';
/** A kind's API group ('' for the core group), the kind, its scope. */
export type ScopeRow = readonly [group: string, kind: string, scope: Scope];
/** The scopes read from one file (or folder) of CustomResourceDefinitions, named relative to the repository. */
export interface CrdScopeSet {
  readonly file: string;
  readonly rows: readonly ScopeRow[];
}

export const GENERATED_FILE = 'src/api-scopes.generated.ts';
export const CAPTURE_COMMAND = 'node tools/launcher/run.cjs scripts/capture-api-scopes.ts';
/**
 * Every API group and version the release has, alpha and beta included, not only those served by default: an
 * object of a kind that is off by default is still one a user may render, and its scope must be known.
 */
export const ALL_APIS = ['--runtime-config=api/all=true'];

/** Plain code-unit order, the same on every machine and locale. */
function byGroupAndKind(a: ScopeRow, b: ScopeRow): number {
  const x = `${a[0]}\u0000${a[1]}`;
  const y = `${b[0]}\u0000${b[1]}`;
  return x < y ? -1 : x > y ? 1 : 0;
}

/** One row per group and kind; a kind two sources (or two versions) give different scopes is an error. */
function uniqueRows(rows: readonly ScopeRow[], where: string): ScopeRow[] {
  const seen = new Map<string, ScopeRow>();
  for (const row of rows) {
    const key = `${row[0]}/${row[1]}`;
    const before = seen.get(key);
    if (before && before[2] !== row[2]) throw new Error(`${where}: ${key} is both ${before[2]} and ${row[2]}`);
    seen.set(key, row);
  }
  return [...seen.values()].sort(byGroupAndKind);
}

// ---------------------------------------------------------------- built-in kinds, from discovery

/** The aggregated discovery document (apidiscovery.k8s.io/v2) of /api or /apis, as far as it is read here. */
interface GroupDiscoveryList {
  items: {
    metadata: { name?: string };
    versions: { version: string; resources: { resource: string; scope: Scope; responseKind: { group: string; kind: string } }[] }[];
  }[];
}

const AGGREGATED_DISCOVERY = 'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList';

/** Fetches a discovery document as the control plane's admin, with the credentials of its kubeconfig. */
type DiscoveryGet = (apiPath: '/api' | '/apis') => Promise<GroupDiscoveryList>;

export function discoveryGetter(cp: ControlPlane): DiscoveryGet {
  const config = parse(fs.readFileSync(cp.kubeconfig, 'utf8')) as {
    clusters: { cluster: { 'certificate-authority': string } }[];
    users: { user: { 'client-certificate': string; 'client-key': string } }[];
  };
  const tls = {
    ca: fs.readFileSync(config.clusters[0].cluster['certificate-authority']),
    cert: fs.readFileSync(config.users[0].user['client-certificate']),
    key: fs.readFileSync(config.users[0].user['client-key']),
  };
  return apiPath => new Promise((resolve, reject) => {
    const req = https.get(`${cp.server}${apiPath}`, { ...tls, headers: { accept: AGGREGATED_DISCOVERY }, timeout: 30_000 }, res => {
      let body = '';
      res.setEncoding('utf8').on('data', (c: string) => (body += c)).on('end', () => {
        const type = String(res.headers['content-type'] ?? '');
        if (res.statusCode !== 200 || !type.includes('apidiscovery.k8s.io')) reject(new Error(`GET ${apiPath}: ${res.statusCode} ${type} ${body.slice(0, 200)}`));
        else resolve(JSON.parse(body) as GroupDiscoveryList);
      });
    });
    req.on('timeout', () => req.destroy(new Error(`GET ${apiPath}: timeout`)));
    req.on('error', reject);
  });
}

/**
 * Every kind the API server serves, with its scope, from its aggregated discovery documents (/api for the core
 * group, /apis for the others): the resources of every served version, subresources left out.
 */
export async function discoverServedScopes(get: DiscoveryGet): Promise<ScopeRow[]> {
  const lists = await Promise.all([get('/api'), get('/apis')]);
  const rows = lists.flatMap(list => list.items.flatMap(group => group.versions.flatMap(v => v.resources.map(
    (r): ScopeRow => [group.metadata.name ?? '', r.responseKind.kind, r.scope],
  ))));
  const unknown = rows.find(r => r[2] !== 'Namespaced' && r[2] !== 'Cluster');
  if (unknown) throw new Error(`discovery: ${unknown[0]}/${unknown[1]} has scope ${String(unknown[2])}`);
  return uniqueRows(rows, 'discovery');
}

export async function serverVersion(cp: ControlPlane): Promise<string> {
  const v = JSON.parse((await cp.kubectl(['version', '-o', 'json'])).stdout) as { serverVersion?: { gitVersion?: string } };
  if (!v.serverVersion?.gitVersion) throw new Error('kubectl version printed no serverVersion.gitVersion');
  return v.serverVersion.gitVersion;
}

// ---------------------------------------------------------------- custom resources, from our CRDs

interface Crd {
  kind: string;
  spec?: { group?: string; scope?: string; names?: { kind?: string } };
}

function crdRows(objects: readonly unknown[], file: string): ScopeRow[] {
  const crds = (objects as Crd[]).filter(o => o && o.kind === 'CustomResourceDefinition');
  return uniqueRows(crds.map((c): ScopeRow => {
    const { group, scope, names } = c.spec ?? {};
    if (!group || !names?.kind || (scope !== 'Namespaced' && scope !== 'Cluster')) {
      throw new Error(`${file}: a CustomResourceDefinition without spec.group, spec.names.kind or a known spec.scope`);
    }
    return [group, names.kind, scope];
  }), file);
}

function yamlObjects(file: string): unknown[] {
  return parseAllDocuments(fs.readFileSync(file, 'utf8')).map(d => d.toJS() as unknown);
}

/**
 * The CRD sets whose scopes the data holds: each vendored set (constructs/vendored/*.json, the objects as the
 * constructs render them) and each Prometheus Operator reference folder, sorted by name.
 */
export function crdScopeSets(root = findRepoRoot()): CrdScopeSet[] {
  const vendored = path.join('constructs', 'vendored');
  const reference = path.join('test', 'reference');
  const sets: CrdScopeSet[] = fs.readdirSync(path.join(root, vendored)).filter(f => f.endsWith('.json')).map(f => {
    const file = path.posix.join('constructs/vendored', f);
    return { file, rows: crdRows(JSON.parse(fs.readFileSync(path.join(root, vendored, f), 'utf8')) as unknown[], file) };
  });
  for (const dir of fs.readdirSync(path.join(root, reference)).filter(d => d.startsWith('prometheus-operator-'))) {
    const files = fs.readdirSync(path.join(root, reference, dir)).filter(f => /\.ya?ml$/.test(f));
    const file = `test/reference/${dir}/`;
    sets.push({ file, rows: crdRows(files.flatMap(f => yamlObjects(path.join(root, reference, dir, f))), file) });
  }
  const sorted = sets.filter(s => s.rows.length > 0).sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : 0));
  uniqueRows(sorted.flatMap(s => s.rows), 'the CRD sets'); // no kind declared twice with two scopes
  return sorted;
}

// ---------------------------------------------------------------- the generated module

function rowLines(rows: readonly ScopeRow[], indent: string): string {
  return rows.map(r => `${indent}[${JSON.stringify(r[0])}, ${JSON.stringify(r[1])}, ${JSON.stringify(r[2])}],\n`).join('');
}

export function renderModule(version: string, builtIns: readonly ScopeRow[], crdSets: readonly CrdScopeSet[]): string {
  return [
    `// Generated by \`${CAPTURE_COMMAND}\`; do not edit.\n`,
    `// Built-in kinds: the aggregated discovery (/api, /apis) of Kubernetes ${version} built from source (tools/controlplane/),\n`,
    '// every API group and version the release has (--runtime-config=api/all=true), alpha and beta included. Custom resources: spec.scope of the CustomResourceDefinitions in the files named\n',
    '// below. Both scopes are listed, so a kind missing here is told apart from a namespaced one.\n',
    '\n',
    "/** A kind's API group ('' for the core group), the kind, its scope. */\n",
    "export type ApiScopeRow = readonly [group: string, kind: string, scope: 'Namespaced' | 'Cluster'];\n",
    '\n',
    '/** The Kubernetes release whose discovery the built-in rows come from. */\n',
    `export const KUBERNETES_VERSION = ${JSON.stringify(version)};\n`,
    '\n',
    `/** Every kind Kubernetes ${version} serves, by group and kind. */\n`,
    'export const BUILT_IN_API_SCOPES: readonly ApiScopeRow[] = [\n',
    rowLines(builtIns, '  '),
    '];\n',
    '\n',
    '/** The kinds of our CustomResourceDefinitions, by the file that declares them. */\n',
    'export const CRD_API_SCOPES: readonly { readonly file: string; readonly rows: readonly ApiScopeRow[] }[] = [\n',
    ...crdSets.map(s => `  {\n    file: ${JSON.stringify(s.file)},\n    rows: [\n${rowLines(s.rows, '      ')}    ],\n  },\n`),
    '];\n',
  ].join('');
}

function count(rows: readonly ScopeRow[], scope: Scope): number {
  return rows.filter(r => r[2] === scope).length;
}

export async function main(): Promise<number> {
  const started = Date.now();
  const root = findRepoRoot();
  const crdSets = crdScopeSets(root);
  const cp = await startControlPlane({ repoRoot: root, nodes: 0, apiServerFlags: ALL_APIS });
  let text: string;
  let builtIns: ScopeRow[];
  let version: string;
  try {
    version = await serverVersion(cp);
    builtIns = await discoverServedScopes(discoveryGetter(cp));
    text = renderModule(version, builtIns, crdSets);
  } finally {
    await cp.stop();
  }
  const file = path.join(root, GENERATED_FILE);
  const before = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : undefined;
  if (before !== text) fs.writeFileSync(file, text);
  const crds = crdSets.flatMap(s => s.rows);
  process.stdout.write(
    `${GENERATED_FILE} ${before === text ? 'unchanged' : 'written'}: Kubernetes ${version}, ${builtIns.length} built-in kinds `
      + `(${count(builtIns, 'Namespaced')} namespaced, ${count(builtIns, 'Cluster')} cluster-scoped), ${crds.length} custom resource kinds `
      + `from ${crdSets.length} CRD sets (${count(crds, 'Namespaced')} namespaced, ${count(crds, 'Cluster')} cluster-scoped) `
      + `in ${((Date.now() - started) / 1000).toFixed(1)} s\n`,
  );
  return 0;
}

// Run when executed directly (node on the bundle, or the launcher, which names the bundle scripts__capture-api-scopes.cjs).
const entry = path.basename(process.argv[1] ?? '');
// Not `require.main === module`: in a launcher bundle every bundled module is the main one.
if (/(^|__)capture-api-scopes\.(c?js|ts)$/.test(entry)) {
  main().then(
    code => {
      process.exitCode = code;
    },
    e => {
      process.stderr.write(`capture-api-scopes: ${(e as Error).stack ?? e}\n`);
      process.exitCode = 1;
    },
  );
}
