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
