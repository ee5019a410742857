import { parseArgs } from 'util';

/** A command line that cannot be run: its message is one line, shown with the usage; exit code 2. */
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
  // parseArgs loads and runs internal modules for the first time (half a millisecond of a 40 ms synth); the usual
  // command line, known long flags each given once, is read here, and anything else goes to it.
  const values = plainFlags(argv, options);
  if (values !== undefined) return { values: values as Values<O>, positionals: [] };
  return parseCliStrict(argv, options, allowPositionals);
}

/**
 * The values of a command line made only of known long flags, each given once: `--name value` or `--name=value`
 * for a string flag (a non-empty value; a separate one not starting with '-', which parseArgs would call
 * ambiguous), `--name` for a boolean one. Undefined for any other command line. The differential test
 * (test/cli-args.test.ts) holds it to `parseCliStrict`.
 */
function plainFlags(argv: readonly string[], options: Options): Record<string, string | boolean> | undefined {
  const values: Record<string, string | boolean> = Object.create(null);
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (!arg.startsWith('--')) return undefined;
    const eq = arg.indexOf('=');
    const name = arg.slice(2, eq === -1 ? undefined : eq);
    const option = Object.prototype.hasOwnProperty.call(options, name) ? options[name] : undefined;
    if (option === undefined || name in values) return undefined;
    if (option.type === 'boolean') {
      if (eq !== -1) return undefined;
      values[name] = true;
      continue;
    }
    const value = eq === -1 ? argv[++i] : arg.slice(eq + 1);
    if (value === undefined || value === '' || (eq === -1 && value.startsWith('-'))) return undefined;
    values[name] = value;
  }
  return values;
}

/** `parseCli` through `util.parseArgs` alone, whatever the command line (exported for the differential test). */
export function parseCliStrict<O extends Options>(argv: readonly string[], options: O, allowPositionals = false): { values: Values<O>; positionals: string[] } {
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
