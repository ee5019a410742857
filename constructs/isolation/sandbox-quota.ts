import { Construct } from 'constructs';
import { KubeLimitRange, KubeResourceQuota, Quantity } from '../../imports/k8s';
import { KubernetesConfig } from '../../src/kubernetes-config';
import { CONFIG_ROW, ResolvedProps, fullConfig, propSpec, resolveProps } from '../../src/props';
import { compareQuantities, isExactlyRepresentable, multiplyQuantity, resourceQuantity } from '../../src/quantity';
import { Problems, isPlainObject, show } from '../../src/validation';

/** The ResourceQuota entries a sandbox namespace is capped by. */
export type SandboxQuotaResource =
  'pods' | 'requests.cpu' | 'requests.memory' | 'limits.memory' | 'persistentvolumeclaims' | 'requests.storage';

export interface SandboxQuotaProps {
  /** The `[kubernetes]` config: the per-session requests, limit and volume size, and the namespace. @default - DEFAULT_KUBERNETES_CONFIG */
  readonly config?: Partial<KubernetesConfig>;
  /**
   * How many sessions may run at once. OpenHands' own default for `max_concurrent_conversations` is 3.
   * @default 3
   */
  readonly maxSessions?: number;
  /**
   * Entries that replace the ones computed for `maxSessions` sessions (a tighter CPU budget, say); each must
   * still fit one session.
   * @default - none: every entry is maxSessions times one session
   */
  readonly hard?: Partial<Record<SandboxQuotaResource, string>>;
  /** Name of the ResourceQuota and the LimitRange. @default 'openhands-sandboxes' */
  readonly name?: string;
}

const PROPS = propSpec<SandboxQuotaProps>()('SandboxQuota', {
  config: CONFIG_ROW,
  maxSessions: { default: 3 },
  hard: { check: (p, f, v) => isPlainObject(v) || p.add(f, v, `an object of ${RESOURCES.join(', ')} to quantities`) },
  name: { default: 'openhands-sandboxes', check: (p, f, v) => p.dnsSubdomain(f, v) },
});
const RESOURCES: readonly SandboxQuotaResource[] = ['pods', 'requests.cpu', 'requests.memory', 'limits.memory', 'persistentvolumeclaims', 'requests.storage'];
/** The API server keeps counts as int64; no cluster runs more sessions than this. */
const MAX_SESSIONS = 100_000;

/**
 * What one session takes, as the runtime's Pod and PVC ask for it, and as the API server counts it (each
 * amount rounded up to a milli-unit, so a `1n` request counts as `1m`).
 */
export function oneSession(config: KubernetesConfig): Record<SandboxQuotaResource, string> {
  return {
    pods: '1',
    'requests.cpu': resourceQuantity(config.resourceCpuRequest),
    'requests.memory': resourceQuantity(config.resourceMemoryRequest),
    'limits.memory': resourceQuantity(config.resourceMemoryLimit),
    persistentvolumeclaims: '1',
    'requests.storage': resourceQuantity(config.pvcStorageSize),
  };
}

interface Resolved {
  readonly name: string;
  readonly namespace: string;
  readonly config: KubernetesConfig;
  readonly hard: Record<SandboxQuotaResource, string>;
}

/** The quota for maxSessions sessions of the config, then the entries that replace it. */
function resolve(p: Problems, v: ResolvedProps<typeof PROPS>): Resolved {
  const sessionsOk = p.positiveInt('maxSessions', v.maxSessions, MAX_SESSIONS);
  p.throwIfAny();
  const config = fullConfig(v.config);
  const session = oneSession(config);
  const hard = {} as Record<SandboxQuotaResource, string>;
  for (const r of RESOURCES) {
    hard[r] = multiplyQuantity(session[r], sessionsOk ? v.maxSessions : 1);
    if (!isExactlyRepresentable(hard[r])) p.add('maxSessions', v.maxSessions, `small enough that ${r} (${show(session[r])} per session, ${show(hard[r])} in all) stays below 2^63`);
  }
  checkOverrides(p, v.hard ?? {}, session, hard);
  return { name: v.name, namespace: config.namespace, config, hard };
}

function checkOverrides(p: Problems, overrides: Record<string, unknown>, session: Record<SandboxQuotaResource, string>, hard: Record<SandboxQuotaResource, string>): void {
  for (const [k, v] of Object.entries(overrides)) {
    const field = `hard[${show(k)}]`;
    if (!RESOURCES.includes(k as SandboxQuotaResource)) {
      p.add(field, v, `absent: the sandbox quota has ${RESOURCES.join(', ')}`);
      continue;
    }
    const r = k as SandboxQuotaResource;
    if (!p.quantity(field, v)) continue;
    const whole = r === 'pods' || r === 'persistentvolumeclaims';
    if (whole && !/^\d+$/.test(v as string)) p.add(field, v, 'a whole number (it counts objects)');
    else if (!isExactlyRepresentable(v as string)) p.add(field, v, 'a quantity below 2^63');
    else if (compareQuantities(v as string, session[r]) < 0) {
      p.add(field, v, `at least one session's ${show(session[r])} (a smaller quota refuses every sandbox)`);
    } else hard[r] = resourceQuantity(v as string);
  }
}

/**
 * Caps what sandbox sessions can take from the cluster: a ResourceQuota for `maxSessions` sessions (pods,
 * CPU and memory requests, memory limits, volume claims and storage, each exactly maxSessions times what
 * one session asks for), and a LimitRange whose defaults are the config's per-sandbox values, so a container
 * created without resources still gets them (the quota would otherwise refuse it).
 *
 * The quota counts every Pod and claim in the namespace: run the OpenHands server elsewhere.
 */
export class SandboxQuota extends Construct {
  public readonly resourceQuota: KubeResourceQuota;
  public readonly limitRange: KubeLimitRange;
  /** The quota's `spec.hard`, in the canonical form the API server stores. */
  public readonly hard: Readonly<Record<SandboxQuotaResource, string>>;

  constructor(scope: Construct, id: string, props: SandboxQuotaProps = {}) {
    super(scope, id);
    const r = resolveProps(this, props, PROPS, resolve);
    this.hard = r.hard;
    this.resourceQuota = new KubeResourceQuota(this, 'quota', {
      metadata: { name: r.name, namespace: r.namespace },
      spec: { hard: Object.fromEntries(RESOURCES.map(k => [k, canonical(r.hard[k])])) },
    });
    this.limitRange = new KubeLimitRange(this, 'limits', {
      metadata: { name: r.name, namespace: r.namespace },
      spec: {
        limits: [{
          type: 'Container',
          default: { memory: canonical(r.config.resourceMemoryLimit) },
          defaultRequest: { cpu: canonical(r.config.resourceCpuRequest), memory: canonical(r.config.resourceMemoryRequest) },
        }],
      },
    });
  }
}

/** As the API server stores it, so what `dist/` holds is what `kubectl get` shows. */
function canonical(quantity: string): Quantity {
  return Quantity.fromString(resourceQuantity(quantity));
}
