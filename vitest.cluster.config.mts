import { defineConfig } from 'vitest/config';

// Tests against a real control plane (etcd, kube-apiserver, kube-controller-manager,
// kube-scheduler, kwok) built from pinned upstream sources: `npm run test:cluster`.
export default defineConfig({
  test: {
    include: ['test/cluster/**/*.test.ts'],
    globalSetup: ['test/cluster/global-setup.ts'],
    // Each file starts its own control plane; two at once fit 2 cores.
    pool: 'forks',
    maxWorkers: 2,
    testTimeout: 240_000,
    hookTimeout: 300_000,
  },
});
