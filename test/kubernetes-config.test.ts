import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { describe, expect, test } from 'vitest';
import { DEFAULT_KUBERNETES_CONFIG, LocalHandsValidationError, loadKubernetesConfig, parseKubernetesConfig } from '../index';
import { REFERENCE } from './util';

const REFERENCE_CONFIG = path.join(REFERENCE, 'openhands-kind', 'config.kubernetes.toml');
const err = (toml: string) => {
  try {
    parseKubernetesConfig(toml, 'config.toml');
  } catch (e) {
    expect(e).toBeInstanceOf(LocalHandsValidationError);
    return (e as Error).message;
  }
  throw new Error('expected an error');
};

describe('loadKubernetesConfig', () => {
  test('the reference [kubernetes] section (all keys commented out) gives the documented defaults', () => {
    expect(loadKubernetesConfig(REFERENCE_CONFIG)).toEqual(DEFAULT_KUBERNETES_CONFIG);
  });

  test('the documented defaults, written out uncommented, give the same config', () => {
    // Every commented key of the template, uncommented; "standard" is the template's example storage class.
    const text = fs.readFileSync(REFERENCE_CONFIG, 'utf8').replace(/^#(\w+ = )/gm, '$1');
    expect(parseKubernetesConfig(text)).toEqual({ ...DEFAULT_KUBERNETES_CONFIG, pvcStorageClass: 'standard' });
  });

  test('a file without the section means all defaults', () => {
    expect(parseKubernetesConfig('[core]\nworkspace_base = "./workspace"\n')).toEqual(DEFAULT_KUBERNETES_CONFIG);
  });

  test('every key is read', () => {
    const config = loadKubernetesConfig(path.join(__dirname, 'fixtures', 'every-option.toml'));
    expect(config).toEqual({
      namespace: 'sandboxes',
      ingressDomain: 'sandbox.example.com',
      pvcStorageSize: '10Gi',
      pvcStorageClass: 'fast',
      resourceCpuRequest: '500m',
      resourceMemoryRequest: '512Mi',
      resourceMemoryLimit: '4Gi',
      imagePullSecret: 'regcred',
      ingressTlsSecret: 'wildcard-tls',
      nodeSelector: { key: 'pool', value: 'sandboxes' },
      tolerations: [{ key: 'pool', operator: 'Equal', value: 'sandboxes', effect: 'NoExecute', tolerationSeconds: 60 }],
      privileged: true,
    });
  });

  test('empty strings mean unset for the optional keys, as in the template', () => {
    expect(parseKubernetesConfig('[kubernetes]\nimage_pull_secret = ""\nnode_selector_key = ""\nnode_selector_val = ""\ntolerations_yaml = ""\n'))
      .toEqual(DEFAULT_KUBERNETES_CONFIG);
  });

  test('a missing file names the path', () => {
    expect(() => loadKubernetesConfig(os.tmpdir())).toThrow(/cannot read the config file: it is a folder, not a file$/);
    expect(() => loadKubernetesConfig('[kubernetes]\nnamespace = "x"')).toThrow(/this looks like TOML text: pass it to parseKubernetesConfig/);
    expect(() => loadKubernetesConfig(path.join(os.tmpdir(), 'no-such-config.toml'))).toThrow(/no-such-config\.toml": cannot read the config file: it does not exist \(ENOENT\)/);
  });
});

const BAD: [string, string, RegExp][] = [
  ['unknown key', 'namespaces = "x"', /config\.toml: \[kubernetes\] namespaces must be absent: not a \[kubernetes\] key \(known: namespace, /],
  ['bad cpu quantity', 'resource_cpu_request = "one"', /\[kubernetes\] resource_cpu_request must be a Kubernetes quantity .*, got "one"/],
  ['memory as a number', 'resource_memory_limit = 2048', /\[kubernetes\] resource_memory_limit must be a Kubernetes quantity as a string: quote it, resource_memory_limit = "2048", got 2048/],
  ['cpu as a number', 'resource_cpu_request = 1', /\[kubernetes\] resource_cpu_request must be a Kubernetes quantity as a string: quote it, resource_cpu_request = "1", got 1/],
  ['bad pvc size', 'pvc_storage_size = "2 GB"', /\[kubernetes\] pvc_storage_size must be a Kubernetes quantity .*, got "2 GB"/],
  ['privileged as a string', 'privileged = "yes"', /\[kubernetes\] privileged must be true or false, got "yes"/],
  ['namespace as a number', 'namespace = 5', /\[kubernetes\] namespace must be a string, got 5/],
  ['namespace not a DNS label', 'namespace = "Open_Hands"', /\[kubernetes\] namespace must be a DNS-1123 label .*, got "Open_Hands"/],
  ['ingress domain', 'ingress_domain = "https://example.com"', /\[kubernetes\] ingress_domain must be a DNS name .*, got "https:\/\/example\.com"/],
  ['selector key without value', 'node_selector_key = "pool"', /node_selector_key is set \("pool"\) but node_selector_val is not: set both or neither/],
  ['selector value without key', 'node_selector_val = "gpu"', /node_selector_val is set \("gpu"\) but node_selector_key is not: set both or neither/],
  ['selector value not a label value', 'node_selector_key = "pool"\nnode_selector_val = "a b"', /node_selector_key\/node_selector_val\["pool"\] must be a label value/],
  ['tolerations not a list', 'tolerations_yaml = "key: gpu"', /\[kubernetes\] tolerations_yaml must be a YAML list of tolerations/],
  ['tolerations not YAML', 'tolerations_yaml = "- [unclosed"', /\[kubernetes\] tolerations_yaml must be valid YAML/],
  ['toleration unknown field', 'tolerations_yaml = "- key: gpu\\n  tolerationSeconds: 5"', /\[kubernetes\] tolerations_yaml\[0\]\.tolerationSeconds must be absent: a toleration has key, operator, value, effect, toleration_seconds/],
  ['toleration bad operator', 'tolerations_yaml = "- key: gpu\\n  operator: Equals"', /\[kubernetes\] tolerations_yaml\[0\]\.operator must be one of "Exists", "Equal", got "Equals"/],
  ['toleration bad effect', 'tolerations_yaml = "- key: gpu\\n  operator: Exists\\n  effect: NoExec"', /tolerations_yaml\[0\]\.effect must be one of "NoSchedule", "PreferNoSchedule", "NoExecute", got "NoExec"/],
  ['toleration entry not a mapping', 'tolerations_yaml = "- gpu"', /tolerations_yaml\[0\] must be a mapping with key, operator, value, effect, toleration_seconds, got "gpu"/],
  ['storage class not a DNS name', 'pvc_storage_class = "Fast SSD"', /\[kubernetes\] pvc_storage_class must be a DNS-1123 subdomain/],
  ['section not a table', null as any, /\[kubernetes\] must be a table, got "x"/],
  ['not TOML', null as any, /config\.toml: is not valid TOML at line 2/],
  // What the API server refuses, found by the differential test (test/cluster/differential.test.ts):
  ['memory request above the limit', 'resource_memory_request = "4Gi"\nresource_memory_limit = "4000Mi"',
    /: \[kubernetes\] resource_memory_limit must be at least \[kubernetes\] resource_memory_request \("4Gi"\), got "4000Mi"$/],
  ['memory request above the default limit', 'resource_memory_request = "3Gi"', /\[kubernetes\] resource_memory_limit must be at least \[kubernetes\] resource_memory_request \("3Gi"\), got "2Gi"$/],
  ['a limit the API server would cap', 'resource_memory_limit = "9Ei"',
    /: \[kubernetes\] resource_memory_limit must be a quantity of at most 2\^63-1 \(about 8Ei; the API server caps larger amounts\), got "9Ei"$/],
  ['an empty volume claim', 'pvc_storage_size = "0"', /: \[kubernetes\] pvc_storage_size must be a quantity above 0 such as "2Gi" \(a volume claim must ask for some storage\), got "0"$/],
  ['ingress domain too long for "<sid>.<domain>"', `ingress_domain = "${'a'.repeat(63)}.${'b'.repeat(63)}.${'c'.repeat(63)}.${'d'.repeat(29)}"`,
    /: \[kubernetes\] ingress_domain must be a DNS name of at most 220 characters .*, got "a{63}\.b{63}\.c{63}\.d{29}"$/],
];

describe('bad config is refused with the file, key, value and what is allowed', () => {
  test(`at least 15 cases (${BAD.length})`, () => expect(BAD.length).toBeGreaterThanOrEqual(15));

  test.each(BAD.filter(c => c[1] !== null))('%s', (_name, body, pattern) => {
    expect(err(`[kubernetes]\n${body}\n`)).toMatch(pattern);
  });

  test('section not a table', () => expect(err('kubernetes = "x"\n')).toMatch(BAD.find(b => b[0] === 'section not a table')![2]));
  test('not TOML', () => expect(err('[kubernetes]\nnamespace = \n')).toMatch(BAD.find(b => b[0] === 'not TOML')![2]));

  test('several problems are reported together', () => {
    const message = err('[kubernetes]\nresource_cpu_request = "x"\nprivileged = 1\nbogus = true\n');
    expect(message).toContain('config.toml: 3 problems');
  });
});

describe('keys every object inherits are not [kubernetes] keys', () => {
  test.each(['constructor', 'toString', '__proto__', 'hasOwnProperty', 'valueOf'])('%s', key => {
    const text = `[kubernetes]\n${JSON.stringify(key)} = "x"\n`;
    let message = '';
    try {
      parseKubernetesConfig(text, 'config.toml');
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message).toBe(`config.toml: [kubernetes] ${key} must be absent: not a [kubernetes] key (known: namespace, ingress_domain, pvc_storage_size, pvc_storage_class, resource_cpu_request, resource_memory_request, resource_memory_limit, image_pull_secret, ingress_tls_secret, node_selector_key, node_selector_val, tolerations_yaml, privileged), got "x"`);
  });

  test('nor toleration fields', () => {
    expect(() => parseKubernetesConfig('[kubernetes]\ntolerations_yaml = """\n- constructor: x\n  key: gpu\n  operator: Exists\n"""\n', 'config.toml')).toThrow(
      'config.toml: [kubernetes] tolerations_yaml[0].constructor must be absent: a toleration has key, operator, value, effect, toleration_seconds (upstream passes them to V1Toleration), got "x"');
  });
});

describe('int64 fields as the API server decodes them', () => {
  test.each(['1e21', '9007199254740993', '1.5'])('toleration_seconds %s is refused (it would be written as 1e+21, rounded, or not be an integer)', v => {
    expect(() => parseKubernetesConfig(`[kubernetes]\ntolerations_yaml = """\n- key: gpu\n  operator: Exists\n  effect: NoExecute\n  toleration_seconds: ${v}\n"""\n`, 'config.toml'))
      .toThrow(/^config\.toml: \[kubernetes\] tolerations_yaml\[0\]\.tolerationSeconds must be an integer of at most 2\^53-1 in magnitude, got /);
  });

  test('the largest exact one is kept', () => {
    const c = parseKubernetesConfig('[kubernetes]\ntolerations_yaml = """\n- key: gpu\n  operator: Exists\n  effect: NoExecute\n  toleration_seconds: 9007199254740991\n"""\n');
    expect(c.tolerations).toEqual([{ key: 'gpu', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 9007199254740991 }]);
  });
});
