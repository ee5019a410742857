import { defineConfig } from 'vitest/config';

// Real HTTP through Traefik built from source, to kwok pods materialized as backends in network namespaces:
// `npm run test:dataplane`. Needs root (network namespaces) and the tools built beforehand (`npm run controlplane:build
// && npm run traefik:build && node tools/conformance/build.mjs`; .ci/run does it in steps of its own).
// One file at a time: each plane owns the kwok pod range on this machine's routing table.
export default defineConfig({
  test: {
    include: ['test/dataplane/**/*.test.ts'],
    pool: 'forks',
    fileParallelism: false,
    testTimeout: 120_000,
    hookTimeout: 240_000,
  },
});
