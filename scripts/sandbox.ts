// npm run sandbox -- --config PATH --sid ID [--image IMG] [--out FILE] [--route ingress|httproute [--gateway NS/NAME[:LISTENER]]]
// Prints (or writes) the YAML of one OpenHands sandbox session, as the Kubernetes runtime would create it.
import * as path from 'path';
import { App, Chart } from 'cdk8s';
import { UsageError, helpCommand, parseCli, usageErrorLine } from '../app/cli-args';
import { addGatewayStack } from '../app/gateway-stack';
import { validateApp } from '../app/synth';
import type { GatewayReference, SandboxRoute } from '../constructs/sandbox/sandbox-route';
import { GENERATED_HEADER, checkOutputFile, writeOutputFile } from '../app/output';
import { SandboxRuntime } from '../constructs/sandbox/sandbox-runtime';
import { loadKubernetesConfig } from '../src/kubernetes-config';
import { LocalHandsValidationError } from '../src/validation';

const USAGE = `usage: npm run -s sandbox -- --config PATH --sid ID [--image IMG] [--out FILE] [--route ingress|httproute] [--gateway NAMESPACE/NAME[:LISTENER]]
  --route    how VS Code is routed: an Ingress (default) or a Gateway API HTTPRoute
  --gateway  the Gateway (and listener) the HTTPRoute attaches to; default: the gateway profile's (npm run synth -- --profile gateway)`;

/** The first line of what we print or write: `--out` later overwrites only a file that starts with it. */
const HEADER = `${GENERATED_HEADER} (npm run sandbox); do not edit.\n`;

/** How the command line asks for VS Code to be routed. */
export type RouteOption = { readonly kind: 'Ingress' } | { readonly kind: 'HTTPRoute'; readonly gateway?: GatewayReference };

/** `--route` and `--gateway` as a route; the Gateway is left to the caller's default when not given. */
export function parseRouteOptions(route: string | undefined, gateway: string | undefined): RouteOption {
  if (route !== undefined && route !== 'ingress' && route !== 'httproute') throw new UsageError(`--route must be ingress or httproute, got ${JSON.stringify(route)}`);
  if (route !== 'httproute') {
    if (gateway !== undefined) throw new UsageError('--gateway is for --route httproute only');
    return { kind: 'Ingress' };
  }
  if (gateway === undefined) return { kind: 'HTTPRoute' };
  const m = /^([^/:]+)\/([^/:]+)(?::([^/:]+))?$/.exec(gateway);
  if (!m) throw new UsageError(`--gateway must be NAMESPACE/NAME or NAMESPACE/NAME:LISTENER, got ${JSON.stringify(gateway)}`);
  return { kind: 'HTTPRoute', gateway: { namespace: m[1], name: m[2], ...(m[3] !== undefined ? { listener: m[3] } : {}) } };
}

/** The gateway profile's Gateway, as `npm run synth -- --profile gateway` writes it, with what its listener admits. */
function profileGateway(): GatewayReference {
  return addGatewayStack(new App({ outdir: path.join(process.cwd(), '.unused') })).gatewayReference;
}

/**
 * A `--gateway` reference, checked against the gateway profile: the profile's Gateway must have the listener named
 * (and lends its hostname and admitted namespaces to the synth-time checks); any other Gateway cannot be checked
 * here, which `warn` says.
 */
export function checkedGateway(ref: GatewayReference, warn: (line: string) => void): GatewayReference {
  const stack = addGatewayStack(new App({ outdir: path.join(process.cwd(), '.unused') }));
  const own = stack.gatewayReference;
  if (ref.namespace !== own.namespace || ref.name !== own.name) {
    warn(`sandbox: Gateway ${ref.namespace}/${ref.name} is not the gateway profile's (${own.namespace}/${own.name}): its listener, admitted namespaces and hostname are not checked`);
    return ref;
  }
  const listeners = stack.traefik.listeners;
  const listener = listeners.find(l => l.name === (ref.listener ?? own.listener));
  if (!listener) {
    throw new LocalHandsValidationError('--gateway', [`listener must be one of Gateway ${own.namespace}/${own.name}'s (${listeners.map(l => JSON.stringify(l.name)).join(', ')}), got ${JSON.stringify(ref.listener)}`]);
  }
  const from = listener.allowedRoutes?.namespaces;
  const admitted = from?.from === 'Selector' ? from.selector?.matchLabels?.['kubernetes.io/metadata.name'] : undefined;
  return { ...ref, listener: listener.name, hostname: listener.hostname, ...(admitted !== undefined ? { allowedRouteNamespaces: [admitted] } : {}) };
}

/** The session's YAML, as `--out` writes it and stdout shows it. Cross-checks (an HTTPRoute's Gateway) run first. */
export function sandboxYaml(config: string, sid: string, image?: string, route: RouteOption = { kind: 'Ingress' }): string {
  const app = new App({ outdir: path.join(process.cwd(), '.unused') });
  const gateway = route.kind === 'Ingress' ? undefined : route.gateway === undefined ? profileGateway() : checkedGateway(route.gateway, l => process.stderr.write(`${l}\n`));
  const sandboxRoute: SandboxRoute | undefined = gateway === undefined ? undefined : { kind: 'HTTPRoute', gateway };
  new SandboxRuntime(new Chart(app, 'sandbox'), 'session', { sid, config: loadKubernetesConfig(config), image, ...(sandboxRoute ? { route: sandboxRoute } : {}) });
  validateApp(app.node.findAll());
  return HEADER + app.synthYaml();
}

function main(argv: string[]): number {
  try {
    const { values } = parseCli(argv, {
      config: { type: 'string' }, sid: { type: 'string' }, image: { type: 'string' }, out: { type: 'string' },
      route: { type: 'string' }, gateway: { type: 'string' }, help: { type: 'boolean', short: 'h' },
    });
    if (values.help) {
      process.stdout.write(`${USAGE}\n`);
      return 0;
    }
    const missing = (['config', 'sid'] as const).filter(k => values[k] === undefined);
    if (missing.length > 0) throw new UsageError(`missing ${missing.map(k => `--${k}`).join(' and ')}`);
    const route = parseRouteOptions(values.route, values.gateway);
    const outOptions = { what: '--out', refuse: [{ path: values.config!, name: 'the --config file' }] };
    // The output place is checked before the config is even read, so a bad --out never costs a half-done run.
    if (values.out !== undefined) checkOutputFile(values.out, outOptions);
    const yaml = sandboxYaml(values.config!, values.sid!, values.image, route);
    if (values.out === undefined) process.stdout.write(yaml);
    else {
      writeOutputFile(values.out, yaml, outOptions);
      process.stderr.write(`sandbox: wrote ${values.out}\n`);
    }
    return 0;
  } catch (e) {
    if (e instanceof UsageError) {
      process.stderr.write(`${usageErrorLine('sandbox', e.message, helpCommand('sandbox'))}\n`);
      return 2;
    }
    if (e instanceof LocalHandsValidationError) {
      process.stderr.write(`sandbox: ${e.message}\n`);
      return 1;
    }
    throw e;
  }
}

if (require.main === module) process.exitCode = main(process.argv.slice(2));
