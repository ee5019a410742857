import { describe, expect, test } from 'vitest';
import { SandboxQuota } from '../constructs/isolation/sandbox-quota';
import { errorOf, find, synthChart, synthChartYaml } from './util';

describe('SandboxQuota', () => {
  test('defaults: three sessions of the default config, LimitRange defaults equal one sandbox', async () => {
    const build = (c: any) => new SandboxQuota(c, 'quota');
    const docs = synthChart(build);
    expect(find(docs, 'ResourceQuota').spec.hard).toEqual({
      pods: '3', 'requests.cpu': '3', 'requests.memory': '3Gi', 'limits.memory': '6Gi', persistentvolumeclaims: '3', 'requests.storage': '6Gi',
    });
    expect(find(docs, 'LimitRange').spec.limits).toEqual([{ type: 'Container', default: { memory: '2Gi' }, defaultRequest: { cpu: '1', memory: '1Gi' } }]);
    expect(find(docs, 'ResourceQuota').metadata).toEqual({ name: 'openhands-sandboxes', namespace: 'default' });
    await expect(synthChartYaml(build)).toMatchFileSnapshot('../__snapshots__/sandbox-quota-defaults.k8s.yaml');
  });

  test('a fractional config is multiplied exactly and written as the API server stores it', async () => {
    let quota!: SandboxQuota;
    const build = (c: any) => {
      quota = new SandboxQuota(c, 'quota', {
        config: { namespace: 'sandboxes', resourceCpuRequest: '0.5', resourceMemoryRequest: '1.5Gi', resourceMemoryLimit: '3Gi', pvcStorageSize: '10G' },
        maxSessions: 7,
        name: 'sessions',
      });
    };
    const docs = synthChart(build);
    expect(quota.hard).toEqual({
      pods: '7', 'requests.cpu': '3500m', 'requests.memory': '10752Mi', 'limits.memory': '21Gi', persistentvolumeclaims: '7', 'requests.storage': '70G',
    });
    expect(find(docs, 'LimitRange').spec.limits[0].defaultRequest).toEqual({ cpu: '500m', memory: '1536Mi' });
    expect(find(docs, 'LimitRange').metadata).toEqual({ name: 'sessions', namespace: 'sandboxes' });
    await expect(synthChartYaml(build)).toMatchFileSnapshot('../__snapshots__/sandbox-quota-fractional.k8s.yaml');
  });

  test('explicit entries replace the computed ones', () => {
    const hard = find(synthChart(c => new SandboxQuota(c, 'q', { maxSessions: 10, hard: { 'requests.cpu': '4', 'limits.memory': '16384Mi' } })), 'ResourceQuota').spec.hard;
    expect(hard['requests.cpu']).toBe('4');
    expect(hard['limits.memory']).toBe('16Gi');
    expect(hard.pods).toBe('10');
  });

  test.each([
    [0, 'maxSessions must be an integer in 1-100000, got 0'],
    [-2, 'maxSessions must be an integer in 1-100000, got -2'],
    [2.5, 'maxSessions must be an integer in 1-100000, got 2.5'],
    ['3', 'maxSessions must be an integer in 1-100000, got "3"'],
  ])('maxSessions %s is refused', (maxSessions, message) => {
    expect(errorOf(c => new SandboxQuota(c, 'q', { maxSessions: maxSessions as number }))).toBe(`SandboxQuota 'q' (test/q): ${message}`);
  });

  test('a quota smaller than one session is refused', () => {
    expect(errorOf(c => new SandboxQuota(c, 'q', { hard: { 'requests.memory': '512Mi' } }))).toBe(
      `SandboxQuota 'q' (test/q): hard["requests.memory"] must be at least one session's "1Gi" (a smaller quota refuses every sandbox), got "512Mi"`);
    expect(errorOf(c => new SandboxQuota(c, 'q', { hard: { pods: '0' } }))).toBe(
      `SandboxQuota 'q' (test/q): hard["pods"] must be at least one session's "1" (a smaller quota refuses every sandbox), got "0"`);
  });

  test('bad overrides: unknown entries, fractional counts, non-quantities', () => {
    expect(errorOf(c => new SandboxQuota(c, 'q', { hard: { services: '4', persistentvolumeclaims: '1.5', 'requests.cpu': 'lots' } as any }))).toBe([
      `SandboxQuota 'q' (test/q): 3 problems`,
      `  - hard["services"] must be absent: the sandbox quota has pods, requests.cpu, requests.memory, limits.memory, persistentvolumeclaims, requests.storage, got "4"`,
      `  - hard["persistentvolumeclaims"] must be a whole number (it counts objects), got "1.5"`,
      `  - hard["requests.cpu"] must be a Kubernetes quantity such as "500m", "1", "256Mi" or "2Gi" (a non-negative number with an optional suffix n, u, m, k, M, G, T, P, E, Ki, Mi, Gi, Ti, Pi, Ei), got "lots"`,
    ].join('\n'));
  });

  test('a memory request above the limit is refused (the server would refuse the LimitRange and every sandbox)', () => {
    expect(errorOf(c => new SandboxQuota(c, 'q', { config: { resourceMemoryRequest: '4Gi' } }))).toBe(
      `SandboxQuota 'q' (test/q): config.resourceMemoryLimit must be at least config.resourceMemoryRequest ("4Gi"), got "2Gi"`);
  });

  test('a product beyond what the server keeps exactly is refused', () => {
    expect(errorOf(c => new SandboxQuota(c, 'q', { config: { pvcStorageSize: '1Ei' }, maxSessions: 10 }))).toBe(
      `SandboxQuota 'q' (test/q): maxSessions must be small enough that requests.storage ("1Ei" per session, "10Ei" in all) stays below 2^63, got 10`);
  });
});
