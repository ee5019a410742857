import { describe, expect, test } from 'vitest';
import { parseCli } from '../app/cli-args';

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

describe('parseCli', () => {
  test('parses the usual command lines, and refuses a flag given twice or an ambiguous value in one line', () => {
    expect(outcome(() => parseCli(['--profile', 'gateway'], SYNTH))).toEqual({ values: { profile: 'gateway' }, positionals: [] });
    expect(outcome(() => parseCli(['--profile=gateway', '--help'], SYNTH))).toEqual({ values: { profile: 'gateway', help: true }, positionals: [] });
    expect(outcome(() => parseCli(['--sid', 'a', '--out=-'], SANDBOX))).toEqual({ values: { sid: 'a', out: '-' }, positionals: [] });
    expect(outcome(() => parseCli(['--profile', 'a', '--profile', 'b'], SYNTH))).toEqual({ error: 'UsageError: --profile is given more than once: give it once' });
    expect(outcome(() => parseCli(['--profile', '-x'], SYNTH))).toMatchObject({ error: expect.stringMatching(/^UsageError: Option '--profile' argument is ambiguous/) });
  });
});
