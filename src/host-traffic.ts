import type { Toleration } from './types';

/**
 * How traffic from the host machine reaches an ingress or gateway controller, so that a cluster construct
 * (KIND's port mappings) can check that something on the host leads to it. Both maps are keyed by the
 * controller's own name for the port (`http`/`https` for ingress-nginx, `web`/`websecure` for Traefik);
 * either may be empty.
 *
 * - `nodePorts`: ports of a NodePort (or LoadBalancer) Service. kube-proxy opens them on every node, so one
 *   KIND `extraPortMappings` entry with `containerPort` = the node port, on any node, reaches the controller
 *   (OpenHands' Traefik install: 30080 and 30443, mapped to host ports 80 and 443).
 * - `hostPorts`: ports the controller pods bind on the node they run on (`containerPort.hostPort`). Only
 *   nodes where such a pod can schedule answer, so each of them needs the mapping, and two replicas
 *   cannot share a node; `pods` says where they can run.
 */
export interface HostTraffic {
  /** Service node ports by port name. */
  readonly nodePorts: Readonly<Record<string, number>>;
  /** Host ports the controller pods bind, by port name. */
  readonly hostPorts: Readonly<Record<string, number>>;
  /** Where the controller pods run: what decides which nodes must map the host ports. */
  readonly pods: {
    readonly replicas: number;
    readonly nodeSelector: Readonly<Record<string, string>>;
    readonly tolerations: readonly Toleration[];
  };
}
