import { defineConfig } from 'vitest/config';

// Prometheus rule tests run through promtool, built from the Go module proxy like the control plane:
// `vitest run --config vitest.promtool.config.mts`. Needs Go, not a control plane.
export default defineConfig({
  test: {
    include: ['test/promtool/**/*.test.ts'],
    globalSetup: ['test/promtool/global-setup.ts'],
    testTimeout: 60_000,
  },
});
