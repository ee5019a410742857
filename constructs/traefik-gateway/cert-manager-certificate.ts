import { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';
import { isGatewayHostname } from '../../src/gateway-listeners';
import { ResolvedProps, propSpec, resolveProps } from '../../src/props';
import { Problems, isDnsSubdomain, isPlainObject } from '../../src/validation';

/** The cert-manager issuer that signs the certificate. */
export interface CertManagerIssuerRef {
  /** Name of the Issuer or ClusterIssuer. */
  readonly name: string;
  /** `Issuer` (in the certificate's namespace) or `ClusterIssuer` (cluster-wide). @default 'ClusterIssuer' */
  readonly kind?: 'Issuer' | 'ClusterIssuer';
}

export interface CertManagerCertificateProps {
  /** The `kubernetes.io/tls` Secret cert-manager writes and renews: what an HTTPS listener's `certificateRefs` names. */
  readonly secretName: string;
  /** Namespace of the Certificate and its Secret: the Gateway's, since a listener reads Secrets from its own namespace. */
  readonly namespace: string;
  /**
   * Host names the certificate covers, e.g. `*.sandboxes.example.com` for every session. A wildcard needs an
   * issuer that can solve DNS-01 challenges (ACME HTTP-01 cannot issue wildcards).
   */
  readonly dnsNames: readonly string[];
  /** Who signs it. */
  readonly issuer: CertManagerIssuerRef;
  /** Name of the Certificate. @default - the secretName */
  readonly name?: string;
}

const PROPS = propSpec<CertManagerCertificateProps>()('CertManagerCertificate', {
  secretName: { required: true, check: (p, f, v) => p.dnsSubdomain(f, v) },
  namespace: { required: true, check: (p, f, v) => p.dnsLabel(f, v) },
  dnsNames: { required: true, check: checkDnsNames },
  issuer: { required: true },
  name: { check: (p, f, v) => p.dnsSubdomain(f, v) },
});
const ISSUER_KINDS = ['Issuer', 'ClusterIssuer'] as const;
const DEFAULT_ISSUER_KIND = 'ClusterIssuer';

interface Resolved {
  readonly name: string;
  readonly secretName: string;
  readonly namespace: string;
  readonly dnsNames: readonly string[];
  readonly issuer: Required<CertManagerIssuerRef>;
}

/**
 * A cert-manager `Certificate` (cert-manager.io/v1): cert-manager obtains a certificate for `dnsNames` from the
 * issuer and keeps it, renewed, in the Secret an HTTPS listener names, so no key is ever written to `dist/`.
 * Needs cert-manager (its CRDs and controller) in the cluster, and the issuer.
 */
export class CertManagerCertificate extends Construct {
  /** The Certificate object. */
  public readonly certificate: ApiObject;
  /** The Secret it fills. */
  public readonly secretName: string;

  constructor(scope: Construct, id: string, props: CertManagerCertificateProps) {
    super(scope, id);
    const r = resolveProps(this, props, PROPS, resolve);
    this.secretName = r.secretName;
    this.certificate = new ApiObject(this, 'certificate', {
      apiVersion: 'cert-manager.io/v1',
      kind: 'Certificate',
      metadata: { name: r.name, namespace: r.namespace },
      spec: {
        secretName: r.secretName,
        dnsNames: [...r.dnsNames],
        issuerRef: { group: 'cert-manager.io', kind: r.issuer.kind, name: r.issuer.name },
      },
    });
  }
}

/** The name defaults to the Secret's; the issuer's kind to ClusterIssuer. */
function resolve(p: Problems, v: ResolvedProps<typeof PROPS>): Resolved {
  const issuer = resolveIssuer(p, v.issuer);
  return { name: v.name ?? v.secretName, secretName: v.secretName, namespace: v.namespace, dnsNames: v.dnsNames, issuer };
}

function checkDnsNames(p: Problems, field: string, dnsNames: readonly string[] | undefined): void {
  if (p.check(Array.isArray(dnsNames) && dnsNames.length > 0, field, dnsNames, 'a non-empty list of host names')) {
    dnsNames!.forEach((n, i) => p.check(isGatewayHostname(n), `${field}[${i}]`, n, 'a DNS name such as "example.com", or a wildcard such as "*.example.com" (lowercase, at most 253)'));
  }
}

function resolveIssuer(p: Problems, issuer: unknown): Required<CertManagerIssuerRef> {
  if (!isPlainObject(issuer)) {
    p.add('issuer', issuer, "an object { name, kind: 'Issuer' | 'ClusterIssuer' }");
    return { name: '', kind: DEFAULT_ISSUER_KIND };
  }
  for (const k of Object.keys(issuer)) if (k !== 'name' && k !== 'kind') p.add(`issuer.${k}`, issuer[k], 'absent (only name and kind)');
  p.check(isDnsSubdomain(issuer.name), 'issuer.name', issuer.name, 'an issuer name (a DNS-1123 subdomain)');
  const kind = issuer.kind ?? DEFAULT_ISSUER_KIND;
  p.oneOf('issuer.kind', kind, ISSUER_KINDS);
  return { name: issuer.name, kind };
}
