// The default app: OpenHands' local KIND stack, as upstream's kind/manifests describe it (or another
// profile: npm run synth -- --profile NAME).
import { runSynthCli } from './app/synth-cli';

runSynthCli(process.argv.slice(2));
