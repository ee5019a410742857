import { Construct } from 'constructs';
import { KubeNamespace } from '../../imports/k8s';
import { KubernetesConfig } from '../../src/kubernetes-config';
import { CONFIG_ROW, ResolvedProps, fullConfig, propSpec, resolveProps } from '../../src/props';
import { Problems } from '../../src/validation';

/** A Pod Security Standard, as the PodSecurity admission plugin names it. */
export type PodSecurityLevel = 'privileged' | 'baseline' | 'restricted';

/**
 * The levels a sandbox namespace may enforce. `restricted` is not one: the runtime runs its action server
 * as root (`--user-id 0`) without a seccomp profile, which that level refuses, so every session would fail.
 */
export type SandboxEnforceLevel = 'privileged' | 'baseline';

export interface SandboxNamespaceProps {
  /**
   * The `[kubernetes]` config: the namespace is `config.namespace`, and `config.privileged` decides the default
   * enforce level.
   * @default - DEFAULT_KUBERNETES_CONFIG
   */
  readonly config?: Partial<KubernetesConfig>;
  /**
   * The level PodSecurity admission enforces: Pods that break it are refused.
   * @default - 'privileged' when config.privileged is true, else 'baseline'
   */
  readonly enforce?: SandboxEnforceLevel;
  /** The level PodSecurity warns about (to the client) and audits (in the audit log). @default 'restricted' */
  readonly warn?: PodSecurityLevel;
}

const PROPS = propSpec<SandboxNamespaceProps>()('SandboxNamespace', {
  config: CONFIG_ROW,
  enforce: {},
  warn: { default: 'restricted', check: (p, f, v) => p.oneOf(f, v, LEVELS) },
});
const LEVELS: readonly PodSecurityLevel[] = ['privileged', 'baseline', 'restricted'];
const ENFORCE_LEVELS: readonly SandboxEnforceLevel[] = ['privileged', 'baseline'];

interface Resolved {
  readonly name: string;
  readonly enforce: SandboxEnforceLevel;
  readonly warn: PodSecurityLevel;
}

/** The enforce level follows from the config, and must allow privileged sandboxes when it asks for them. */
function resolve(p: Problems, v: ResolvedProps<typeof PROPS>): Resolved {
  const config = fullConfig(v.config);
  const enforce = v.enforce ?? (config.privileged ? 'privileged' : 'baseline');
  if (enforce === 'restricted' as string) {
    p.add('enforce', enforce, '"privileged" or "baseline" (restricted refuses every sandbox Pod: the action server runs as root)');
  } else if (p.oneOf('enforce', enforce, ENFORCE_LEVELS) && config.privileged === true && enforce !== 'privileged') {
    p.add('enforce', enforce, '"privileged" when config.privileged is true (PodSecurity refuses privileged sandbox Pods at any other level)');
  }
  return { name: config.namespace, enforce, warn: v.warn };
}

/**
 * The namespace the `[kubernetes]` config names, where sandbox sessions run, labelled for PodSecurity
 * admission: it enforces `baseline` (no privileged containers, host namespaces or host paths) and warns and
 * audits at `restricted`, unless the config asks for privileged (docker-in-docker) sandboxes.
 */
export class SandboxNamespace extends Construct {
  public readonly namespace: KubeNamespace;
  /** The namespace's name (`config.namespace`). */
  public readonly name: string;
  /** The level PodSecurity enforces there. */
  public readonly enforce: SandboxEnforceLevel;

  constructor(scope: Construct, id: string, props: SandboxNamespaceProps = {}) {
    super(scope, id);
    const r = resolveProps(this, props, PROPS, resolve);
    this.name = r.name;
    this.enforce = r.enforce;
    this.namespace = new KubeNamespace(this, 'namespace', {
      metadata: { name: r.name, labels: podSecurityLabels(r.enforce, r.warn) },
    });
  }
}

/** The PodSecurity admission labels; versions are left out so the labels follow the cluster's own release. */
export function podSecurityLabels(enforce: PodSecurityLevel, warn: PodSecurityLevel): Record<string, string> {
  return {
    'pod-security.kubernetes.io/enforce': enforce,
    'pod-security.kubernetes.io/warn': warn,
    'pod-security.kubernetes.io/audit': warn,
  };
}
