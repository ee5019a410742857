// npm run sandbox -- --config PATH --sid ID [--image IMG] [--out FILE]
// Prints (or writes) the YAML of one OpenHands sandbox session, as the Kubernetes runtime would create it.
import * as path from 'path';
import { App, Chart } from 'cdk8s';
import { UsageError, parseCli } from '../app/cli-args';
import { GENERATED_HEADER, checkOutputFile, writeOutputFile } from '../app/output';
import { SandboxRuntime } from '../constructs/sandbox-runtime';
import { loadKubernetesConfig } from '../src/kubernetes-config';
import { LocalHandsValidationError } from '../src/validation';

const USAGE = 'usage: npm run -s sandbox -- --config PATH --sid ID [--image IMG] [--out FILE]';

/** The first line of what we print or write: `--out` later overwrites only a file that starts with it. */
const HEADER = `${GENERATED_HEADER} (npm run sandbox); do not edit.\n`;

/** The session's YAML, as `--out` writes it and stdout shows it. */
export function sandboxYaml(config: string, sid: string, image?: string): string {
  const app = new App({ outdir: path.join(process.cwd(), '.unused') });
  new SandboxRuntime(new Chart(app, 'sandbox'), 'session', { sid, config: loadKubernetesConfig(config), image });
  return HEADER + app.synthYaml();
}

function main(argv: string[]): number {
  try {
    const { values } = parseCli(argv, {
      config: { type: 'string' }, sid: { type: 'string' }, image: { type: 'string' }, out: { type: 'string' }, help: { type: 'boolean', short: 'h' },
    });
    if (values.help) {
      process.stdout.write(`${USAGE}\n`);
      return 0;
    }
    const missing = (['config', 'sid'] as const).filter(k => values[k] === undefined);
    if (missing.length > 0) throw new UsageError(`missing ${missing.map(k => `--${k}`).join(' and ')}`);
    const outOptions = { what: '--out', refuse: [{ path: values.config!, name: 'the --config file' }] };
    // The output place is checked before the config is even read, so a bad --out never costs a half-done run.
    if (values.out !== undefined) checkOutputFile(values.out, outOptions);
    const yaml = sandboxYaml(values.config!, values.sid!, values.image);
    if (values.out === undefined) process.stdout.write(yaml);
    else {
      writeOutputFile(values.out, yaml, outOptions);
      process.stderr.write(`sandbox: wrote ${values.out}\n`);
    }
    return 0;
  } catch (e) {
    if (e instanceof UsageError) {
      process.stderr.write(`sandbox: ${e.message}\n${USAGE}\n`);
      return 2;
    }
    if (e instanceof LocalHandsValidationError) {
      process.stderr.write(`sandbox: ${e.message}\n`);
      return 1;
    }
    throw e;
  }
}

if (require.main === module) process.exitCode = main(process.argv.slice(2));
