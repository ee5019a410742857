import * as fs from 'fs';
import { ApiObject, ApiObjectProps, JsonPatch } from 'cdk8s';
import { Construct } from 'constructs';
import { vendoredFile } from './vendored-data';

/**
 * A large, fixed manifest (a CustomResourceDefinition) vendored with the YAML cdk8s would write for it
 * (see tools/crds/vendor-crds.ts; the CRD tests check `yaml` against cdk8s itself).
 */
export interface PrerenderedManifest {
  readonly apiVersion: string;
  readonly kind: string;
  /** The object's metadata as cdk8s renders it (keys sorted, empty values dropped). */
  readonly metadata: Readonly<Record<string, unknown>>;
  /** The other top-level fields' names (e.g. `['spec']`), so they can be offered before the body is loaded. */
  readonly bodyKeys: readonly string[];
  /** Loads those fields (keys sorted); called at most once per object, when something reads them. */
  readonly body: () => Readonly<Record<string, unknown>>;
  /**
   * What cdk8s's `Yaml.stringify` writes for the object's `toJson()`, as UTF-8 bytes (never changed).
   * @internal a Node.js Buffer read from the vendored file, not part of the package's types
   */
  readonly bytes: Buffer;
}

/** The YAML, as bytes, of documents that `PrerenderedApiObject.toJson()` returned untouched. */
const PRERENDERED = new WeakMap<object, Buffer>();

/**
 * The YAML cdk8s would write for `doc` (UTF-8), when it is an untouched prerendered object's JSON; else undefined.
 * @internal for the YAML writer
 */
export function prerenderedBytes(doc: unknown): Buffer | undefined {
  return typeof doc === 'object' && doc !== null ? PRERENDERED.get(doc) : undefined;
}

/**
 * An `ApiObject` for a vendored manifest of hundreds of kilobytes, cheap to synthesize: the body is loaded
 * only when something reads it, and the YAML writers (`manifestParts`, `stringifyManifests`) use the vendored
 * YAML bytes instead of rendering it again. This stays an ordinary cdk8s object: `toJson()` returns the full manifest (the
 * body behind getters), and once a JSON patch is added or the metadata differs from the vendored one (a chart's
 * namespace or labels, `metadata.addLabel`), it is rendered by `ApiObject` itself, patches applied, and written
 * as any other object.
 */
export class PrerenderedApiObject extends ApiObject {
  private readonly manifest: PrerenderedManifest;
  private patched = false;

  constructor(scope: Construct, id: string, manifest: PrerenderedManifest) {
    super(scope, id, lazyManifest(manifest));
    this.manifest = manifest;
  }

  public addJsonPatch(...ops: JsonPatch[]): void {
    this.patched = true;
    super.addJsonPatch(...ops);
  }

  public toJson(): any {
    // cdk8s sorts keys unless told not to; the vendored text is the sorted rendering.
    const sorted = !process.env.CDK8S_DISABLE_SORT;
    if (this.patched || !sorted || canonical(this.metadata.toJson()) !== canonical(this.manifest.metadata)) return super.toJson();
    const doc = lazyManifest(this.manifest);
    PRERENDERED.set(doc, this.manifest.bytes);
    return doc;
  }
}

/** The manifest as a plain object whose body fields load on first read. */
function lazyManifest(m: PrerenderedManifest): ApiObjectProps & Record<string, any> {
  let body: Readonly<Record<string, unknown>> | undefined;
  // A copy per document, so a consumer editing one cannot change the vendored data or another document.
  const parsed = () => (body ??= structuredClone(m.body()));
  const doc: ApiObjectProps & Record<string, any> = { apiVersion: m.apiVersion, kind: m.kind, metadata: structuredClone(m.metadata) };
  for (const key of m.bodyKeys) {
    Object.defineProperty(doc, key, { enumerable: true, configurable: true, get: () => parsed()[key] });
  }
  return doc;
}

/** JSON with keys sorted at every level and undefined values dropped: equal metadata, equal text. */
function canonical(v: unknown): string {
  return JSON.stringify(v, (_k, x) => (x && typeof x === 'object' && !Array.isArray(x)
    ? Object.fromEntries(Object.keys(x).sort().filter(k => x[k] !== undefined).map(k => [k, x[k]]))
    : x));
}

/** One object of a vendored set, as its index module lists it (the YAML and JSON live in constructs/vendored/). */
export type VendoredObject = Omit<PrerenderedManifest, 'body' | 'bytes'>;

/** A vendored set: its index, and its two files in constructs/vendored/. */
export interface VendoredSet {
  /** The objects' YAML as cdk8s writes it, joined with `---` lines (the text of a chart holding just them). */
  readonly yamlFile: string;
  /** The objects as a JSON array, each as cdk8s renders it. */
  readonly jsonFile: string;
  readonly objects: readonly VendoredObject[];
}

const loaded = new Map<string, readonly PrerenderedManifest[]>();

const SEPARATOR = Buffer.from('\n---\n');
const MARKER_AT_START = Buffer.from('---\n');

/**
 * The YAML documents of a file's bytes, as views of them: `text.split(/^---\n/m)` for bytes. A megabyte of
 * CRDs is never decoded to a string (the output folder gets these very bytes), and no regular expression runs.
 * @internal
 */
export function splitDocuments(bytes: Buffer): Buffer[] {
  const docs: Buffer[] = [];
  let start = 0;
  if (bytes.subarray(0, 4).equals(MARKER_AT_START)) {
    docs.push(bytes.subarray(0, 0));
    start = 4;
  }
  // From the line break before `start`, so that a separator right at `start` (an empty document) is found.
  for (let at = bytes.indexOf(SEPARATOR, Math.max(start - 1, 0)); at !== -1; at = bytes.indexOf(SEPARATOR, start - 1)) {
    docs.push(bytes.subarray(start, at + 1));
    start = at + 5;
  }
  docs.push(bytes.subarray(start));
  return docs;
}

/**
 * The set's manifests: the YAML bytes are read now (a millisecond), the JSON only when a body is first read.
 * @internal for the CRD constructs
 */
export function loadVendoredSet(set: VendoredSet): readonly PrerenderedManifest[] {
  let out = loaded.get(set.yamlFile);
  if (out) return out;
  const yamls = splitDocuments(fs.readFileSync(vendoredFile(set.yamlFile)));
  if (yamls.length !== set.objects.length) throw new Error(`local-hands: ${set.yamlFile} holds ${yamls.length} documents, its index ${set.objects.length}`);
  let docs: Record<string, unknown>[] | undefined;
  const all = () => (docs ??= JSON.parse(fs.readFileSync(vendoredFile(set.jsonFile), 'utf8')) as Record<string, unknown>[]);
  out = set.objects.map((o, i) => ({
    ...o,
    bytes: yamls[i],
    body: () => Object.fromEntries(o.bodyKeys.map(k => [k, all()[i][k]])),
  }));
  loaded.set(set.yamlFile, out);
  return out;
}
