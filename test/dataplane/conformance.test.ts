/**
 * The Gateway API conformance suite (sigs.k8s.io/gateway-api/conformance, at the release whose CRDs the project vendors,
 * built by `node tools/conformance/build.mjs`) against the gateway profile's Traefik on the data plane: its core
 * features Gateway, HTTPRoute and ReferenceGrant (the GATEWAY-HTTP profile's core). The suite creates its own
 * Gateways, routes and echo Deployments with the GatewayClass the profile renders; their pods are answered by the
 * harness's backend in echo-basic's format. Every test must pass but the known failures below, each explained here
 * and in docs/testing.md; a known failure that starts passing fails this file too, so the list cannot rot.
 */
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { DataPlane, startDataPlane } from '../../tools/dataplane/harness';
import { ROOT, parseDocs } from '../util';

const FEATURES = ['Gateway', 'HTTPRoute', 'ReferenceGrant'];
/** The suite's release (tools/conformance/go.mod): the CRDs the profile applies must be of the same one. */
const SUITE_VERSION = /sigs\.k8s\.io\/gateway-api\/conformance (v\d+\.\d+\.\d+)/.exec(fs.readFileSync(path.join(ROOT, 'tools', 'conformance', 'go.mod'), 'utf8'))![1];

/** Tests that fail on the gateway profile's Traefik, and why (docs/testing.md, "Gateway API conformance"). */
const KNOWN_FAILURES: Record<string, string> = {
  HTTPRouteMultipleGateways:
    'one Traefik serves every Gateway of its class on one entry point per port at one address: the test\'s two ' +
    'Gateways both listen on 80, so their routes for `/` become two routers with the same rule and priority on that ' +
    'entry point, and a request for `/` is routed by whichever one Traefik picks, not by the Gateway it was sent ' +
    'to. Traefik skips this test in its own conformance run.',
};

/**
 * What the run adds to the profile's Traefik, as Traefik's own conformance run does:
 * - the suite's Gateways listen on 80 (HTTP) and 443 (HTTPS), and Traefik binds a Gateway listener to the entry point
 *   of that port; the profile's entry points are 8000 and 8443 (its Service maps 80 and 443 to them), so two more,
 *   on the run's loopback address like the others;
 * - the suite sends its requests to the address in each Gateway's status. The profile's Traefik copies it from its
 *   Service's load-balancer address, which the NodePort Service of KIND never has (the API server refuses one for a
 *   NodePort Service), so the run names the address Traefik listens on instead (`statusaddress.ip`, which Traefik
 *   prefers to `statusaddress.service`).
 */
const SUITE_ARGS = [
  '--entryPoints.gateway80.address=:80/tcp',
  '--entryPoints.gateway443.address=:443/tcp',
  '--providers.kubernetesgateway.statusaddress.ip={address}',
];

/** The whole run is bounded: the suite's own timeout, and a kill a little later. */
const SUITE_TIMEOUT_S = 600;

type Outcome = 'PASS' | 'FAIL' | 'SKIP';

/** The suite binary's path, or an error saying how to build it (the build is a step of its own: never in a test). */
function suiteBinary(): string {
  const r = spawnSync(process.execPath, [path.join(ROOT, 'tools', 'conformance', 'build.mjs'), '--check'], { encoding: 'utf8' });
  if (r.status === 0) return r.stdout.trim();
  throw new Error('The Gateway API conformance suite is not built: run `node tools/conformance/build.mjs` first (about 2.5 min cold)');
}

/** The Traefik Deployment's container in the profile's dist/. */
function traefikContainer(dist: string): any {
  for (const f of fs.readdirSync(dist).filter(x => x.endsWith('.yaml'))) {
    const d = parseDocs(fs.readFileSync(path.join(dist, f), 'utf8')).find(x => x?.kind === 'Deployment' && /(^|\/)traefik:/.test(x.spec.template.spec.containers[0].image));
    if (d) return d.spec.template.spec.containers[0];
  }
  throw new Error(`no Traefik Deployment in ${dist}`);
}

/** Runs the suite, bounded in time; resolves to its output (go test -v) whatever its exit code. */
function runSuite(bin: string, kubeconfig: string, report: string, version: string): Promise<{ code: number | null; output: string }> {
  const args = [
    '-test.run', '^TestConformance$', '-test.v', `-test.timeout=${SUITE_TIMEOUT_S}s`,
    `--kubeconfig=${kubeconfig}`, '--gateway-class=traefik',
    '--conformance-profiles=GATEWAY-HTTP', `--supported-features=${FEATURES.join(',')}`,
    `--report-output=${report}`,
    '--organization=local-hands', '--project=traefik (gateway profile)', '--url=https://github.com/traefik/traefik',
    `--version=${version}`, '--contact=local-hands',
    // Traefik here sees a change within a second or two: Traefik's own run shortens the same waits to 30 s.
    '--timeout-config-overrides=GatewayMustHaveAddress:30;GatewayMustHaveCondition:30;GWCMustBeAccepted:30;NamespacesMustBeReady:120',
  ];
  return new Promise(resolve => {
    const child = spawn(bin, args, { cwd: path.dirname(report), stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.setEncoding('utf8').on('data', d => { output += d; });
    child.stderr.setEncoding('utf8').on('data', d => { output += d; });
    const kill = setTimeout(() => child.kill('SIGKILL'), (SUITE_TIMEOUT_S + 60) * 1000);
    child.on('close', code => { clearTimeout(kill); resolve({ code, output }); });
  });
}

/** Each of the suite's tests (TestConformance's direct subtests) with its outcome, from `go test -v` output. */
function outcomes(output: string): Map<string, { outcome: Outcome; seconds: number }> {
  const found = new Map<string, { outcome: Outcome; seconds: number }>();
  for (const m of output.matchAll(/^ {4}--- (PASS|FAIL|SKIP): TestConformance\/([^/\s]+) \(([\d.]+)s\)$/gm)) {
    found.set(m[2], { outcome: m[1] as Outcome, seconds: Number(m[3]) });
  }
  return found;
}

/** The first lines of a failed test's log that say what it expected (go test -v prints a test's log after its RUN line). */
function failureLines(output: string, name: string): string[] {
  const start = output.indexOf(`=== RUN   TestConformance/${name}\n`);
  if (start < 0) return [];
  const rest = output.slice(start + 1);
  const next = rest.search(new RegExp(`^=== RUN   TestConformance/(?!${name}[/\\n])`, 'm'));
  const lines = rest.slice(0, next < 0 ? undefined : next).split('\n').filter(l => /Error:|expected|timeout/.test(l))
    // `file.go:N: <time>: ` and the request's dump left out: what was expected and what came is at the end.
    .map(l => l.trim().replace(/^\S+:\d+: \S+Z: /, '').replace(/Response expectation failed for request: .*?\}\s+(?=not ready yet)/, '').replace(/\s*\(after [^)]*\)$/, '').slice(0, 300));
  // The last ones: how it ended, after the routes settled.
  return [...new Set(lines)].slice(-5);
}

describe('the Gateway API conformance suite on the gateway profile\'s Traefik', () => {
  let plane: DataPlane;
  let dir = '';
  let reportFile = '';
  let run: { code: number | null; output: string };
  let results: Map<string, { outcome: Outcome; seconds: number }>;
  let report: any;

  beforeAll(async () => {
    const bin = suiteBinary();
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lh-conformance-'));
    reportFile = path.join(dir, 'report.yaml');
    plane = await startDataPlane({ profile: 'gateway', traefikArgs: SUITE_ARGS });
    const container = traefikContainer(plane.dist);
    const started = Date.now();
    run = await runSuite(bin, plane.cp.kubeconfig, reportFile, container.image.split(':').pop());
    fs.writeFileSync(path.join(dir, 'suite.log'), run.output);
    results = outcomes(run.output);
    report = fs.existsSync(reportFile) ? parseYaml(fs.readFileSync(reportFile, 'utf8')) : undefined;
    const count = (o: Outcome) => [...results.values()].filter(r => r.outcome === o).length;
    const line = (name: string, r: { outcome: Outcome; seconds: number }) => `[conformance] ${r.outcome} ${name} (${r.seconds}s)` + (r.outcome !== 'FAIL' ? ''
      : `${Object.hasOwn(KNOWN_FAILURES, name) ? `: known, ${KNOWN_FAILURES[name]}` : ''}\n    ${failureLines(run.output, name).join('\n    ')}`);
    console.log([
      ...[...results].filter(([, r]) => r.outcome !== 'SKIP').map(([name, r]) => line(name, r)),
      `[conformance] ${count('PASS')} passed, ${count('FAIL')} failed, ${count('SKIP')} skipped (features not claimed) in ${((Date.now() - started) / 1000).toFixed(0)} s`,
    ].join('\n'));
  }, (SUITE_TIMEOUT_S + 300) * 1000);

  afterAll(async () => {
    await plane?.stop();
    // The suite's log and report stay when it wrote no report or a failure is not a known one (the failing test names the folder).
    const keep = run && (!report || [...results].some(([n, r]) => r.outcome === 'FAIL' && !Object.hasOwn(KNOWN_FAILURES, n)));
    if (dir && !keep) fs.rmSync(dir, { recursive: true, force: true });
  });

  test('the suite ran its core tests of Gateway, HTTPRoute and ReferenceGrant and wrote its report for GATEWAY-HTTP', () => {
    expect(run.output, run.output.slice(-3000)).toMatch(/^=== RUN +TestConformance$/m);
    expect(report, `no report (the whole log: ${path.join(dir, 'suite.log')}):\n${run.output.slice(-3000)}`).toBeDefined();
    // The version and channel of the CRDs installed (the vendored ones), which the suite checks against its own.
    expect(report).toMatchObject({ kind: 'ConformanceReport', gatewayAPIVersion: SUITE_VERSION, gatewayAPIChannel: 'standard' });
    const profile = report.profiles?.find((p: any) => p.name === 'GATEWAY-HTTP');
    expect(profile, JSON.stringify(report)).toBeDefined();
    const failed = [...results].filter(([, r]) => r.outcome === 'FAIL').map(([n]) => n).sort();
    // The report's core tally is the tests run for the three features (none skipped among them).
    expect(profile.core.statistics).toEqual({ Passed: [...results.values()].filter(r => r.outcome === 'PASS').length, Failed: failed.length, Skipped: 0 });
    expect([...(profile.core.failedTests ?? [])].sort()).toEqual(failed);
    expect(profile.core.statistics.Passed).toBeGreaterThan(30);
  });

  test('every test passed but the known failures, each with its reason', () => {
    const failed = [...results].filter(([, r]) => r.outcome === 'FAIL').map(([n]) => n);
    const unexplained = failed.filter(n => !Object.hasOwn(KNOWN_FAILURES, n));
    const why = unexplained.map(n => `${n}:\n  ${failureLines(run.output, n).join('\n  ')}`).join('\n');
    expect(unexplained, `failed, not in KNOWN_FAILURES (the whole log: ${path.join(dir, 'suite.log')}):\n${why}`).toEqual([]);
  });

  test('a known failure that passes now is reported, so the list does not rot', () => {
    expect(results.size, 'the suite reported no test').toBeGreaterThan(0);
    const passing = Object.keys(KNOWN_FAILURES).filter(n => results.get(n)?.outcome !== 'FAIL');
    expect(passing, 'these pass (or no longer run) now: remove them from KNOWN_FAILURES and from docs/testing.md').toEqual([]);
  });
});
