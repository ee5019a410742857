// Props that are not an object are refused in one line by each construct and stack, never with a TypeError.
import { App, Chart } from 'cdk8s';
import { describe, expect, test } from 'vitest';
import { addGatewayStack, addOpenHandsStack, addProductionStack, CertManagerCertificate, GatewayApiCrds, OpenHandsServer, SandboxRuntime, Traefik, TraefikCrds } from '../index';
import { LocalHandsValidationError } from '../src/validation';
import { testApp } from './util';

const BUILDERS: [string, (app: App, props: any) => void][] = [
  ['addGatewayStack', (app, props) => addGatewayStack(app, props)],
  ['addProductionStack', (app, props) => addProductionStack(app, props)],
  ['GatewayApiCrds', (app, props) => new GatewayApiCrds(new Chart(app, 'c'), 'x', props)],
  ['TraefikCrds', (app, props) => new TraefikCrds(new Chart(app, 'c'), 'x', props)],
  ['Traefik', (app, props) => new Traefik(new Chart(app, 'c'), 'x', props)],
  ['CertManagerCertificate', (app, props) => new CertManagerCertificate(new Chart(app, 'c'), 'x', props)],
  ['OpenHandsServer', (app, props) => new OpenHandsServer(new Chart(app, 'c'), 'x', props)],
  ['SandboxRuntime', (app, props) => new SandboxRuntime(new Chart(app, 'c'), 'x', props)],
  ['addOpenHandsStack', (app, props) => addOpenHandsStack(app, props)],
];

describe('props that are not an object', () => {
  // A Map (or any class instance) has no props of its own to read: it would read as empty props.
  test.each(BUILDERS.flatMap(([name, build]) => [null, 'props', 7, [], new Map([['domain', 'openhands.example.com']]), new Date(0)].map(v => [name, build, v] as const)))(
    '%s refuses %j, naming its props', (name, build, value) => {
      let error: unknown;
      try {
        build(testApp(), value);
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(LocalHandsValidationError);
      expect((error as Error).message).toContain(`props must be an object of ${name} props (known: `);
    });
});
