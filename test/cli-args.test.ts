import { describe, expect, test } from 'vitest';
import { BIN_COMMAND_ENV, helpCommand, parseCli, usageErrorLine } from '../app/cli-args';

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

describe('usageErrorLine', () => {
  test('one line: the program, the message, and how to ask for the usage', () => {
    expect(usageErrorLine('sandbox', 'missing --sid', helpCommand('sandbox', {}))).toBe('sandbox: missing --sid; npm run sandbox -- --help shows the usage');
    expect(usageErrorLine('local-hands', "Unknown option '--x'", 'local-hands synth --help')).toBe("local-hands: Unknown option '--x'; local-hands synth --help shows the usage");
    // A message that is not one line still gives one.
    expect(usageErrorLine('kind:up', 'a\n  b\n', 'npm run kind:up -- --help').split('\n')).toEqual(['kind:up: a b; npm run kind:up -- --help shows the usage']);
  });

  test("the help command is the npm script's, or the bin's command when the bin runs the program", () => {
    expect(helpCommand('kind:down', {})).toBe('npm run kind:down -- --help');
    expect(helpCommand('status', { [BIN_COMMAND_ENV]: 'local-hands status' })).toBe('local-hands status --help');
    expect(helpCommand('sandbox', { [BIN_COMMAND_ENV]: '' })).toBe('npm run sandbox -- --help');
  });
});
