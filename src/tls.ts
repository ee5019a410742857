import { Problems, isPlainObject } from './validation';

/**
 * A `kubernetes.io/tls` Secret that an HTTPS listener or an Ingress's `tls` names. local-hands only ever
 * refers to it: a private key must not end up in `dist/` (which is committed), so the Secret is created
 * in the cluster, e.g. with `selfSignedTlsCommands` for KIND.
 */
export interface TlsSecretRef {
  /** The Secret's name. */
  readonly name: string;
  /** The Secret's namespace. @default - the namespace of the object that refers to it */
  readonly namespace?: string;
}

/** Checks a Secret reference: a DNS subdomain name and, when given, a DNS label namespace. */
export function checkTlsSecretRef(p: Problems, field: string, ref: unknown): ref is TlsSecretRef {
  if (!isPlainObject(ref)) return p.add(field, ref, 'a Secret reference { name, namespace? }');
  let ok = true;
  for (const k of Object.keys(ref)) if (k !== 'name' && k !== 'namespace') ok = p.add(`${field}.${k}`, ref[k], 'absent (a Secret reference has name and namespace)');
  ok = p.dnsSubdomain(`${field}.name`, ref.name) && ok;
  if (ref.namespace !== undefined) ok = p.dnsLabel(`${field}.namespace`, ref.namespace) && ok;
  return ok;
}

/**
 * The shell commands that make a self-signed certificate for `hosts` (the first is the subject; a
 * `*.domain` host covers every session's `<sid>.domain`) and store it as the referenced Secret.
 * The key stays in the working folder the commands run in; delete it afterwards.
 */
export function selfSignedTlsCommands(ref: TlsSecretRef, hosts: readonly string[], days = 365): string[] {
  const san = hosts.map(h => `DNS:${h}`).join(',');
  return [
    `openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days ${days} -keyout tls.key -out tls.crt -subj '/CN=${hosts[0]}' -addext 'subjectAltName=${san}'`,
    `kubectl create secret tls ${ref.name}${ref.namespace ? ` --namespace ${ref.namespace}` : ''} --cert=tls.crt --key=tls.key`,
  ];
}
