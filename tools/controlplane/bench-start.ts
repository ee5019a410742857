/**
 * Times this control plane helper's warm start and stop, `runs` times (default 5):
 *
 *   node tools/launcher/run.cjs tools/controlplane/bench-start.ts [runs]
 *
 * (scripts/run.cjs until the launcher moves.) To compare with another version
 * of controlplane.ts, bundle a file that calls bench() with both.
 */
import { bench } from './bench';
import { startControlPlane } from './controlplane';

bench([['this', startControlPlane]], Number(process.argv[2] ?? 5)).then(
  () => process.exit(0),
  (e: Error) => {
    process.stderr.write(`${e.stack ?? e.message}\n`);
    process.exit(1);
  },
);
