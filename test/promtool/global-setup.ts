/** Builds promtool once (or finds it cached) before any promtool test runs, so no test times out on a cold build. */
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';

export default function setup(): void {
  if (process.env.LOCAL_HANDS_PROMTOOL) return;
  const script = path.resolve(__dirname, '..', '..', 'tools', 'promtool', 'build.mjs');
  const r = spawnSync(process.execPath, [script], { stdio: 'inherit' });
  if (r.status !== 0) throw new Error('Building promtool failed (see above). It needs Go 1.26+; run `node tools/promtool/build.mjs`.');
}
