import { print } from '../src/print';
import { UsageError, parseCli } from './cli-args';
import { PROFILES, ProfileName } from './profiles';
import { runSynth } from './synth';

const USAGE = `usage: npm run synth [-- --profile NAME]
profiles:
${Object.entries(PROFILES).map(([name, p]) => `  ${name.padEnd(12)}${p.description}`).join('\n')}
environment: CDK8S_OUTDIR (default dist), LOCAL_HANDS_KIND_DIR (default kind)`;

/** `npm run synth` and `cdk8s synth`: picks the profile from the command line and synthesizes it. */
export function runSynthCli(argv: readonly string[]): void {
  let profile: ProfileName;
  try {
    const { values } = parseCli(argv, { profile: { type: 'string' }, help: { type: 'boolean', short: 'h' } });
    if (values.help) {
      print('stdout', `${USAGE}\n`);
      return;
    }
    const name = values.profile ?? 'default';
    if (!Object.prototype.hasOwnProperty.call(PROFILES, name)) {
      throw new UsageError(`--profile must be one of ${Object.keys(PROFILES).join(', ')}, got ${JSON.stringify(name)}`);
    }
    profile = name as ProfileName;
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    print('stderr', `local-hands: ${e.message}\n${USAGE}\n`);
    process.exitCode = 2;
    return;
  }
  runSynth(PROFILES[profile].build);
}
