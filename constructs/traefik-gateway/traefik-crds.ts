import { Construct } from 'constructs';
import { clusterScoped } from '../../src/cluster-scoped';
import { PrerenderedApiObject, loadVendoredSet } from '../../src/prerendered-api-object';
import { propNames } from '../../src/props';
import { Problems } from '../../src/validation';
import { TRAEFIK_CRDS_DATA } from './traefik-crds-data';

export interface TraefikCrdsProps {
  /**
   * Include the 15 `hub.traefik.io` CRDs (Traefik Hub's API management), which the open-source proxy does not use.
   * @default true (as the chart installs them)
   */
  readonly hub?: boolean;
}

const TRAEFIK_CRDS_PROP_NAMES = propNames<TraefikCrdsProps>({ hub: true });

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
    const p = Problems.of(this, 'TraefikCrds');
    p.knownProps('TraefikCrds', props, TRAEFIK_CRDS_PROP_NAMES);
    const hub = props?.hub ?? true;
    p.check(typeof hub === 'boolean', 'hub', hub, 'true or false');
    p.throwIfAny();

    this.crds = loadVendoredSet(TRAEFIK_CRDS_DATA)
      .filter(m => hub || !String(m.metadata.name).endsWith('.hub.traefik.io'))
      .map(m => clusterScoped(new PrerenderedApiObject(this, String(m.metadata.name), m)));
    this.crdNames = this.crds.map(o => o.name);
  }
}
