// The KIND workflow, as upstream's `make kind`, in one command each:
//
//   npm run kind:up     [-- --name local-hands --config kind/cluster.yaml --timeout 300 --profile gateway]
//   npm run kind:down   [-- --name local-hands]
//   npm run status      [-- --name local-hands]
//
// kind:up checks its tools first (Docker daemon, kind, kubectl) and changes nothing if one is missing;
// then re-synthesizes if dist/ or kind/ is stale, creates the cluster only if it does not exist, applies
// dist/ with context kind-<name>, and waits (with progress and a timeout) for ubuntu-dev, the ingress
// controller and its admission webhook. Running it twice is safe. With --profile, the profile is synthesized into
// a scratch folder instead, applied server-side (its CRD files first), and every Deployment in it is waited for.
import { spawn, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { parseArgs } from 'util';
import { parseAllDocuments } from 'yaml';
import { UsageError, helpCommand, usageErrorLine } from '../app/cli-args';
import { PROFILES } from '../app/profiles';
import { readTree } from '../src/files';

// The project folder: where npm runs its scripts (a clone of local-hands), or where a user runs the installed
// package's `local-hands kind` (their own project, with their dist/ and kind/).
const ROOT = process.cwd();

/** The synth command line: the launcher of a clone of local-hands, else the installed package's compiled bin. */
function synthCommand(...flags: string[]): string[] {
  const launcher = path.join(ROOT, 'tools', 'launcher', 'run.cjs');
  if (fs.existsSync(launcher) && fs.existsSync(path.join(ROOT, 'main.ts'))) return [launcher, 'main.ts', ...flags];
  return [path.join(__dirname, 'local-hands.js'), 'synth', ...flags];
}

interface Options { name: string; config: string; timeout: number; profile?: string; configGiven?: boolean }

const USAGE = `usage: npm run kind:up|kind:down|status -- (or: local-hands kind up|down, local-hands status) [--name NAME] [--config FILE] [--timeout SECONDS] [--profile NAME]
  --name     KIND cluster name (context kind-<name>)          default local-hands
  --config   KIND config file, for up                         default kind/cluster.yaml (the profile's with --profile)
  --timeout  seconds to wait for the stack to be ready, for up default 300
  --profile  synthesize and apply this profile, for up        (${Object.keys(PROFILES).join(', ')}) default: dist/ as committed`;

const say = (s: string) => process.stdout.write(`${s}\n`);
const warn = (s: string) => process.stderr.write(`${s}\n`);

interface Run { code: number; stdout: string; stderr: string; missing: boolean }

function run(cmd: string, args: string[], opts: { input?: string } = {}): Run {
  const r = spawnSync(cmd, args, { encoding: 'utf8', input: opts.input, cwd: ROOT });
  const missing = (r.error as NodeJS.ErrnoException | undefined)?.code === 'ENOENT';
  return { code: r.status ?? (missing ? 127 : 1), stdout: r.stdout ?? '', stderr: r.stderr ?? String(r.error ?? ''), missing };
}

/** Runs a command with its output shown, for the steps that take a while. */
function runShown(cmd: string, args: string[]): Promise<number> {
  return new Promise(resolve => {
    const child = spawn(cmd, args, { cwd: ROOT, stdio: 'inherit' });
    child.on('error', () => resolve(127));
    child.on('exit', code => resolve(code ?? 1));
  });
}

const firstLine = (s: string) => s.trim().split('\n')[0] ?? '';

/** Each missing tool gets its own message saying what to install. Returns the problems found. */
function preflight(need: { docker: boolean; kind: boolean; kubectl: boolean }): string[] {
  const problems: string[] = [];
  if (need.docker) {
    const v = run('docker', ['version', '--format', '{{.Server.Version}}']);
    if (v.missing) problems.push('docker is not on PATH: install Docker Engine or Docker Desktop (https://docs.docker.com/get-docker/); KIND runs its nodes as containers.');
    else if (v.code !== 0 || !v.stdout.trim()) problems.push(`the Docker daemon is not reachable (${firstLine(v.stderr) || `docker exited ${v.code}`}): start Docker (e.g. \`sudo systemctl start docker\` or open Docker Desktop).`);
    else say(`  docker  server ${v.stdout.trim()}`);
  }
  if (need.kind) {
    const v = run('kind', ['version']);
    if (v.missing) problems.push('kind is not on PATH: install it (https://kind.sigs.k8s.io/docs/user/quick-start/#installation, e.g. `go install sigs.k8s.io/kind@v0.29.0`).');
    else if (v.code !== 0) problems.push(`\`kind version\` failed: ${firstLine(v.stderr)}`);
    else say(`  kind    ${firstLine(v.stdout)}`);
  }
  if (need.kubectl) {
    const v = run('kubectl', ['version', '--client']);
    if (v.missing) problems.push('kubectl is not on PATH: install it (https://kubernetes.io/docs/tasks/tools/#kubectl).');
    else if (v.code !== 0) problems.push(`\`kubectl version --client\` failed: ${firstLine(v.stderr)}`);
    else say(`  kubectl ${firstLine(v.stdout)}`);
  }
  return problems;
}

function clusterExists(name: string): boolean {
  const r = run('kind', ['get', 'clusters']);
  if (r.code !== 0) throw new Error(`\`kind get clusters\` failed: ${firstLine(r.stderr)}`);
  return r.stdout.split('\n').map(s => s.trim()).includes(name);
}

/** Synthesizes into a scratch folder; if dist/ or kind/ differ, runs the real synth. */
function synthIfStale(): boolean {
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'lh-kind-synth-'));
  try {
    const env = { ...process.env, CDK8S_OUTDIR: path.join(scratch, 'dist'), LOCAL_HANDS_KIND_DIR: path.join(scratch, 'kind') };
    const app = synthCommand();
    const probe = spawnSync(process.execPath, app, { cwd: ROOT, env, encoding: 'utf8' });
    if (probe.status !== 0) throw new Error(`synth failed:\n${probe.stderr}`);
    const same = JSON.stringify(readTree(path.join(scratch, 'dist'))) === JSON.stringify(readTree(path.join(ROOT, 'dist')))
      && JSON.stringify(readTree(path.join(scratch, 'kind'))) === JSON.stringify(readTree(path.join(ROOT, 'kind')));
    if (same) return false;
    const real = spawnSync(process.execPath, app, { cwd: ROOT, encoding: 'utf8', env: { ...process.env, CDK8S_OUTDIR: 'dist', LOCAL_HANDS_KIND_DIR: 'kind' } });
    if (real.status !== 0) throw new Error(`synth failed:\n${real.stderr}`);
    return true;
  } finally {
    fs.rmSync(scratch, { recursive: true, force: true });
  }
}

function kubectlJson(context: string, args: string[]): any | undefined {
  const r = run('kubectl', ['--context', context, ...args, '-o', 'json']);
  if (r.code !== 0) return undefined;
  try {
    return JSON.parse(r.stdout);
  } catch {
    return undefined;
  }
}

interface Check { what: string; ready: (context: string) => string | true }

/** `true` when the Deployment reports Available, else what it is waiting for. */
const deploymentAvailable = (namespace: string, name: string): Check => ({
  what: `deployment ${namespace}/${name}`,
  ready: context => {
    const d = kubectlJson(context, ['-n', namespace, 'get', 'deployment', name]);
    if (!d) return 'not found yet';
    const available = (d.status?.conditions ?? []).find((c: any) => c.type === 'Available');
    if (available?.status === 'True') return true;
    return `${d.status?.availableReplicas ?? 0}/${d.spec?.replicas ?? 1} available`;
  },
});

/**
 * The admission webhook accepts Ingress objects once its certificate Job has patched the CA into the
 * webhook configuration and the controller behind its Service is ready.
 */
const webhookReady = (namespace: string): Check => ({
  what: 'ingress-nginx admission webhook',
  ready: context => {
    const vwc = kubectlJson(context, ['get', 'validatingwebhookconfiguration', 'ingress-nginx-admission']);
    if (!vwc) return 'webhook configuration not found yet';
    if (!vwc.webhooks?.every((w: any) => w.clientConfig?.caBundle)) return 'waiting for the certificate Job to patch its CA bundle';
    const slices = kubectlJson(context, ['-n', namespace, 'get', 'endpointslices', '-l', 'kubernetes.io/service-name=ingress-nginx-controller-admission']);
    const ready = (slices?.items ?? []).some((s: any) => (s.endpoints ?? []).some((e: any) => e.conditions?.ready));
    return ready ? true : 'no ready endpoint behind ingress-nginx-controller-admission yet';
  },
});

async function waitFor(context: string, checks: Check[], timeoutS: number): Promise<boolean> {
  const deadline = Date.now() + timeoutS * 1000;
  let last = '';
  for (;;) {
    const states = checks.map(c => ({ c, s: c.ready(context) }));
    const pending = states.filter(x => x.s !== true);
    const line = pending.map(x => `${x.c.what}: ${x.s}`).join('; ');
    if (pending.length === 0) {
      for (const c of checks) say(`  ready: ${c.what}`);
      return true;
    }
    if (Date.now() > deadline) {
      warn(`timed out after ${timeoutS} s; not ready:`);
      for (const x of pending) warn(`  ${x.c.what}: ${x.s}`);
      return false;
    }
    if (line !== last) say(`  waiting (${Math.round((deadline - Date.now()) / 1000)} s left): ${line}`);
    last = line;
    await new Promise(r => setTimeout(r, 2000));
  }
}

/** kind:up's preflight: Docker, kind and kubectl, each missing piece in its own message; false when any is. */
function preflightUp(): boolean {
  say('preflight:');
  const problems = preflight({ docker: true, kind: true, kubectl: true });
  for (const p of problems) warn(`kind:up: ${p}`);
  if (problems.length > 0) warn('kind:up: nothing was changed.');
  return problems.length === 0;
}

async function up(o: Options): Promise<number> {
  if (o.profile !== undefined) return upProfile(o, o.profile);
  if (!preflightUp()) return 1;
  say(synthIfStale() ? 'dist/ or kind/ was stale: synthesized.' : 'dist/ and kind/ are up to date.');
  const context = `kind-${o.name}`;
  if (clusterExists(o.name)) {
    say(`cluster ${o.name} exists: not creating it.`);
  } else {
    say(`creating cluster ${o.name} from ${path.relative(ROOT, o.config) || o.config} ...`);
    const code = await runShown('kind', ['create', 'cluster', '--name', o.name, '--config', o.config]);
    if (code !== 0) {
      warn(`kind:up: \`kind create cluster\` exited ${code}.`);
      return 1;
    }
  }
  say(`applying dist/ with context ${context} ...`);
  const applied = await runShown('kubectl', ['--context', context, 'apply', '-f', path.join(ROOT, 'dist')]);
  if (applied !== 0) {
    warn(`kind:up: \`kubectl apply -f dist\` exited ${applied}.`);
    return 1;
  }
  const ubuntu = findDeployment('ubuntu-dev');
  const ok = await waitFor(context, [
    deploymentAvailable(ubuntu ?? 'default', 'ubuntu-dev'),
    deploymentAvailable('ingress-nginx', 'ingress-nginx-controller'),
    webhookReady('ingress-nginx'),
  ], o.timeout);
  if (!ok) return 1;
  say(`local-hands is up: kubectl --context ${context} get pods -A`);
  return 0;
}

/** Synthesizes a profile into a scratch folder (manifests in dist/, the KIND config in kind/); returns the folder. */
function synthProfile(profile: string): string {
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), `lh-kind-${profile}-`));
  const env = { ...process.env, CDK8S_OUTDIR: path.join(scratch, 'dist'), LOCAL_HANDS_KIND_DIR: path.join(scratch, 'kind') };
  const r = spawnSync(process.execPath, synthCommand('--profile', profile), { cwd: ROOT, env, encoding: 'utf8' });
  if (r.status !== 0) {
    fs.rmSync(scratch, { recursive: true, force: true });
    throw new Error(`synth of profile ${profile} failed:\n${r.stderr}`);
  }
  return scratch;
}

/** The objects of each manifest file of a folder, in name order. */
function folderObjects(dir: string): { file: string; objects: any[] }[] {
  return fs.readdirSync(dir).filter(f => /\.ya?ml$/.test(f)).sort().map(f => ({
    file: path.join(dir, f),
    objects: parseAllDocuments(fs.readFileSync(path.join(dir, f), 'utf8')).map(d => d.toJS()).filter(o => o?.kind),
  }));
}

/**
 * Applies a folder server-side: the files holding CustomResourceDefinitions first, until Established, then the
 * whole folder. kubectl maps every object of an invocation before applying any, so the objects of a CRD cannot
 * be in the invocation that creates it.
 */
async function applyServerSide(context: string, dir: string, timeoutS: number): Promise<boolean> {
  const files = folderObjects(dir);
  const crdFiles = files.filter(f => f.objects.some(o => o.kind === 'CustomResourceDefinition'));
  const apply = ['--context', context, 'apply', '--server-side', '--field-manager=local-hands'];
  if (crdFiles.length > 0) {
    say(`applying the CRDs (${crdFiles.map(f => path.basename(f.file)).join(', ')}) server-side ...`);
    if (await runShown('kubectl', [...apply, ...crdFiles.flatMap(f => ['-f', f.file])]) !== 0) return false;
    const names = crdFiles.flatMap(f => f.objects.filter(o => o.kind === 'CustomResourceDefinition').map(o => `crd/${o.metadata.name}`));
    if (await runShown('kubectl', ['--context', context, 'wait', '--for=condition=Established', `--timeout=${timeoutS}s`, ...names]) !== 0) return false;
  }
  say(`applying ${files.length} files server-side with context ${context} ...`);
  return await runShown('kubectl', [...apply, '-f', dir]) === 0;
}

/** kind:up for a profile: synthesize it, create the cluster from its KIND config, apply, wait for its Deployments. */
async function upProfile(o: Options, profile: string): Promise<number> {
  if (!preflightUp()) return 1;
  const scratch = synthProfile(profile);
  try {
    say(`synthesized profile ${profile} into ${scratch}`);
    const config = o.configGiven ? o.config : path.join(scratch, 'kind', 'cluster.yaml');
    const context = `kind-${o.name}`;
    if (clusterExists(o.name)) say(`cluster ${o.name} exists: not creating it.`);
    else {
      say(`creating cluster ${o.name} from ${config} ...`);
      const code = await runShown('kind', ['create', 'cluster', '--name', o.name, '--config', config]);
      if (code !== 0) return failed(`\`kind create cluster\` exited ${code}.`);
    }
    const dist = path.join(scratch, 'dist');
    if (!await applyServerSide(context, dist, o.timeout)) return failed(`applying profile ${profile} failed.`);
    const deployments = folderObjects(dist).flatMap(f => f.objects).filter(x => x.kind === 'Deployment');
    const ok = await waitFor(context, deployments.map(d => deploymentAvailable(d.metadata.namespace ?? 'default', d.metadata.name)), o.timeout);
    if (!ok) return 1;
    say(`local-hands (profile ${profile}) is up: kubectl --context ${context} get pods -A`);
    return 0;
  } finally {
    fs.rmSync(scratch, { recursive: true, force: true });
  }
}

function failed(message: string): number {
  warn(`kind:up: ${message}`);
  return 1;
}

/** The namespace dist/ puts a Deployment in (unset means the context's namespace, `default` on KIND). */
function findDeployment(name: string): string | undefined {
  const dist = path.join(ROOT, 'dist');
  for (const f of fs.readdirSync(dist).sort()) {
    for (const doc of parseAllDocuments(fs.readFileSync(path.join(dist, f), 'utf8'))) {
      const o = doc.toJS();
      if (o?.kind === 'Deployment' && o.metadata?.name === name) return o.metadata.namespace ?? 'default';
    }
  }
  return undefined;
}

/**
 * Deletes the cluster; idempotent: no cluster (or no Docker daemon or kind, so none can be running here) is no
 * error, as `kind delete cluster` itself treats a missing cluster.
 */
async function down(o: Options): Promise<number> {
  const problems = preflight({ docker: true, kind: true, kubectl: false });
  if (problems.length > 0) {
    for (const p of problems) say(`kind:down: ${p}`);
    say(`kind:down: no cluster named ${o.name} can be running without them: nothing to delete.`);
    return 0;
  }
  if (!clusterExists(o.name)) {
    say(`no cluster named ${o.name}: nothing to delete.`);
    return 0;
  }
  const code = await runShown('kind', ['delete', 'cluster', '--name', o.name]);
  return code === 0 ? 0 : 1;
}

function status(o: Options): number {
  const context = `kind-${o.name}`;
  const problems = preflight({ docker: false, kind: false, kubectl: true });
  if (problems.length > 0) {
    for (const p of problems) warn(`status: ${p}`);
    return 1;
  }
  // Exit 2 is for a command line that cannot run; a cluster that is down or a missing kubectl is a status: 1.
  const nodes = kubectlJson(context, ['get', 'nodes']);
  if (!nodes) {
    warn(`status: cannot reach context ${context}: is the cluster up? (npm run kind:up)`);
    return 1;
  }
  const shown = run('kubectl', ['--context', context, 'get', 'nodes,deployments,services,ingresses', '-A', '-o', 'wide']);
  process.stdout.write(shown.stdout);
  const notReady: string[] = [];
  for (const n of nodes.items) {
    const ready = (n.status?.conditions ?? []).find((c: any) => c.type === 'Ready');
    if (ready?.status !== 'True') notReady.push(`node ${n.metadata.name}: ${ready?.reason ?? 'not Ready'}`);
  }
  for (const d of kubectlJson(context, ['get', 'deployments', '-A'])?.items ?? []) {
    const want = d.spec?.replicas ?? 1;
    const have = d.status?.availableReplicas ?? 0;
    if (have < want) notReady.push(`deployment ${d.metadata.namespace}/${d.metadata.name}: ${have}/${want} available`);
  }
  for (const i of kubectlJson(context, ['get', 'ingresses', '-A'])?.items ?? []) {
    if (!(i.status?.loadBalancer?.ingress ?? []).length) notReady.push(`ingress ${i.metadata.namespace}/${i.metadata.name}: no address yet`);
  }
  for (const pod of kubectlJson(context, ['get', 'pods', '-A'])?.items ?? []) {
    const why = podNotReadyReason(pod);
    if (why) notReady.push(`pod ${pod.metadata.namespace}/${pod.metadata.name}: ${why}`);
  }
  showWarningEvents(context, Date.now());
  if (notReady.length === 0) {
    say('\nall ready.');
    return 0;
  }
  say('\nnot ready:');
  for (const x of notReady) say(`  ${x}`);
  return 1;
}

/** How many Warning events `status` shows: enough for the current trouble, not the cluster's history. */
const WARNING_EVENTS_SHOWN = 20;

/**
 * Why a pod is not Ready, as the guide's `kubectl describe pod` would show it: a container's waiting or
 * terminated reason, else the scheduler's verdict, else the Ready condition. Undefined for Ready or finished pods.
 */
function podNotReadyReason(pod: any): string | undefined {
  const phase = pod.status?.phase;
  if (phase === 'Succeeded') return undefined;
  const conditions: any[] = pod.status?.conditions ?? [];
  const condition = (type: string) => conditions.find(c => c.type === type);
  if (condition('Ready')?.status === 'True') return undefined;
  const oneLine = (s: string | undefined) => (s ?? '').replace(/\s+/g, ' ').trim();
  const withMessage = (reason: string, message?: string) => (oneLine(message) ? `${reason}: ${oneLine(message)}` : reason);
  const containers: any[] = [...(pod.status?.initContainerStatuses ?? []), ...(pod.status?.containerStatuses ?? [])];
  for (const c of containers) {
    const waiting = c.state?.waiting;
    if (waiting?.reason) return `container ${c.name} waiting: ${withMessage(waiting.reason, waiting.message)}`;
    const terminated = c.state?.terminated;
    if (terminated && (phase === 'Failed' || terminated.exitCode !== 0)) {
      return `container ${c.name} terminated: ${withMessage(terminated.reason ?? 'Error', terminated.message)} (exit code ${terminated.exitCode})`;
    }
  }
  const scheduled = condition('PodScheduled');
  if (scheduled?.status === 'False') return withMessage(scheduled.reason ?? 'not scheduled', scheduled.message);
  const ready = condition('Ready');
  if (ready) return withMessage(ready.reason ?? 'not Ready', ready.message);
  return phase ? `phase ${phase}` : 'no status yet';
}

/** When an event last happened: events from the events.k8s.io API carry eventTime and series, older ones lastTimestamp. */
function eventTime(e: any): number {
  const t = e.series?.lastObservedTime ?? e.lastTimestamp ?? e.eventTime ?? e.firstTimestamp ?? e.metadata?.creationTimestamp;
  const ms = t ? Date.parse(t) : NaN;
  return Number.isNaN(ms) ? 0 : ms;
}

/** An age as kubectl prints it: 45s, 12m, 3h, 2d. */
function age(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  if (s < 120) return `${s}s`;
  if (s < 120 * 60) return `${Math.floor(s / 60)}m`;
  if (s < 48 * 3600) return `${Math.floor(s / 3600)}h`;
  return `${Math.floor(s / 86400)}d`;
}

/** The recent Warning events of every namespace, newest last, as aligned columns. */
function warningEventLines(events: readonly any[], now: number, limit = WARNING_EVENTS_SHOWN): string[] {
  const recent = [...events].sort((a, b) => eventTime(a) - eventTime(b)).slice(-limit);
  const rows = recent.map(e => {
    const count = e.series?.count ?? e.count ?? 1;
    const object = `${(e.involvedObject?.kind ?? e.regarding?.kind ?? '').toLowerCase()}/${e.involvedObject?.name ?? e.regarding?.name ?? ''}`;
    const message = (e.message ?? e.note ?? '').replace(/\s+/g, ' ').trim();
    return [age(now - eventTime(e)), e.metadata?.namespace ?? '', object, e.reason ?? '', count > 1 ? `${message} (x${count})` : message];
  });
  const table = [['AGE', 'NAMESPACE', 'OBJECT', 'REASON', 'MESSAGE'], ...rows];
  const widths = [0, 1, 2, 3].map(i => Math.max(...table.map(r => r[i].length)));
  return table.map(r => r.map((cell, i) => (i < 4 ? cell.padEnd(widths[i]) : cell)).join('  ').trimEnd());
}

/** The guide's `kubectl get events -A --field-selector type=Warning`, sorted and capped. */
function showWarningEvents(context: string, now: number): void {
  const events = kubectlJson(context, ['get', 'events', '-A', '--field-selector', 'type=Warning']);
  if (!events) {
    say('\nwarning events: could not list them');
    return;
  }
  const items: any[] = events.items ?? [];
  if (items.length === 0) {
    say('\nno warning events.');
    return;
  }
  const shown = Math.min(items.length, WARNING_EVENTS_SHOWN);
  say(`\nwarning events (newest last${shown === items.length ? '' : `; the ${shown} newest of ${items.length}`}):`);
  for (const line of warningEventLines(items, now)) say(`  ${line}`);
}

/** The npm script of each command, which also starts its messages. */
const SCRIPTS: Readonly<Record<string, string>> = { up: 'kind:up', down: 'kind:down', status: 'status' };

/** The command and its options from the command line, or a UsageError; undefined for --help. */
function parse(argv: string[]): { command: string; o: Options } | undefined {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: { name: { type: 'string' }, config: { type: 'string' }, timeout: { type: 'string' }, profile: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
    });
  } catch (e) {
    throw new UsageError((e as Error).message.split('\n')[0]);
  }
  const { values, positionals } = parsed;
  if (values.help) return undefined;
  const command = positionals[0];
  if (command === undefined) throw new UsageError(`missing the command: use ${Object.keys(SCRIPTS).join(', ')}`);
  if (!Object.prototype.hasOwnProperty.call(SCRIPTS, command)) throw new UsageError(`unknown command ${JSON.stringify(command)}: use ${Object.keys(SCRIPTS).join(', ')}`);
  if (positionals.length > 1) throw new UsageError(`unexpected argument ${JSON.stringify(positionals[1])} (only flags follow the command)`);
  const timeout = values.timeout === undefined ? 300 : Number(values.timeout);
  if (!Number.isInteger(timeout) || timeout <= 0) throw new UsageError(`--timeout must be a whole number of seconds above 0, got ${JSON.stringify(values.timeout)}`);
  const o: Options = {
    name: values.name ?? 'local-hands',
    config: path.resolve(values.config ?? path.join(ROOT, 'kind', 'cluster.yaml')),
    timeout,
    profile: values.profile,
    configGiven: values.config !== undefined,
  };
  if (o.profile !== undefined) {
    const kindProfiles = Object.entries(PROFILES).filter(([, p]) => p.kind).map(([n]) => n);
    const known = Object.prototype.hasOwnProperty.call(PROFILES, o.profile);
    const problem = command !== 'up' ? '--profile is for up only'
      : !known ? `--profile must be one of ${kindProfiles.join(', ')}, got ${JSON.stringify(o.profile)}`
        : !kindProfiles.includes(o.profile) ? `--profile ${o.profile} is for a real cluster, not KIND (it writes no KIND config): synthesize it and apply dist/ with kubectl (docs/production.md); KIND profiles: ${kindProfiles.join(', ')}`
          : undefined;
    if (problem !== undefined) throw new UsageError(problem);
  }
  if (!/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(o.name)) throw new UsageError(`--name must be a KIND cluster name (a-z, 0-9, "-"), got ${JSON.stringify(o.name)}`);
  if (command === 'up' && values.config !== undefined && !fs.existsSync(o.config)) throw new UsageError(`--config ${values.config}: no such file`);
  return { command, o };
}

async function main(argv: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parse(argv);
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    // Named by its npm script (the scripts give the command first), else by this program's name.
    const script = Object.prototype.hasOwnProperty.call(SCRIPTS, argv[0]) ? SCRIPTS[argv[0]] : undefined;
    warn(usageErrorLine(script ?? 'kind', e.message, helpCommand(script ?? 'kind:up')));
    return 2;
  }
  if (parsed === undefined) {
    say(USAGE);
    return 0;
  }
  const { command, o } = parsed;
  if (command === 'up') return up(o);
  if (command === 'down') return down(o);
  return status(o);
}

main(process.argv.slice(2)).then(code => { process.exitCode = code; }, e => {
  warn(`error: ${(e as Error).message}`);
  process.exitCode = 1;
});
