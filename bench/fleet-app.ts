// The default app plus a fleet of N sandbox sessions (N from LOCAL_HANDS_FLEET, default 0): the
// benchmark's scale workload. Same synth path as main.ts; with LOCAL_HANDS_FLEET_SYNTH=cdk8s the same
// constructs go through cdk8s's own `app.synth()` instead, the peer the scale figures are measured against.
import { App, Chart } from 'cdk8s';
import { SandboxFleet } from '../constructs/sandbox/sandbox-fleet';
import { addOpenHandsStack } from '../app/openhands-stack';
import { runSynth } from '../app/synth';

const count = Number(process.env.LOCAL_HANDS_FLEET ?? '0');
const build = (app: App): void => {
  const stack = addOpenHandsStack(app);
  if (count > 0) new SandboxFleet(new Chart(app, 'sandboxes'), 'fleet', { count, ingressClassName: stack.ingressNginx.ingressClassName });
};
if (process.env.LOCAL_HANDS_FLEET_SYNTH === 'cdk8s') {
  const app = new App({ outdir: process.env.CDK8S_OUTDIR ?? 'dist' });
  build(app);
  app.synth();
} else {
  runSynth(build);
}
