// Every prop of a construct's table is varied by the differential generator (test/cluster/differential-cases.ts),
// which holds what the constructs accept against what a real API server accepts: a prop added to a table and not
// to the generator fails here, without a cluster.
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import '../index';
import { propSpecs } from '../src/props';
import { constructCases, realize } from './cluster/differential-cases';

/**
 * Constructs the generator leaves out, and why. A construct added to the generator, or a prop added to one of its
 * cases, fails the test below until its entry here goes.
 */
const NOT_GENERATED: Readonly<Record<string, string>> = {
  KindCluster: 'writes a KIND config, no Kubernetes object (test/kind-cluster.test.ts holds it to kind\'s own rules)',
  CertManagerCertificate: 'not generated yet (a cert-manager CRD the control plane does not install)',
  addOpenHandsStack: 'a stack: its parts are generated construct by construct',
  addGatewayStack: 'a stack: its parts are generated construct by construct',
  addProductionStack: 'a stack: its parts are generated construct by construct',
};

/** Props the generator does not vary, `Construct.prop`, and why. */
const PROPS_NOT_GENERATED: Readonly<Record<string, string>> = {
  'IngressMetricsMonitor.ingressNginx': 'a construct handle, not data a case can print (test/monitoring.test.ts covers it)',
};

/** The construct's props in a case whose props are not the construct's own (`+HTTPRoute` cases wrap them). */
const PROPS_OF: Readonly<Record<string, (props: any) => Record<string, unknown>>> = {
  'SandboxRuntime+config.toml': p => ({ sid: p.sid, config: p.toml }),
  'SandboxRuntime+HTTPRoute': p => p.session,
  'SandboxFleet+HTTPRoute': p => p.session,
  'HttpsRedirect+Traefik': p => p.redirect,
};

/** The props each construct's cases set, over many samples. */
function generatedProps(): Map<string, Set<string>> {
  const out = new Map<string, Set<string>>();
  constructCases().forEach((c, i) => {
    const construct = c.construct.split('+')[0];
    const seen = out.get(construct) ?? new Set<string>();
    for (const sample of fc.sample(c.props, { seed: 1 + i, numRuns: 300 })) {
      const props = realize(sample, 'c0');
      for (const k of Object.keys((PROPS_OF[c.construct] ?? (p => p))(props) ?? {})) seen.add(k);
    }
    out.set(construct, seen);
  });
  return out;
}

describe('the differential generator varies every prop', () => {
  const generated = generatedProps();
  const specs = propSpecs();

  test('every construct with a props table is generated, or listed as not generated with the reason', () => {
    const missing = specs.map(s => s.kind).filter(k => !generated.has(k) && !Object.hasOwn(NOT_GENERATED, k));
    const stale = Object.keys(NOT_GENERATED).filter(k => generated.has(k) || !specs.some(s => s.kind === k));
    expect({ missing, stale }).toEqual({ missing: [], stale: [] });
  });

  test.each(specs.filter(s => !Object.hasOwn(NOT_GENERATED, s.kind)).map(s => [s.kind, s] as const))('%s: every row of its table', (kind, spec) => {
    const seen = generated.get(kind) ?? new Set<string>();
    const missing = spec.names.filter(n => !seen.has(n) && !Object.hasOwn(PROPS_NOT_GENERATED, `${kind}.${n}`));
    const stale = Object.keys(PROPS_NOT_GENERATED).filter(k => k.startsWith(`${kind}.`) && seen.has(k.slice(kind.length + 1)));
    expect({ missing, stale }).toEqual({ missing: [], stale: [] });
  });
});
