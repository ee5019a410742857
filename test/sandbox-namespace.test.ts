import { describe, expect, test } from 'vitest';
import { SandboxNamespace } from '../constructs/isolation/sandbox-namespace';
import { errorOf, find, synthChart, synthChartYaml } from './util';

describe('SandboxNamespace', () => {
  test('defaults: the config namespace enforces baseline and warns and audits at restricted', async () => {
    const build = (c: any) => new SandboxNamespace(c, 'ns', { config: { namespace: 'sandboxes' } });
    expect(find(synthChart(build), 'Namespace').metadata).toEqual({
      name: 'sandboxes',
      labels: {
        'pod-security.kubernetes.io/enforce': 'baseline',
        'pod-security.kubernetes.io/warn': 'restricted',
        'pod-security.kubernetes.io/audit': 'restricted',
      },
    });
    await expect(synthChartYaml(build)).toMatchFileSnapshot('../__snapshots__/sandbox-namespace-defaults.k8s.yaml');
  });

  test('config.privileged makes it enforce privileged', async () => {
    const build = (c: any) => new SandboxNamespace(c, 'ns', { config: { namespace: 'dind', privileged: true } });
    expect(find(synthChart(build), 'Namespace').metadata.labels['pod-security.kubernetes.io/enforce']).toBe('privileged');
    await expect(synthChartYaml(build)).toMatchFileSnapshot('../__snapshots__/sandbox-namespace-privileged.k8s.yaml');
  });

  test('with no config it is the default namespace, and handles name it', () => {
    let ns!: SandboxNamespace;
    synthChart(c => { ns = new SandboxNamespace(c, 'ns', { warn: 'baseline' }); });
    expect(ns.name).toBe('default');
    expect(ns.enforce).toBe('baseline');
    expect(ns.namespace.metadata.getLabel('pod-security.kubernetes.io/warn')).toBe('baseline');
  });

  test('a privileged config in a namespace that enforces baseline is refused', () => {
    expect(errorOf(c => new SandboxNamespace(c, 'ns', { config: { privileged: true }, enforce: 'baseline' }))).toBe(
      `SandboxNamespace 'ns' (test/ns): enforce must be "privileged" when config.privileged is true (PodSecurity refuses privileged sandbox Pods at any other level), got "baseline"`);
  });

  test('restricted is refused: it would refuse every sandbox Pod', () => {
    expect(errorOf(c => new SandboxNamespace(c, 'ns', { enforce: 'restricted' as any }))).toBe(
      `SandboxNamespace 'ns' (test/ns): enforce must be "privileged" or "baseline" (restricted refuses every sandbox Pod: the action server runs as root), got "restricted"`);
  });

  test('bad levels, namespace and unknown props are refused together', () => {
    expect(errorOf(c => new SandboxNamespace(c, 'ns', { warn: 'strict' as any, config: { namespace: 'Sandboxes' }, name: 'x' } as any))).toBe([
      `SandboxNamespace 'ns' (test/ns): 3 problems`,
      `  - name must be absent: SandboxNamespace has no prop "name" (known: config, enforce, warn), got "x"`,
      `  - config.namespace must be a DNS-1123 label (at most 63 characters of a-z, 0-9 and "-", starting and ending with a letter or digit), got "Sandboxes"`,
      `  - warn must be one of "privileged", "baseline", "restricted", got "strict"`,
    ].join('\n'));
  });
});
