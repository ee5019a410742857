/**
 * Builds the control plane binaries once before any cluster test file runs, so
 * test files do not race to build them and hooks do not time out on a cold build.
 */
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';

export default function setup(): void {
  const script = path.resolve(__dirname, '..', '..', 'tools', 'controlplane', 'build.mjs');
  const r = spawnSync(process.execPath, [script], { stdio: 'inherit' });
  if (r.status !== 0) {
    throw new Error('Building the control plane failed (see above). It needs Go 1.26+; run `npm run controlplane:build`.');
  }
}
