// The controller releases IngressNginx renders: one row each, the only place a release is added.

/** A controller release local-hands knows how to render. */
export type IngressNginxVersion = '1.12.1' | '1.13.0' | '1.14.0' | '1.15.1';

/** An image as a tag plus its content digest. */
export interface PinnedImage {
  readonly tag: string;
  /** `sha256:<64 hex>` */
  readonly digest: string;
}

/** One row of the release table: the images and the kind-provider defaults of a controller release. */
export interface IngressNginxRelease {
  readonly version: IngressNginxVersion;
  /** `registry.k8s.io/ingress-nginx/controller` */
  readonly controller: PinnedImage;
  /** `registry.k8s.io/ingress-nginx/kube-webhook-certgen` */
  readonly certgen: PinnedImage;
  /** The controller Service type of the kind manifest (NodePort before 1.13.0, then LoadBalancer). */
  readonly serviceType: IngressNginxServiceType;
  /** Whether the kind manifest pins the controller to nodes labelled `ingress-ready: "true"` (before 1.13.0). */
  readonly ingressReadyNodeSelector: boolean;
  /** Whether pod specs set `automountServiceAccountToken: true` and Jobs `ttlSecondsAfterFinished: 0` (1.13.0 on). */
  readonly explicitTokenAndJobTtl: boolean;
}

/** The kind provider's defaults up to 1.12.x. */
const KIND_DEFAULTS_UNTIL_1_13 = { serviceType: 'NodePort', ingressReadyNodeSelector: true, explicitTokenAndJobTtl: false } as const;
/** What changed at 1.13.0: LoadBalancer, no `ingress-ready` selector, explicit tokens and Job TTL. */
const KIND_DEFAULTS_FROM_1_13 = { serviceType: 'LoadBalancer', ingressReadyNodeSelector: false, explicitTokenAndJobTtl: true } as const;

/** The releases, oldest first. */
export const INGRESS_NGINX_RELEASE_ROWS: readonly IngressNginxRelease[] = [
  {
    version: '1.12.1',
    controller: { tag: 'v1.12.1', digest: 'sha256:d2fbc4ec70d8aa2050dd91a91506e998765e86c96f32cffb56c503c9c34eed5b' },
    certgen: { tag: 'v1.5.2', digest: 'sha256:e8825994b7a2c7497375a9b945f386506ca6a3eda80b89b74ef2db743f66a5ea' },
    ...KIND_DEFAULTS_UNTIL_1_13,
  },
  {
    version: '1.13.0',
    controller: { tag: 'v1.13.0', digest: 'sha256:dc75a7baec7a3b827a5d7ab0acd10ab507904c7dad692365b3e3b596eca1afd2' },
    certgen: { tag: 'v1.6.0', digest: 'sha256:c9f76a75fd00e975416ea1b73300efd413116de0de8570346ed90766c5b5cefb' },
    ...KIND_DEFAULTS_FROM_1_13,
  },
  {
    version: '1.14.0',
    controller: { tag: 'v1.14.0', digest: 'sha256:e4127065d0317bd11dc64c4dd38dcf7fb1c3d72e468110b4086e636dbaac943d' },
    certgen: { tag: 'v1.6.4', digest: 'sha256:bcfc926ed57831edf102d62c5c0e259572591df4796ef1420b87f9cf6092497f' },
    ...KIND_DEFAULTS_FROM_1_13,
  },
  {
    version: '1.15.1',
    controller: { tag: 'v1.15.1', digest: 'sha256:594ceea76b01c592858f803f9ff4d2cb40542cae2060410b2c95f75907d659e1' },
    certgen: { tag: 'v1.6.9', digest: 'sha256:01038e7de14b78d702d2849c3aad72fd25903c4765af63cf16aa3398f5d5f2dd' },
    ...KIND_DEFAULTS_FROM_1_13,
  },
];

/** The controller releases local-hands renders, by version. */
export const INGRESS_NGINX_RELEASES: Readonly<Record<IngressNginxVersion, IngressNginxRelease>> =
  Object.fromEntries(INGRESS_NGINX_RELEASE_ROWS.map(r => [r.version, r])) as Record<IngressNginxVersion, IngressNginxRelease>;

/** The newest release in the table: what `IngressNginx` renders when no version is given. */
export const INGRESS_NGINX_LATEST: IngressNginxVersion = INGRESS_NGINX_RELEASE_ROWS[INGRESS_NGINX_RELEASE_ROWS.length - 1].version;

/** The controller Service types the bundle supports. */
export type IngressNginxServiceType = 'ClusterIP' | 'NodePort' | 'LoadBalancer';
