import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { parseCli, parseCliStrict } from '../app/cli-args';

type Options = Parameters<typeof parseCli>[1];

/** What a parse gives: its values and positionals as plain data, or its one-line error. */
function outcome(parse: () => { values: object; positionals: string[] }): unknown {
  try {
    const { values, positionals } = parse();
    return { values: { ...values }, positionals };
  } catch (e) {
    return { error: `${(e as Error).name}: ${(e as Error).message}` };
  }
}

const SYNTH: Options = { profile: { type: 'string' }, help: { type: 'boolean', short: 'h' } };
const SANDBOX: Options = { sid: { type: 'string' }, config: { type: 'string' }, out: { type: 'string' }, help: { type: 'boolean', short: 'h' } };

// Flags known and unknown, in every form, values plain, empty, dash-led or flag-like, and the words between.
const TOKENS = [
  '--profile', '--help', '--sid', '--config', '--out', '--profle', '--Profile', '--__proto__', '--toString', '--constructor',
  '--profile=gateway', '--profile=', '--profile=-x', '--profile=a=b', '--help=1', '--help=', '--sid=abc', '--=x', '--',
  '-h', '-x', '-', 'gateway', 'default', 'abc', '', '-1', 'a b', '=', '--h',
];

describe('parseCli', () => {
  test('gives what util.parseArgs gives (parseCliStrict) for any command line: values, positionals or the error', () => {
    fc.assert(fc.property(
      fc.array(fc.constantFrom(...TOKENS), { maxLength: 6 }),
      fc.constantFrom(SYNTH, SANDBOX),
      fc.boolean(),
      (argv, options, positionals) => {
        expect(outcome(() => parseCli(argv, options, positionals))).toEqual(outcome(() => parseCliStrict(argv, options, positionals)));
      },
    ), { numRuns: 5000 });
  });

  test('reads the usual command lines itself, and they parse as expected', () => {
    expect(outcome(() => parseCli(['--profile', 'gateway'], SYNTH))).toEqual({ values: { profile: 'gateway' }, positionals: [] });
    expect(outcome(() => parseCli(['--profile=gateway', '--help'], SYNTH))).toEqual({ values: { profile: 'gateway', help: true }, positionals: [] });
    expect(outcome(() => parseCli(['--sid', 'a', '--out=-'], SANDBOX))).toEqual({ values: { sid: 'a', out: '-' }, positionals: [] });
    expect(outcome(() => parseCli(['--profile', 'a', '--profile', 'b'], SYNTH))).toEqual({ error: 'UsageError: --profile is given more than once: give it once' });
    expect(outcome(() => parseCli(['--profile', '-x'], SYNTH))).toMatchObject({ error: expect.stringMatching(/^UsageError: Option '--profile' argument is ambiguous/) });
  });
});
