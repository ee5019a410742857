// The default app: OpenHands' local KIND stack, as upstream's kind/manifests describe it.
import { addOpenHandsStack } from './app/openhands-stack';
import { runSynth } from './app/synth';

runSynth(app => addOpenHandsStack(app));
