/**
 * Builds the Go tools the cluster suite runs (the control plane, cyclonus) once before any cluster test file runs,
 * so test files do not race to build them and no test hook waits on a cold build. CI builds them in steps of its
 * own first (.ci/run), which makes this instant there.
 */
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';

const TOOLS = path.resolve(__dirname, '..', '..', 'tools');

export default function setup(): void {
  for (const [tool, script] of [['the control plane', 'controlplane'], ['cyclonus', 'cyclonus']] as const) {
    const r = spawnSync(process.execPath, [path.join(TOOLS, script, 'build.mjs')], { stdio: ['ignore', 'ignore', 'inherit'] });
    if (r.status !== 0) throw new Error(`Building ${tool} failed (see above). It needs Go 1.26+; run \`npm run ${script}:build\`.`);
  }
}
