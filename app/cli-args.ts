import { parseArgs } from 'util';

/**
 * A command line that cannot be run: its message is one line, which the program reports as `usageErrorLine` (the
 * message and how to ask for the usage, not the usage itself); exit code 2.
 */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

type Options = Record<string, { type: 'string' | 'boolean'; short?: string }>;
type Values<O extends Options> = { [K in keyof O]?: O[K]['type'] extends 'string' ? string : boolean };

/**
 * `util.parseArgs`, strict, that also refuses a flag given twice (parseArgs keeps the last one silently,
 * so `--sid a --sid b` would render session b) and a string flag given an empty value.
 */
export function parseCli<O extends Options>(argv: readonly string[], options: O, allowPositionals = false): { values: Values<O>; positionals: string[] } {
  let parsed;
  try {
    parsed = parseArgs({ args: [...argv], options, strict: true, allowPositionals, tokens: true });
  } catch (e) {
    // parseArgs' messages are single sentences such as "Unknown option '--profle'".
    throw new UsageError((e as Error).message.split('\n')[0]);
  }
  const seen = new Set<string>();
  for (const t of parsed.tokens ?? []) {
    if (t.kind !== 'option') continue;
    if (seen.has(t.name)) throw new UsageError(`--${t.name} is given more than once: give it once`);
    seen.add(t.name);
    if (options[t.name]?.type === 'string' && t.value === '') throw new UsageError(`--${t.name} needs a value, got ""`);
  }
  return { values: parsed.values as Values<O>, positionals: parsed.positionals };
}

/**
 * The one line, for stderr, that reports a usage error: `PROGRAM: MESSAGE; HELP shows the usage`, e.g.
 * `sandbox: missing --sid; npm run sandbox -- --help shows the usage`. The usage itself is left to `--help`.
 */
export function usageErrorLine(program: string, message: string, help: string): string {
  return `${program}: ${message.trim().replace(/\s*\n\s*/g, ' ')}; ${help} shows the usage`;
}

/** Set by the package's bin to `local-hands COMMAND` for the npm scripts' programs it runs (sandbox, kind, status). */
export const BIN_COMMAND_ENV = 'LOCAL_HANDS_BIN_COMMAND';

/**
 * How to ask an npm script's program for its usage: `npm run SCRIPT -- --help`, or `local-hands COMMAND --help` when
 * the package's bin runs it (and names its command in BIN_COMMAND_ENV).
 */
export function helpCommand(script: string, env: Readonly<Record<string, string | undefined>> = process.env): string {
  const command = env[BIN_COMMAND_ENV];
  return command ? `${command} --help` : `npm run ${script} -- --help`;
}
