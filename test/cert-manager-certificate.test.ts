import { describe, expect, test } from 'vitest';
import { CertManagerCertificate, CertManagerCertificateProps } from '../constructs/traefik-gateway/cert-manager-certificate';
import { errorOf, find, synthChart, synthChartYaml } from './util';

const PROPS: CertManagerCertificateProps = {
  secretName: 'sandboxes-tls', namespace: 'traefik', dnsNames: ['*.sandboxes.example.com'], issuer: { name: 'letsencrypt-dns' },
};

describe('CertManagerCertificate', () => {
  test('snapshot', async () => {
    await expect(synthChartYaml(c => new CertManagerCertificate(c, 'cert', PROPS))).toMatchFileSnapshot('../__snapshots__/cert-manager-certificate.k8s.yaml');
  });

  test('a Certificate filling the named Secret, signed by a ClusterIssuer unless told', () => {
    const cert = find(synthChart(c => new CertManagerCertificate(c, 'cert', PROPS)), 'Certificate');
    expect(cert.apiVersion).toBe('cert-manager.io/v1');
    expect(cert.metadata).toEqual({ name: 'sandboxes-tls', namespace: 'traefik' });
    expect(cert.spec).toEqual({
      secretName: 'sandboxes-tls', dnsNames: ['*.sandboxes.example.com'], issuerRef: { group: 'cert-manager.io', kind: 'ClusterIssuer', name: 'letsencrypt-dns' },
    });
    const named = find(synthChart(c => new CertManagerCertificate(c, 'cert', { ...PROPS, name: 'sandboxes', issuer: { name: 'ca', kind: 'Issuer' } })), 'Certificate');
    expect([named.metadata.name, named.spec.issuerRef.kind]).toEqual(['sandboxes', 'Issuer']);
  });

  const where = "CertManagerCertificate 'cert' (test/cert)";
  test.each<[string, unknown, string]>([
    ['no host names', { ...PROPS, dnsNames: [] }, 'dnsNames must be a non-empty list of host names, got []'],
    ['a bad host name', { ...PROPS, dnsNames: ['Sandboxes_.example.com'] },
      'dnsNames[0] must be a DNS name such as "example.com", or a wildcard such as "*.example.com" (lowercase, at most 253), got "Sandboxes_.example.com"'],
    ['an issuer kind cert-manager does not know', { ...PROPS, issuer: { name: 'ca', kind: 'Vault' } }, 'issuer.kind must be one of "Issuer", "ClusterIssuer", got "Vault"'],
    ['no issuer', { ...PROPS, issuer: undefined }, "issuer must be an object { name, kind: 'Issuer' | 'ClusterIssuer' }, got undefined"],
    ['a bad Secret name', { ...PROPS, secretName: 'TLS' },
      'secretName must be a DNS-1123 subdomain (at most 253 characters of a-z, 0-9, "-" and ".", each part starting and ending with a letter or digit), got "TLS"'],
  ])('refuses %s', (_name, props, message) => {
    expect(errorOf(c => new CertManagerCertificate(c, 'cert', props as CertManagerCertificateProps))).toBe(`${where}: ${message}`);
  });
});
