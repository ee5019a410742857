import * as path from 'path';
import { fileURLToPath } from 'url';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/*.test.ts'],
    // Refuses, in one line, to compare dist/ with upstream when it holds another profile's output.
    globalSetup: ['test/global-setup.ts'],
    // Snapshots live in one top-level folder so pull requests show them next to the code.
    resolveSnapshotPath: (testPath: string, ext: string) => path.join(path.dirname(fileURLToPath(import.meta.url)), '__snapshots__', `${path.basename(testPath)}${ext}`),
    testTimeout: 30_000,
    // The unit files share each worker's module cache instead of importing the library afresh per file (a third of
    // the suite's time). None depends on fresh modules: the suite passes isolated too (`npx vitest run --isolate`).
    isolate: false,
  },
});
