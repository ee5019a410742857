import { ApiScopeRow, BUILT_IN_API_SCOPES, CRD_API_SCOPES } from './api-scopes.generated';

/** Whether objects of a kind live in a namespace, as the API server or the kind's CustomResourceDefinition says. */
export type ApiScope = ApiScopeRow[2];

/**
 * Custom resources our constructs render whose CustomResourceDefinition we neither vendor nor keep as reference
 * data, so scripts/capture-api-scopes.ts has no file to read their scope from. Each row names its source.
 */
export const UNVENDORED_CRD_SCOPES: readonly ApiScopeRow[] = [
  // CertManagerCertificate. cert-manager's deploy/crds/crd-certificates.yaml (every v1 release): `scope: Namespaced`.
  ['cert-manager.io', 'Certificate', 'Namespaced'],
];

/** The API group of an apiVersion: `rbac.authorization.k8s.io` of `rbac.authorization.k8s.io/v1`, '' for `v1`. */
export function apiGroup(apiVersion: string): string {
  const slash = apiVersion.indexOf('/');
  return slash < 0 ? '' : apiVersion.slice(0, slash);
}

/** How a kind is looked up: by API group and kind, as the API server tells kinds apart (the version does not count). */
export function apiKindKey(group: string, kind: string): string {
  return `${group}/${kind}`;
}

let scopes: ReadonlyMap<string, ApiScope> | undefined;

/**
 * The scope of a kind: the built-in kinds of the Kubernetes release our control plane is built from and the kinds
 * of our CustomResourceDefinitions (src/api-scopes.generated.ts), and the few in `UNVENDORED_CRD_SCOPES`.
 * `undefined` for a kind none of them knows (a custom resource of yours), so it is not mistaken for a namespaced one.
 */
export function apiScope(apiVersion: string, kind: string): ApiScope | undefined {
  scopes ??= new Map([...BUILT_IN_API_SCOPES, ...CRD_API_SCOPES.flatMap(s => s.rows), ...UNVENDORED_CRD_SCOPES]
    .map(([group, k, scope]) => [apiKindKey(group, k), scope]));
  return scopes.get(apiKindKey(apiGroup(apiVersion), kind));
}
