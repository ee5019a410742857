import * as fs from 'fs';
import { TomlError, parse as parseToml } from 'smol-toml';
import { parse as parseYaml, stringify as stringifyYaml } from 'yaml';
import { parseQuantity } from './quantity';
import { checkAmount, checkRequestWithinLimit } from './resources';
import { Toleration } from './types';
import { errCode, osReason } from './os-errors';
import { LocalHandsValidationError, Problems, isDnsSubdomain, isPlainObject, show } from './validation';

/**
 * The `[kubernetes]` section of an OpenHands `config.toml`: what shapes the objects the Kubernetes
 * runtime creates for each conversation. Field names are camelCase versions of the TOML keys.
 */
export interface KubernetesConfig {
  /** `namespace`: where sandbox objects are created. @default 'default' */
  readonly namespace: string;
  /** `ingress_domain`: VS Code is served at `<sid>.<ingressDomain>`. @default 'localhost' */
  readonly ingressDomain: string;
  /** `pvc_storage_size`: size of the workspace volume claim. @default '2Gi' */
  readonly pvcStorageSize: string;
  /** `pvc_storage_class`: storage class of the claim. @default - unset: the cluster's default class */
  readonly pvcStorageClass?: string;
  /** `resource_cpu_request`. @default '1' */
  readonly resourceCpuRequest: string;
  /** `resource_memory_request`. @default '1Gi' */
  readonly resourceMemoryRequest: string;
  /** `resource_memory_limit`. @default '2Gi' */
  readonly resourceMemoryLimit: string;
  /** `image_pull_secret`: Secret for pulling the runtime image. @default - none */
  readonly imagePullSecret?: string;
  /** `ingress_tls_secret`: TLS Secret for the VS Code Ingress. @default - none (plain HTTP) */
  readonly ingressTlsSecret?: string;
  /** `node_selector_key` and `node_selector_val`, which come as a pair. @default - none */
  readonly nodeSelector?: { readonly key: string; readonly value: string };
  /** `tolerations_yaml`, parsed: a YAML list of tolerations. @default - none */
  readonly tolerations?: readonly Toleration[];
  /** `privileged`: run the sandbox container privileged (docker-in-docker). @default false */
  readonly privileged: boolean;
}

/** The documented defaults of `config.template.toml`'s `[kubernetes]` section. */
export const DEFAULT_KUBERNETES_CONFIG: KubernetesConfig = {
  namespace: 'default',
  ingressDomain: 'localhost',
  pvcStorageSize: '2Gi',
  resourceCpuRequest: '1',
  resourceMemoryRequest: '1Gi',
  resourceMemoryLimit: '2Gi',
  privileged: false,
};

/**
 * VS Code is served at `<sid>.<ingress_domain>`, which the Ingress needs to be a DNS name of at most 253
 * characters; a session id has at most 32, so the domain may have 220.
 */
export const MAX_INGRESS_DOMAIN_LENGTH = 253 - 1 - 32;
const INGRESS_DOMAIN_ALLOWED = `a DNS name of at most ${MAX_INGRESS_DOMAIN_LENGTH} characters such as "localhost" or "sandbox.example.com" (VS Code is served at "<sid>.<ingress_domain>", at most 253)`;

type Kind = 'string' | 'optional string' | 'quantity' | 'boolean';

/** Every key upstream's KubernetesConfig model accepts; like upstream (extra = 'forbid'), others are refused. */
const KEYS: Readonly<Record<string, Kind>> = {
  namespace: 'string',
  ingress_domain: 'string',
  pvc_storage_size: 'quantity',
  pvc_storage_class: 'optional string',
  resource_cpu_request: 'quantity',
  resource_memory_request: 'quantity',
  resource_memory_limit: 'quantity',
  image_pull_secret: 'optional string',
  ingress_tls_secret: 'optional string',
  node_selector_key: 'optional string',
  node_selector_val: 'optional string',
  tolerations_yaml: 'optional string',
  privileged: 'boolean',
};

/**
 * The `[kubernetes]` section as TOML, the inverse of `parseKubernetesConfig`: every key the config sets, in upstream's
 * order (the model's defaults written out, so the file says what the server runs with). Reading it back gives `config`.
 */
export function kubernetesConfigToml(config: KubernetesConfig): string {
  const c = config;
  const values: [string, unknown][] = [
    ['namespace', c.namespace],
    ['ingress_domain', c.ingressDomain],
    ['pvc_storage_size', c.pvcStorageSize],
    ['pvc_storage_class', c.pvcStorageClass],
    ['resource_cpu_request', c.resourceCpuRequest],
    ['resource_memory_request', c.resourceMemoryRequest],
    ['resource_memory_limit', c.resourceMemoryLimit],
    ['image_pull_secret', c.imagePullSecret],
    ['ingress_tls_secret', c.ingressTlsSecret],
    ['node_selector_key', c.nodeSelector?.key],
    ['node_selector_val', c.nodeSelector?.value],
    ['tolerations_yaml', c.tolerations && stringifyYaml(c.tolerations.map(tolerationEntry))],
    ['privileged', c.privileged],
  ];
  const lines = values.filter(([, v]) => v !== undefined).map(([k, v]) => `${k} = ${tomlValue(v as string | boolean)}`);
  return `[kubernetes]\n${lines.join('\n')}\n`;
}

/**
 * A TOML string or boolean. JSON's string escapes (quote, backslash, n, t, uXXXX, ...) are all TOML basic-string escapes,
 * except that JSON leaves DEL (U+007F) raw, which TOML refuses.
 */
export function tomlValue(v: string | boolean): string {
  return typeof v === 'boolean' ? String(v) : JSON.stringify(v).replace(/\x7f/g, '\\u007f');
}

/** A toleration under upstream's snake_case names, as `tolerations_yaml` carries it. */
function tolerationEntry(t: Toleration): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [snake, camel] of Object.entries(TOLERATION_FIELDS)) if (t[camel] !== undefined) out[snake] = t[camel];
  return out;
}

/** Upstream builds each toleration with `V1Toleration(**entry)`, so entries use its snake_case names. */
const TOLERATION_FIELDS: Readonly<Record<string, keyof Toleration>> = {
  key: 'key',
  operator: 'operator',
  value: 'value',
  effect: 'effect',
  toleration_seconds: 'tolerationSeconds',
};

/**
 * Reads the `[kubernetes]` section of the OpenHands config file at `file` (for TOML text in hand, use
 * `parseKubernetesConfig`). A missing section means all defaults. A file that cannot be read, and bad values,
 * throw a `LocalHandsValidationError` naming the file, the key, the value and what is allowed.
 */
export function loadKubernetesConfig(file: string): KubernetesConfig {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    const hint = /\n/.test(file) ? ' (this looks like TOML text: pass it to parseKubernetesConfig)' : '';
    const reason = errCode(e) === 'EISDIR' ? 'it is a folder, not a file' : osReason(e);
    throw new LocalHandsValidationError(show(file), [`cannot read the config file: ${reason}${hint}`]);
  }
  return parseKubernetesConfig(text, file);
}

/** Parses TOML text; `where` names it in errors. */
export function parseKubernetesConfig(text: string, where = '<config text>'): KubernetesConfig {
  let doc: Record<string, unknown>;
  try {
    doc = parseToml(text) as Record<string, unknown>;
  } catch (e) {
    const t = e as TomlError;
    const at = t.line !== undefined ? ` at line ${t.line}, column ${t.column}` : '';
    throw new LocalHandsValidationError(where, [`is not valid TOML${at}: ${t.message.split('\n')[0]}`]);
  }
  const p = new Problems(where);
  const section = doc.kubernetes;
  if (section === undefined) return DEFAULT_KUBERNETES_CONFIG;
  if (!isPlainObject(section)) {
    p.add('[kubernetes]', section, 'a table');
    p.throwIfAny();
  }
  const raw = section as Record<string, unknown>;
  const f = (key: string) => `[kubernetes] ${key}`;

  for (const key of Object.keys(raw)) {
    // Own keys only: `constructor` or `toString` are names every object inherits, not [kubernetes] keys.
    if (!Object.hasOwn(KEYS, key)) p.add(f(key), raw[key], `absent: not a [kubernetes] key (known: ${Object.keys(KEYS).join(', ')})`);
  }
  const value = (key: string): any => {
    const v = raw[key];
    switch (KEYS[key]) {
      case 'boolean':
        return v === undefined || p.check(typeof v === 'boolean', f(key), v, 'true or false') ? v : undefined;
      case 'quantity':
        // TOML has numbers; Kubernetes quantities are strings, and upstream's model expects one.
        if (typeof v === 'number') return p.add(f(key), v, `a Kubernetes quantity as a string: quote it, ${key} = "${v}"`) || undefined;
        return v === undefined || checkAmount(p, f(key), v) ? v : undefined;
      default:
        if (v === undefined) return undefined;
        if (!p.check(typeof v === 'string', f(key), v, 'a string')) return undefined;
        // The template documents `""` for the optional keys, and upstream treats an empty string as unset.
        return KEYS[key] === 'optional string' && v === '' ? undefined : v;
    }
  };
  const d = DEFAULT_KUBERNETES_CONFIG;
  const namespace = value('namespace') ?? d.namespace;
  p.dnsLabel(f('namespace'), namespace);
  const ingressDomain = value('ingress_domain') ?? d.ingressDomain;
  p.check(isIngressDomain(ingressDomain), f('ingress_domain'), ingressDomain, INGRESS_DOMAIN_ALLOWED);
  const pvcStorageClass = value('pvc_storage_class');
  if (pvcStorageClass !== undefined) p.dnsSubdomain(f('pvc_storage_class'), pvcStorageClass);
  const imagePullSecret = value('image_pull_secret');
  if (imagePullSecret !== undefined) p.dnsSubdomain(f('image_pull_secret'), imagePullSecret);
  const ingressTlsSecret = value('ingress_tls_secret');
  if (ingressTlsSecret !== undefined) p.dnsSubdomain(f('ingress_tls_secret'), ingressTlsSecret);

  const nodeSelector = readNodeSelector(p, value('node_selector_key'), value('node_selector_val'));

  const tolerationsYaml = value('tolerations_yaml');
  const tolerations = tolerationsYaml === undefined ? undefined : parseTolerations(p, tolerationsYaml);

  const pvcStorageSize = value('pvc_storage_size') ?? d.pvcStorageSize;
  const resourceCpuRequest = value('resource_cpu_request') ?? d.resourceCpuRequest;
  const resourceMemoryRequest = value('resource_memory_request') ?? d.resourceMemoryRequest;
  const resourceMemoryLimit = value('resource_memory_limit') ?? d.resourceMemoryLimit;
  const privileged = value('privileged') ?? d.privileged;
  checkAmounts(p, f, { pvcStorageSize: 'pvc_storage_size', resourceMemoryRequest: 'resource_memory_request', resourceMemoryLimit: 'resource_memory_limit' },
    { pvcStorageSize, resourceMemoryRequest, resourceMemoryLimit });

  p.throwIfAny();
  return {
    namespace,
    ingressDomain,
    pvcStorageSize,
    ...(pvcStorageClass !== undefined ? { pvcStorageClass } : {}),
    resourceCpuRequest,
    resourceMemoryRequest,
    resourceMemoryLimit,
    ...(imagePullSecret !== undefined ? { imagePullSecret } : {}),
    ...(ingressTlsSecret !== undefined ? { ingressTlsSecret } : {}),
    ...(nodeSelector ? { nodeSelector } : {}),
    ...(tolerations ? { tolerations } : {}),
    privileged,
  };
}

/** `node_selector_key` and `node_selector_val` come as a pair, and make one node-selector label. */
function readNodeSelector(p: Problems, key: string | undefined, val: string | undefined): KubernetesConfig['nodeSelector'] {
  if ((key === undefined) !== (val === undefined)) {
    p.addRaw(key === undefined
      ? `[kubernetes] node_selector_val is set (${show(val)}) but node_selector_key is not: set both or neither`
      : `[kubernetes] node_selector_key is set (${show(key)}) but node_selector_val is not: set both or neither`);
    return undefined;
  }
  if (key === undefined || val === undefined) return undefined;
  return p.labels(`[kubernetes] node_selector_key/node_selector_val`, { [key]: val }) ? { key, value: val } : undefined;
}

/**
 * Checks a config given in code (not read from a file), naming fields as `<prefix>.<field>`: the same
 * rules the loader applies to the TOML keys.
 */
export function checkKubernetesConfig(p: Problems, prefix: string, c: KubernetesConfig): void {
  const f = (k: string) => `${prefix}.${k}`;
  p.dnsLabel(f('namespace'), c.namespace);
  p.check(isIngressDomain(c.ingressDomain), f('ingressDomain'), c.ingressDomain, INGRESS_DOMAIN_ALLOWED);
  for (const k of ['pvcStorageSize', 'resourceCpuRequest', 'resourceMemoryRequest', 'resourceMemoryLimit'] as const) checkAmount(p, f(k), c[k]);
  checkAmounts(p, f, { pvcStorageSize: 'pvcStorageSize', resourceMemoryRequest: 'resourceMemoryRequest', resourceMemoryLimit: 'resourceMemoryLimit' }, c);
  for (const k of ['pvcStorageClass', 'imagePullSecret', 'ingressTlsSecret'] as const) {
    if (c[k] !== undefined) p.dnsSubdomain(f(k), c[k]);
  }
  if (c.nodeSelector !== undefined) {
    if (!isPlainObject(c.nodeSelector)) p.add(f('nodeSelector'), c.nodeSelector, 'an object { key, value }');
    else p.labels(f('nodeSelector'), { [c.nodeSelector.key]: c.nodeSelector.value });
  }
  if (c.tolerations !== undefined) {
    if (!Array.isArray(c.tolerations)) p.add(f('tolerations'), c.tolerations, 'a list of tolerations');
    else c.tolerations.forEach((t, i) => p.toleration(`${f('tolerations')}[${i}]`, t));
  }
  p.check(typeof c.privileged === 'boolean', f('privileged'), c.privileged, 'true or false');
  const known = Object.keys(DEFAULT_KUBERNETES_CONFIG).concat(['pvcStorageClass', 'imagePullSecret', 'ingressTlsSecret', 'nodeSelector', 'tolerations']);
  for (const k of Object.keys(c)) if (!known.includes(k)) p.add(f(k), (c as unknown as Record<string, unknown>)[k], `absent: KubernetesConfig has no field ${show(k)}`);
}

function isIngressDomain(v: unknown): v is string {
  return isDnsSubdomain(v) && v.length <= MAX_INGRESS_DOMAIN_LENGTH;
}

type Amount = 'pvcStorageSize' | 'resourceMemoryRequest' | 'resourceMemoryLimit';

/**
 * What the API server asks of the amounts beyond their syntax: a volume claim of more than zero, and a memory
 * request within the memory limit. `names` are the fields as the user wrote them (camelCase or TOML keys).
 */
function checkAmounts(p: Problems, f: (k: string) => string, names: Record<Amount, string>, c: Partial<Record<Amount, unknown>>): void {
  const size = typeof c.pvcStorageSize === 'string' ? parseQuantity(c.pvcStorageSize) : undefined;
  if (size !== undefined && size.nanos === 0n) p.add(f(names.pvcStorageSize), c.pvcStorageSize, 'a quantity above 0 such as "2Gi" (a volume claim must ask for some storage)');
  checkRequestWithinLimit(p, f(names.resourceMemoryRequest), c.resourceMemoryRequest, f(names.resourceMemoryLimit), c.resourceMemoryLimit);
}

function parseTolerations(p: Problems, text: string): Toleration[] | undefined {
  const field = '[kubernetes] tolerations_yaml';
  let data: unknown;
  try {
    data = parseYaml(text);
  } catch (e) {
    p.add(field, text, `valid YAML (${(e as Error).message.split('\n')[0]})`);
    return undefined;
  }
  if (!Array.isArray(data)) {
    p.add(field, text, 'a YAML list of tolerations, e.g. "- key: gpu\\n  operator: Exists\\n  effect: NoSchedule"');
    return undefined;
  }
  const out: Toleration[] = [];
  data.forEach((entry, i) => {
    const at = `${field}[${i}]`;
    if (!isPlainObject(entry)) {
      p.add(at, entry, 'a mapping with key, operator, value, effect, toleration_seconds');
      return;
    }
    const t: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(entry)) {
      if (Object.hasOwn(TOLERATION_FIELDS, k)) t[TOLERATION_FIELDS[k]] = v;
      else p.add(`${at}.${k}`, v, `absent: a toleration has key, operator, value, effect, toleration_seconds (upstream passes them to V1Toleration)`);
    }
    if (p.toleration(at, t)) out.push(t as Toleration);
  });
  return out;
}
