// The default app plus a fleet of N sandbox sessions (N from LOCAL_HANDS_FLEET, default 0): the
// benchmark's scale workload. Same synth path as main.ts.
import { Chart } from 'cdk8s';
import { SandboxFleet } from '../constructs/sandbox/sandbox-fleet';
import { addOpenHandsStack } from '../app/openhands-stack';
import { runSynth } from '../app/synth';

const count = Number(process.env.LOCAL_HANDS_FLEET ?? '0');
runSynth(app => {
  const stack = addOpenHandsStack(app);
  if (count > 0) new SandboxFleet(new Chart(app, 'sandboxes'), 'fleet', { count, ingressClassName: stack.ingressNginx.ingressClassName });
});
