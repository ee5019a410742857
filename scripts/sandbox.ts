// npm run sandbox -- --config PATH --sid ID [--image IMG] [--out FILE]
// Prints (or writes) the YAML of one OpenHands sandbox session, as the Kubernetes runtime would create it.
import * as fs from 'fs';
import * as path from 'path';
import { parseArgs } from 'util';
import { App, Chart } from 'cdk8s';
import { SandboxRuntime } from '../constructs/sandbox-runtime';
import { loadKubernetesConfig } from '../src/kubernetes-config';
import { LocalHandsValidationError } from '../src/validation';

const USAGE = 'usage: npm run sandbox -- --config PATH --sid ID [--image IMG] [--out FILE]';

function main(argv: string[]): number {
  let values: { config?: string; sid?: string; image?: string; out?: string; help?: boolean };
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        config: { type: 'string' },
        sid: { type: 'string' },
        image: { type: 'string' },
        out: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
    }));
  } catch (e) {
    process.stderr.write(`sandbox: ${(e as Error).message}\n${USAGE}\n`);
    return 2;
  }
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const missing = (['config', 'sid'] as const).filter(k => values[k] === undefined);
  if (missing.length > 0) {
    process.stderr.write(`sandbox: missing ${missing.map(k => `--${k}`).join(' and ')}\n${USAGE}\n`);
    return 2;
  }
  try {
    const config = loadKubernetesConfig(values.config!);
    const app = new App({ outdir: path.join(process.cwd(), '.unused') });
    new SandboxRuntime(new Chart(app, 'sandbox'), 'session', { sid: values.sid!, config, image: values.image });
    const yaml = app.synthYaml();
    if (values.out === undefined) {
      process.stdout.write(yaml);
    } else {
      // Written whole or not at all.
      const tmp = `${values.out}.${process.pid}.tmp`;
      fs.writeFileSync(tmp, yaml);
      fs.renameSync(tmp, values.out);
      process.stderr.write(`sandbox: wrote ${values.out}\n`);
    }
    return 0;
  } catch (e) {
    if (e instanceof LocalHandsValidationError) {
      process.stderr.write(`sandbox: ${e.message}\n`);
      return 1;
    }
    throw e;
  }
}

process.exitCode = main(process.argv.slice(2));
