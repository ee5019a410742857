// The default app: OpenHands' local KIND stack, as upstream's kind/manifests describe it.
import { addOpenHandsStack } from './src/openhands-stack';
import { runSynth } from './src/synth';

runSynth(app => addOpenHandsStack(app));
