import { Construct } from 'constructs';
import { clusterScoped } from '../../src/cluster-scoped';
import { PrerenderedApiObject, loadVendoredSet } from '../../src/prerendered-api-object';
import { isBoolean, propSpec, resolveProps } from '../../src/props';
import { GATEWAY_API_CRDS_DATA } from './gateway-api-crds-data';

/** The Gateway API release and channel vendored in gateway-api-crds-data.ts. */
export const GATEWAY_API_BUNDLE = { version: 'v1.6.1', channel: 'standard' } as const;

export interface GatewayApiCrdsProps {
  /**
   * Include upstream's `safe-upgrades.gateway.networking.k8s.io` ValidatingAdmissionPolicy and its binding. They
   * refuse, at admission, replacing these standard-channel CRDs with experimental-channel ones or with a release
   * before v1.5.0: the mistakes that silently drop fields from stored Gateways and routes. Turn it off only to
   * install the experimental channel over this one (upstream says to delete the policy for that).
   * @default true (as upstream ships the standard channel)
   */
  readonly safeUpgrades?: boolean;
}

const PROPS = propSpec<GatewayApiCrdsProps>()('GatewayApiCrds', {
  safeUpgrades: { default: true, check: isBoolean },
});

/**
 * The Gateway API standard channel, v1.6.1: the 10 CustomResourceDefinitions (GatewayClass, Gateway, HTTPRoute,
 * GRPCRoute, ReferenceGrant, BackendTLSPolicy, ListenerSet, TLSRoute, TCPRoute, UDPRoute) and the safe-upgrades
 * admission policy, equal to upstream's `config/crd/standard` as parsed data. Their OpenAPI schemas and CEL rules
 * are what the API server checks Gateways and routes against.
 *
 * Meant for a chart (file) of its own, applied before the objects that use them. The HTTPRoute CRD alone is
 * 429 KB: client-side `kubectl apply` keeps a copy in an annotation, which the API server refuses above 256 KiB,
 * so apply with `kubectl apply --server-side` (test/cluster/traefik.test.ts shows both).
 * The objects are vendored with their rendered YAML (`PrerenderedApiObject`), so a synth with them stays fast.
 */
export class GatewayApiCrds extends Construct {
  /** The CustomResourceDefinitions, in file order. */
  public readonly crds: readonly PrerenderedApiObject[];
  /** Their names, e.g. `httproutes.gateway.networking.k8s.io`. */
  public readonly crdNames: readonly string[];
  /** The ValidatingAdmissionPolicy and its binding, unless `safeUpgrades: false`. */
  public readonly safeUpgradesPolicy?: readonly [PrerenderedApiObject, PrerenderedApiObject];

  constructor(scope: Construct, id: string, props: GatewayApiCrdsProps = {}) {
    super(scope, id);
    const { safeUpgrades } = resolveProps(this, props, PROPS);

    const objects = loadVendoredSet(GATEWAY_API_CRDS_DATA)
      .filter(m => safeUpgrades || m.kind === 'CustomResourceDefinition')
      .map(m => clusterScoped(new PrerenderedApiObject(this, `${m.kind}-${m.metadata.name}`, m)));
    this.crds = objects.filter(o => o.kind === 'CustomResourceDefinition');
    this.crdNames = this.crds.map(o => o.name);
    const policy = objects.filter(o => o.kind !== 'CustomResourceDefinition');
    if (policy.length === 2) this.safeUpgradesPolicy = [policy[0], policy[1]];
  }
}
