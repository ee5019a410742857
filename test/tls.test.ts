import { describe, expect, test } from 'vitest';
import { checkTlsSecretRef, selfSignedTlsCommands } from '../src/tls';
import { Problems } from '../src/validation';

describe('TLS Secret references', () => {
  test('a name and an optional namespace pass', () => {
    const p = new Problems('Gateway \'g\' (test/g)');
    expect(checkTlsSecretRef(p, 'tls', { name: 'sandbox-tls', namespace: 'traefik' })).toBe(true);
    expect(() => p.throwIfAny()).not.toThrow();
  });

  test('bad references are refused, one line each', () => {
    const p = new Problems('Gateway \'g\' (test/g)');
    expect(checkTlsSecretRef(p, 'tls', { name: 'Sandbox TLS', namespace: 'a.b', key: 'x' })).toBe(false);
    expect(() => p.throwIfAny()).toThrow([
      `Gateway 'g' (test/g): 3 problems`,
      `  - tls.key must be absent (a Secret reference has name and namespace), got "x"`,
      `  - tls.name must be a DNS-1123 subdomain (at most 253 characters of a-z, 0-9, "-" and ".", each part starting and ending with a letter or digit), got "Sandbox TLS"`,
      `  - tls.namespace must be a DNS-1123 label (at most 63 characters of a-z, 0-9 and "-", starting and ending with a letter or digit), got "a.b"`,
    ].join('\n'));
  });

  test('the KIND recipe: a wildcard certificate for the sessions, stored with kubectl create secret tls', () => {
    expect(selfSignedTlsCommands({ name: 'sandbox-tls' }, ['*.localhost', 'localhost'])).toEqual([
      `openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 365 -keyout tls.key -out tls.crt -subj '/CN=*.localhost' -addext 'subjectAltName=DNS:*.localhost,DNS:localhost'`,
      'kubectl create secret tls sandbox-tls --cert=tls.crt --key=tls.key',
    ]);
  });
});
