import { Construct } from 'constructs';
import { clusterScoped } from '../../src/cluster-scoped';
import { PrerenderedApiObject, loadVendoredSet } from '../../src/prerendered-api-object';
import { isBoolean, propSpec, resolveProps } from '../../src/props';
import { TRAEFIK_CRDS_DATA } from './traefik-crds-data';

export interface TraefikCrdsProps {
  /**
   * Include the 15 `hub.traefik.io` CRDs (Traefik Hub's API management), which the open-source proxy does not use.
   * @default true (as the chart installs them)
   */
  readonly hub?: boolean;
}

const PROPS = propSpec<TraefikCrdsProps>()('TraefikCrds', {
  hub: { default: true, check: isBoolean },
});

/**
 * The Traefik chart's 25 CustomResourceDefinitions (chart 41.3.0, `traefik.io` and `hub.traefik.io`), equal to
 * `helm template --include-crds` as parsed data: what `helm install` applies before the chart, and what Traefik's
 * `kubernetesCRD` provider watches (IngressRoute, Middleware, TLSOption, ...). Meant for a chart (file) of its own,
 * applied with `kubectl apply --server-side` like `GatewayApiCrds`.
 */
export class TraefikCrds extends Construct {
  /** The CustomResourceDefinitions, in the chart's order. */
  public readonly crds: readonly PrerenderedApiObject[];
  /** Their names, e.g. `ingressroutes.traefik.io`. */
  public readonly crdNames: readonly string[];

  constructor(scope: Construct, id: string, props: TraefikCrdsProps = {}) {
    super(scope, id);
    const { hub } = resolveProps(this, props, PROPS);

    this.crds = loadVendoredSet(TRAEFIK_CRDS_DATA)
      .filter(m => hub || !String(m.metadata.name).endsWith('.hub.traefik.io'))
      .map(m => clusterScoped(new PrerenderedApiObject(this, String(m.metadata.name), m)));
    this.crdNames = this.crds.map(o => o.name);
  }
}
