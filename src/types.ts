/** Small typed values shared by the constructs. */

/** A Kubernetes resource quantity such as `"500m"`, `"1"`, `"256Mi"`; checked at synth time. */
export type QuantityString = string;

/** CPU and memory amounts for requests or limits. */
export interface ResourceAmounts {
  /** CPU, e.g. `"300m"`. @default - not set */
  readonly cpu?: QuantityString;
  /** Memory, e.g. `"256Mi"`. @default - not set */
  readonly memory?: QuantityString;
}

/** A container's resource requests and limits. */
export interface Resources {
  /** What the scheduler reserves. @default - see the construct */
  readonly requests?: ResourceAmounts;
  /** The ceiling the kubelet enforces. @default - see the construct */
  readonly limits?: ResourceAmounts;
}

/** A pod toleration, as in core/v1. */
export interface Toleration {
  /** Taint key; empty with operator `Exists` tolerates every taint. @default - empty */
  readonly key?: string;
  /** @default 'Equal' */
  readonly operator?: 'Exists' | 'Equal';
  /** Taint value; must be empty with `Exists`. @default - empty */
  readonly value?: string;
  /** Taint effect to tolerate. @default - all effects */
  readonly effect?: 'NoSchedule' | 'PreferNoSchedule' | 'NoExecute';
  /** How long a `NoExecute` taint is tolerated. @default - forever */
  readonly tolerationSeconds?: number;
}

/** A plain environment variable. */
export interface EnvVar {
  readonly name: string;
  readonly value: string;
}
