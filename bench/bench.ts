// npm run bench: times whole processes, side by side, and writes bench/results.local.md (bench/RESULTS.md with --record).
//
// 1. The default app's synth process (the `app` of cdk8s.yaml) against `kubectl kustomize` over the same
//    upstream objects, alternating A and B after a warm-up; median wall time, median of per-pair ratios,
//    min and max, peak RSS.
// 2. `cdk8s synth` (the CLI) against the bare app command: the CLI's own share.
// 3. Every other profile of app/profiles.ts against the default app.
// 4. Scale: the default app plus N sandbox sessions, N = 0 ... 10,000, through `synthApp` (the public fast path).
// Timings are reported, never asserted.
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { parse as parseYaml } from 'yaml';
import { PROFILES, Profile, ProfileName, profileArgs } from '../app/profiles';

const ROOT = path.resolve(__dirname, '..');
/** Upstream's manifests: ../shared/reference when present, else the copy the tests vendor. */
const REFERENCE = path.join([path.resolve(ROOT, '..', 'shared', 'reference'), path.join(ROOT, 'test', 'reference')]
  .find(dir => fs.existsSync(dir)) as string, 'openhands-kind', 'manifests');
const PAIRS = Number(process.env.BENCH_PAIRS ?? '11');
const TIME = fs.existsSync('/usr/bin/time') ? '/usr/bin/time' : undefined;

interface Sample { ms: number; rssKb?: number }

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'lh-bench-'));
process.on('exit', () => fs.rmSync(tmp, { recursive: true, force: true }));

/** Runs a command through `sh -c` (as cdk8s runs `app`), timing the whole process; RSS from /usr/bin/time. */
function runOnce(cmd: string, env: Record<string, string> = {}): Sample {
  const rssFile = path.join(tmp, 'rss');
  const argv = TIME ? [TIME, '-f', '%M', '-o', rssFile, 'sh', '-c', cmd] : ['sh', '-c', cmd];
  const start = process.hrtime.bigint();
  const r = spawnSync(argv[0], argv.slice(1), { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'ignore', 'pipe'] });
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  if (r.status !== 0) throw new Error(`${cmd} failed (${r.status}): ${r.stderr}`);
  const rssKb = TIME ? Number(fs.readFileSync(rssFile, 'utf8').trim().split('\n').pop()) : undefined;
  return { ms, rssKb };
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

interface PairResult { a: Sample[]; b: Sample[]; ratios: number[] }

function pair(a: () => Sample, b: () => Sample, pairs = PAIRS): PairResult {
  a(); b(); // warm-up: page cache, bundle and code cache
  const res: PairResult = { a: [], b: [], ratios: [] };
  for (let i = 0; i < pairs; i++) {
    const x = a();
    const y = b();
    res.a.push(x); res.b.push(y); res.ratios.push(x.ms / y.ms);
  }
  return res;
}

const f = (n: number, d = 1) => n.toFixed(d);
const stats = (s: Sample[]) => {
  const ms = s.map(x => x.ms);
  const rss = s.map(x => x.rssKb ?? NaN);
  return `${f(median(ms))} | ${f(Math.min(...ms))} | ${f(Math.max(...ms))} | ${isNaN(rss[0]) ? 'n/a' : f(Math.max(...rss) / 1024)}`;
};
const ratioRow = (r: number[]) => `${f(median(r), 2)}× (min ${f(Math.min(...r), 2)}×, max ${f(Math.max(...r), 2)}×)`;

function appCommand(): string {
  const cfg = parseYaml(fs.readFileSync(path.join(ROOT, 'cdk8s.yaml'), 'utf8'));
  return cfg.app;
}

function machine(): string {
  const cpu = fs.existsSync('/proc/cpuinfo')
    ? (fs.readFileSync('/proc/cpuinfo', 'utf8').match(/model name\s*:\s*(.*)/)?.[1] ?? os.cpus()[0]?.model)
    : os.cpus()[0]?.model;
  const kubectl = spawnSync('kubectl', ['version', '--client', '-o', 'json'], { encoding: 'utf8' });
  let kv = 'unknown';
  try { kv = JSON.parse(kubectl.stdout).clientVersion.gitVersion; } catch { /* keep unknown */ }
  return `${cpu}, ${os.cpus().length} cores, ${f(os.totalmem() / 2 ** 30, 0)} GiB; Node ${process.version}; kubectl ${kv}; load average at start ${os.loadavg().map(x => f(x, 2)).join(' ')}`;
}

function main(): void {
  const app = appCommand();
  const out = path.join(tmp, 'dist');
  const synthEnv = { CDK8S_OUTDIR: out, LOCAL_HANDS_KIND_DIR: path.join(tmp, 'kind'), LOCAL_HANDS_QUIET_BUILD: '1' };

  // The same upstream objects for kustomize: the reference manifests in a temporary kustomization.
  const kz = path.join(tmp, 'kustomize');
  fs.mkdirSync(kz);
  const files = fs.readdirSync(REFERENCE).filter(x => x.endsWith('.yaml')).sort();
  for (const file of files) fs.copyFileSync(path.join(REFERENCE, file), path.join(kz, file));
  fs.writeFileSync(path.join(kz, 'kustomization.yaml'), `resources:\n${files.map(x => `- ${x}`).join('\n')}\n`);
  const kzObjects = spawnSync('kubectl', ['kustomize', kz], { encoding: 'utf8' }).stdout.split(/^---$/m).length;

  const lines: string[] = [];
  const say = (s = '') => { lines.push(s); process.stdout.write(`${s}\n`); };
  say('# local-hands benchmark');
  say();
  say(`Machine: ${machine()}.`);
  say(`Each comparison alternates A and B after one warm-up run of each, ${PAIRS} pairs; wall time of the whole process in ms (median, min, max), peak RSS in MiB; ratio = A/B per pair.`);
  say();

  // Both sides start with NODE_EXTRA_CA_CERTS unset: with it set, Node 20 parses a certificate bundle before running
  // anything, a cost of the machine, not of either tool (shown separately below when this machine sets it).
  const UNSET = 'env -u NODE_EXTRA_CA_CERTS';
  const synth = () => runOnce(`${UNSET} ${app}`, synthEnv);
  const kustomize = () => runOnce(`${UNSET} kubectl kustomize ${kz} > ${path.join(tmp, 'kz.yaml')}`);
  const p1 = pair(synth, kustomize);
  say(`## 1. Default app synth vs kubectl kustomize (${kzObjects} objects), both with NODE_EXTRA_CA_CERTS unset`);
  say();
  say('| command | median ms | min | max | peak RSS MiB |');
  say('|---|---|---|---|---|');
  say(`| A: \`${app}\` | ${stats(p1.a)} |`);
  say(`| B: \`kubectl kustomize\` | ${stats(p1.b)} |`);
  say();
  say(`A/B: **${ratioRow(p1.ratios)}** (target: at most 1.2×, no pair above 1.35×; ${p1.ratios.filter(r => r > 1.35).length} of ${PAIRS} pairs above 1.35×).`);
  say();
  const floor = pair(() => runOnce(`${UNSET} ${process.execPath} -e 0`), kustomize);
  say(`The floor, Node's own start-up (\`node -e 0\`) against kubectl kustomize: ${ratioRow(floor.ratios)}; median ${f(median(floor.a.map(x => x.ms)))} ms. `
    + `Our own time on top of Node's start-up: ${f(median(p1.a.map(x => x.ms)) - median(floor.a.map(x => x.ms)))} ms.`);
  say();
  const caCerts = process.env.NODE_EXTRA_CA_CERTS;
  if (caCerts !== undefined) {
    const set = pair(() => runOnce(app, synthEnv), kustomize);
    say(`NODE_EXTRA_CA_CERTS is set on this machine (\`${caCerts}\`); the app command started with it, as a user here would: `
      + `${ratioRow(set.ratios)} against kubectl kustomize; median ${f(median(set.a.map(x => x.ms)))} ms.`);
    say();
  }

  const cli = () => runOnce(`node ${path.join(ROOT, 'node_modules', 'cdk8s-cli', 'bin', 'cdk8s')} synth --check-upgrade=false --output ${out}`, synthEnv);
  const p2 = pair(cli, synth);
  say('## 2. `cdk8s synth` (the CLI) vs the bare app command');
  say();
  say('| command | median ms | min | max | peak RSS MiB |');
  say('|---|---|---|---|---|');
  say(`| A: \`cdk8s synth\` | ${stats(p2.a)} |`);
  say(`| B: \`${app}\` | ${stats(p2.b)} |`);
  say();
  say(`A/B: **${ratioRow(p2.ratios)}**; the CLI's own share is about ${f(median(p2.a.map(x => x.ms)) - median(p2.b.map(x => x.ms)), 0)} ms.`);
  say();

  say('## 3. Profiles against the default app');
  say();
  const others = Object.keys(PROFILES).filter(name => name !== 'default');
  if (others.length === 0) say('app/profiles.ts has only the default profile: nothing to compare yet.');
  else {
    say('| profile | median ms | default median ms | A/B (target: at most 1.2×) |');
    say('|---|---|---|---|');
    for (const name of others) {
      const profile: Profile = PROFILES[name as ProfileName];
      const p = pair(() => runOnce(`${UNSET} ${app} --profile ${name} ${profileArgs(profile.example).join(' ')}`, synthEnv), synth);
      say(`| ${name} | ${f(median(p.a.map(x => x.ms)))} | ${f(median(p.b.map(x => x.ms)))} | ${ratioRow(p.ratios)} |`);
    }
  }
  say();

  say('## 4. Scale: default app plus N sandbox sessions, through `synthApp`');
  say();
  say('| N | objects | median ms | min | max | µs per object | peak RSS MiB |');
  say('|---|---|---|---|---|---|---|');
  const runs = Number(process.env.BENCH_SCALE_RUNS ?? '5');
  const scale: { n: number; objects: number; ms: number; rssMiB: number }[] = [];
  for (const n of [0, 10, 100, 1000, 3000, 10000]) {
    const one = () => runOnce(`${process.execPath} tools/launcher/run.cjs bench/fleet-app.ts`, { ...synthEnv, LOCAL_HANDS_FLEET: String(n) });
    one();
    const samples = Array.from({ length: n >= 10000 ? Math.min(runs, 3) : runs }, one);
    const objects = fs.readdirSync(out).reduce((sum, file) => sum + fs.readFileSync(path.join(out, file), 'utf8').split(/^---$/m).length, 0);
    const ms = median(samples.map(x => x.ms));
    scale.push({ n, objects, ms, rssMiB: Math.max(...samples.map(x => x.rssKb ?? NaN)) / 1024 });
    say(`| ${n} | ${objects} | ${f(ms)} | ${f(Math.min(...samples.map(x => x.ms)))} | ${f(Math.max(...samples.map(x => x.ms)))} | ${f((ms * 1000) / objects, 0)} | ${f(Math.max(...samples.map(x => x.rssKb ?? NaN)) / 1024)} |`);
  }
  const at = (n: number) => scale.find(s => s.n === n)!;
  const base = at(0).ms;
  const growth = (from: number, to: number, less = 0) => f(Math.log((at(to).ms - less) / (at(from).ms - less)) / Math.log(at(to).objects / at(from).objects), 2);
  say();
  say(`Growth exponent on wall time from 1,000 to 10,000 sessions: **${growth(1000, 10000)}** (target: at most 1.0); `
    + `${growth(1000, 10000, base)} less the N = 0 start-up; from 1,000 to 3,000: ${growth(1000, 3000)}. `
    + `10,000 sessions (${at(10000).objects} objects): **${f(at(10000).ms / 1000, 2)} s**, peak RSS **${f(at(10000).rssMiB, 0)} MiB** (target: at most 400 MiB; the time is judged against cdk8s's in section 5, since machines differ two- to threefold). `
    + `1,000 sessions: ${f(at(1000).ms / 1000, 2)} s. ${scale.length} sizes, ${runs} runs each (3 at 10,000) after a warm-up; medians.`);
  say();

  // The peer at scale: the same constructs through cdk8s's own app.synth(), alternated with ours in one run.
  say("## 5. 10,000 sessions: our synth against cdk8s's own `app.synth()` of the same constructs");
  say();
  const fleet = (mode: string) => () => runOnce(`${process.execPath} tools/launcher/run.cjs bench/fleet-app.ts`,
    { ...synthEnv, CDK8S_OUTDIR: path.join(tmp, `fleet-${mode}`), LOCAL_HANDS_FLEET: '10000', LOCAL_HANDS_FLEET_SYNTH: mode });
  const peer = pair(fleet('ours'), fleet('cdk8s'), Number(process.env.BENCH_PEER_PAIRS ?? '5'));
  const rss = (s: Sample[]) => Math.max(...s.map(x => x.rssKb ?? NaN)) / 1024;
  say('| synth | median ms | min | max | peak RSS MiB |');
  say('|---|---|---|---|---|');
  say(`| A: ours (\`runSynth\`) | ${stats(peer.a)} |`);
  say(`| B: cdk8s \`app.synth()\` | ${stats(peer.b)} |`);
  say();
  say(`A/B time: **${ratioRow(peer.ratios)}** (target: at most 0.4×); peak memory A/B: **${f(rss(peer.a) / rss(peer.b), 2)}×** (target: at most 0.8×); ${peer.ratios.length} pairs.`);
  say();
  // The tracked results change only when asked to (`npm run bench -- --record`): a bench run is not a commit.
  const file = path.join(ROOT, 'bench', process.argv.includes('--record') ? 'RESULTS.md' : 'results.local.md');
  fs.writeFileSync(file, `${lines.join('\n')}\n`);
  process.stdout.write(`wrote ${path.relative(ROOT, file)}\n`);
}

main();
