#!/usr/bin/env node
// local-hands <synth|sandbox|kind|status> [flags]: the package's bin. It runs, from the compiled lib/ of an installed
// package and in the current folder, what the repository's npm scripts run through the launcher: synth (npm run
// synth), sandbox (npm run sandbox), kind up and down, and status (npm run kind:up, kind:down, status).
import { spawnSync } from 'child_process';
import * as path from 'path';
import { BIN_COMMAND_ENV, usageErrorLine } from '../app/cli-args';
import { runSynthCli } from '../app/synth-cli';
import { print } from '../src/print';

interface Command {
  /** What the command does, for `local-hands --help`. */
  readonly summary: string;
  /** Runs the command with the flags after its name; returns the exit code, or undefined when it set its own. */
  readonly run: (argv: readonly string[]) => number | undefined;
}

const COMMANDS: Readonly<Record<string, Command>> = {
  synth: { summary: "write a profile's manifests into dist/ and its KIND config into kind/ (npm run synth)", run: synth },
  sandbox: { summary: "print or write the YAML of one OpenHands sandbox session (npm run sandbox)", run: argv => program('sandbox', 'sandbox', argv) },
  kind: { summary: 'up: create the KIND cluster, apply dist/ and wait (npm run kind:up); down: delete it (npm run kind:down)', run: argv => program('kind', 'kind', argv) },
  status: { summary: 'what runs on the KIND cluster, and why what is not Ready is not (npm run status)', run: argv => program('status', 'kind', ['status', ...argv]) },
};

const USAGE = `usage: local-hands <command> [flags]   (local-hands <command> --help for its flags)
${Object.entries(COMMANDS).map(([name, c]) => `  ${name.padEnd(9)}${c.summary}`).join('\n')}
Runs in the current folder: dist/ and kind/ are written and read there.`;

const isHelp = (argv: readonly string[]) => argv.includes('--help') || argv.includes('-h');

/** Runs a command line (without `node` and the script); returns the exit code, or undefined when it set its own. */
export function main(argv: readonly string[]): number | undefined {
  const [name, ...rest] = argv;
  if (name === '--help' || name === '-h') {
    print('stdout', `${USAGE}\n`);
    return 0;
  }
  if (name === undefined || !Object.prototype.hasOwnProperty.call(COMMANDS, name)) {
    const problem = name === undefined ? 'missing the command' : `unknown command ${JSON.stringify(name)}`;
    print('stderr', `${usageErrorLine('local-hands', `${problem}: use ${Object.keys(COMMANDS).join(', ')}`, 'local-hands --help')}\n`);
    return 2;
  }
  return COMMANDS[name].run(rest);
}

const SYNTH_USAGE = `usage: local-hands synth [--profile NAME] [--domain NAME] [-o DIR]
  -o, --output  the manifests' folder (as CDK8S_OUTDIR; default dist); the KIND config goes to LOCAL_HANDS_KIND_DIR or kind
the other flags are npm run synth's:`;
const SYNTH_HELP = 'local-hands synth --help';

/** `npm run synth` in-process, plus `-o DIR` as `cdk8s synth` has it (which also passes the folder as CDK8S_OUTDIR). */
function synth(argv: readonly string[]): number | undefined {
  const rest: string[] = [];
  let output: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const m = /^(?:-o|--output)(?:=(.*))?$/.exec(argv[i]);
    if (!m) {
      rest.push(argv[i]);
      continue;
    }
    const value = m[1] ?? argv[++i];
    if (output !== undefined || value === undefined || value === '' || value.startsWith('-')) {
      const problem = output !== undefined ? '-o is given more than once: give it once' : '-o needs a folder, e.g. -o dist';
      print('stderr', `${usageErrorLine('local-hands', problem, SYNTH_HELP)}\n`);
      return 2;
    }
    output = value;
  }
  if (isHelp(rest)) print('stdout', `${SYNTH_USAGE}\n`);
  else if (output !== undefined) process.env.CDK8S_OUTDIR = output;
  runSynthCli(rest, SYNTH_HELP);
  return undefined;
}

/**
 * Runs the compiled program `lib/scripts/<file>.js` of an npm script with `argv`, in the current folder, its output
 * shown as it comes; returns its exit code. `--help` names the local-hands command, then shows the program's flags;
 * a usage error names `local-hands <command> --help` (the program is told the command in BIN_COMMAND_ENV).
 */
function program(command: string, file: string, argv: readonly string[]): number {
  if (isHelp(argv)) print('stdout', `usage: local-hands ${command} [flags]: ${COMMANDS[command].summary}; its flags:\n`);
  const env = { ...process.env, [BIN_COMMAND_ENV]: `local-hands ${command}` };
  const r = spawnSync(process.execPath, [path.join(__dirname, `${file}.js`), ...argv], { stdio: 'inherit', env });
  if (r.error) throw r.error;
  return r.status ?? 1;
}

if (require.main === module) {
  const code = main(process.argv.slice(2));
  if (code !== undefined) process.exitCode = code;
}
