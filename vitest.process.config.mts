import * as path from 'path';
import { fileURLToPath } from 'url';
import { defineConfig } from 'vitest/config';

// The process-level suites: whole programs started as a user would (the synth and sandbox commands, the launcher's
// rebuilds, concurrent and killed output runs, npm pack and a consumer project). Slower than the unit suite, so
// `npm test` leaves them to `npm run test:process`, which .ci/run also calls.
export default defineConfig({
  test: {
    include: ['test/process/*.test.ts'],
    globalSetup: ['test/global-setup.ts'],
    resolveSnapshotPath: (testPath: string, ext: string) => path.join(path.dirname(fileURLToPath(import.meta.url)), '__snapshots__', `${path.basename(testPath)}${ext}`),
    testTimeout: 60_000,
  },
});
