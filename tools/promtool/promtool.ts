/**
 * promtool, Prometheus' own rule checker and rule unit tester, built from the Go module proxy by
 * tools/promtool/build.mjs. The monitoring tests run every rule group we emit through it.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

/** What one promtool run printed and how it ended. */
export interface PromtoolResult {
  /** The exit code: 0 when every rule (or every test) passed. */
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

const BUILD_SCRIPT = path.resolve(__dirname, 'build.mjs');

/**
 * The promtool binary: `$LOCAL_HANDS_PROMTOOL` when set, else the cached build (built first when the
 * pins changed or nothing is cached yet, which needs Go 1.26+ and the module proxy).
 */
export function promtoolPath(): string {
  const explicit = process.env.LOCAL_HANDS_PROMTOOL;
  if (explicit) {
    if (!fs.existsSync(explicit)) throw new Error(`LOCAL_HANDS_PROMTOOL=${explicit} does not exist`);
    return explicit;
  }
  const r = spawnSync(process.execPath, [BUILD_SCRIPT, '--print-path'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  if (r.status !== 0) throw new Error('building promtool failed (see above); it needs Go 1.26+: run `node tools/promtool/build.mjs`');
  return r.stdout.trim();
}

function run(args: readonly string[]): PromtoolResult {
  const r = spawnSync(promtoolPath(), [...args], { encoding: 'utf8', timeout: 120_000 });
  if (r.error) throw r.error;
  return { code: r.status ?? 1, stdout: r.stdout, stderr: r.stderr };
}

/** `promtool check rules --lint=all --lint-fatal FILE`: syntax, PromQL and lint of a Prometheus rule file. */
export function checkRules(file: string): PromtoolResult {
  return run(['check', 'rules', '--lint=all', '--lint-fatal', file]);
}

/** `promtool test rules FILE`: runs a rule unit-test file (its `rule_files` resolve relative to it). */
export function testRules(file: string): PromtoolResult {
  return run(['test', 'rules', file]);
}
