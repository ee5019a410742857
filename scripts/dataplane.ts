// npm run dataplane -- [--profile gateway|production|default] [--apply FILE]... [--check]
// Brings a profile up on the real control plane with Traefik built from source routing real HTTP to kwok pods
// materialized as backends; prints the entry URLs and the KUBECONFIG and stays up until Ctrl-C (or, with --check,
// runs the scripted requests and exits 0 or 1).
import { parseArgs } from 'util';
import { UsageError, helpCommand, usageErrorLine } from '../app/cli-args';
import { addGatewayStack } from '../app/gateway-stack';
import { PROFILES, ProfileName } from '../app/profiles';
import { DataPlane, Reply, dataPlaneUnavailable, startDataPlane } from '../tools/dataplane/harness';

const USAGE = `usage: npm run dataplane -- [--profile gateway|production|default] [--apply FILE]... [--check]
  --profile  the profile applied (default gateway); default stands in Traefik's ingress-nginx provider for
             ingress-nginx, whose data plane cannot run here, serving the nginx-class Ingresses
  --apply    more manifests to apply after the profile, e.g. sessions from npm run sandbox (repeatable)
  --check    run the scripted requests, print each, exit 0 when all pass, 1 otherwise`;


function parse(argv: string[]): { profile: ProfileName; apply: string[]; check: boolean } {
  let values;
  try {
    ({ values } = parseArgs({ args: argv, strict: true, options: {
      profile: { type: 'string' }, apply: { type: 'string', multiple: true }, check: { type: 'boolean' }, help: { type: 'boolean', short: 'h' },
    } }));
  } catch (e) {
    throw new UsageError((e as Error).message.split('\n')[0]);
  }
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    process.exit(0);
  }
  const profile = values.profile ?? 'gateway';
  if (!Object.prototype.hasOwnProperty.call(PROFILES, profile)) throw new UsageError(`--profile must be one of ${Object.keys(PROFILES).join(', ')}, got ${JSON.stringify(profile)}`);
  return { profile: profile as ProfileName, apply: values.apply ?? [], check: values.check === true };
}

/** The scripted requests of a profile: what a user of it would try first. */
async function check(plane: DataPlane, profile: ProfileName): Promise<boolean> {
  const results: [string, boolean, string][] = [];
  // Routes reach Traefik a few seconds after the objects are applied: each request is tried for up to 30 s.
  const expect = async (what: string, entry: string, host: string, ok: (r: Reply) => boolean) => {
    const deadline = Date.now() + 30_000;
    let r: Reply;
    do {
      r = await plane.request(entry, host).catch((e: Error) => ({ status: 0, body: e.message, headers: {} }));
      if (ok(r)) break;
      await new Promise(x => setTimeout(x, 250));
    } while (Date.now() < deadline);
    results.push([what, ok(r), `${r.status} ${r.landed ? `${r.landed.namespace}/${r.landed.pod}:${r.landed.port}` : r.headers.location ?? r.body.trim().slice(0, 80)}`]);
  };
  if (profile === 'production') {
    const domain = PROFILES.production.example.domain;
    await expect(`http://${domain}/ redirects to https`, 'web', domain, r => r.status === 301 && String(r.headers.location).startsWith(`https://${domain}`));
  } else {
    await expect('http://localhost/ reaches the OpenHands server on port 3000', 'web', 'localhost', r => r.status === 200 && r.landed?.namespace === 'openhands' && r.landed.port === 3000);
    await expect('an unknown host gets 404', 'web', 'nobody.example.com', r => r.status === 404);
  }
  for (const [what, ok, got] of results) process.stdout.write(`${ok ? 'ok  ' : 'FAIL'} ${what}: ${got}\n`);
  return results.every(([, ok]) => ok);
}

async function main(argv: string[]): Promise<number> {
  let o;
  try {
    o = parse(argv);
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    process.stderr.write(`${usageErrorLine('dataplane', e.message, helpCommand('dataplane'))}\n`);
    return 2;
  }
  const why = dataPlaneUnavailable();
  if (why) {
    process.stderr.write(`dataplane: ${why}\n`);
    return 1;
  }
  const log = (l: string) => process.stderr.write(`dataplane: ${l}\n`);
  const build = o.profile === 'default'
    ? (app: import('cdk8s').App) => { addGatewayStack(app, { traefik: { providers: { kubernetesGateway: true, kubernetesIngressNGINX: true } } }); }
    : undefined;
  let plane: DataPlane | undefined;
  let stopping = false;
  const stop = async (code: number) => {
    if (stopping) return;
    stopping = true;
    log('stopping');
    await plane?.stop();
    process.exit(code);
  };
  process.on('SIGINT', () => void stop(130));
  process.on('SIGTERM', () => void stop(143));
  plane = await startDataPlane({ profile: o.profile === 'default' ? 'gateway' : o.profile, build, apply: o.apply, log });
  if (stopping) return 130;
  if (o.check) {
    const ok = await check(plane, o.profile);
    await stop(ok ? 0 : 1);
    return ok ? 0 : 1;
  }
  process.stdout.write(`${plane.entryPoints.map(e => `${e.name.padEnd(10)} ${e.url}`).join('\n')}\nKUBECONFIG=${plane.cp.kubeconfig}\n`);
  process.stdout.write(`try: curl -H 'Host: localhost' ${plane.entry('web').url}/\nready: Ctrl-C stops everything\n`);
  await new Promise(() => undefined);
  return 0;
}

if (require.main === module) {
  main(process.argv.slice(2)).then(code => { process.exitCode = code; }, e => {
    process.stderr.write(`dataplane: ${(e as Error).message}\n`);
    process.exit(1);
  });
}
