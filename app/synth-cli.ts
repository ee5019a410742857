import { print } from '../src/print';
import { UsageError, parseCli, usageErrorLine } from './cli-args';
import { PROFILES, Profile, ProfileName, ProfileOptions } from './profiles';
import { runSynth } from './synth';

const USAGE = `usage: npm run synth [-- --profile NAME [--domain NAME]]
profiles:
${Object.entries(PROFILES).map(([name, p]) => `  ${name.padEnd(12)}${p.description}`).join('\n')}
  --domain    for the production profile (required there): the DNS name OpenHands is served at, sessions at <sid>.NAME
environment: CDK8S_OUTDIR (default dist), LOCAL_HANDS_KIND_DIR (default kind)`;

/**
 * `npm run synth` and `cdk8s synth`: picks the profile from the command line and synthesizes it. A usage error is
 * one line on stderr ending with `help`, how to ask for the usage (`local-hands synth --help` from the package's bin).
 */
export function runSynthCli(argv: readonly string[], help = 'npm run synth -- --help'): void {
  let profile: Profile;
  let options: ProfileOptions;
  try {
    const { values } = parseCli(argv, { profile: { type: 'string' }, domain: { type: 'string' }, help: { type: 'boolean', short: 'h' } });
    if (values.help) {
      print('stdout', `${USAGE}\n`);
      return;
    }
    const name = values.profile ?? 'default';
    if (!Object.prototype.hasOwnProperty.call(PROFILES, name)) {
      throw new UsageError(`--profile must be one of ${Object.keys(PROFILES).join(', ')}, got ${JSON.stringify(name)}`);
    }
    profile = PROFILES[name as ProfileName];
    options = { domain: values.domain };
    const needs: readonly string[] = profile.needs ?? [];
    for (const [k, v] of Object.entries(options)) {
      if (v === undefined && needs.includes(k)) throw new UsageError(`--profile ${name} needs --${k} NAME (the DNS name OpenHands is served at, e.g. --${k} openhands.example.com)`);
      if (v !== undefined && !needs.includes(k)) throw new UsageError(`--${k} is for ${Object.entries(PROFILES).filter(([, p]) => ((p as Profile).needs ?? []).includes(k as keyof ProfileOptions)).map(([n]) => `--profile ${n}`).join(', ')} only`);
    }
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    print('stderr', `${usageErrorLine('local-hands', e.message, help)}\n`);
    process.exitCode = 2;
    return;
  }
  runSynth(app => profile.build(app, options));
}
