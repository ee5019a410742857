import { Quantity, ResourceRequirements } from '../imports/k8s';
import { Resources } from './types';
import { Problems, isPlainObject } from './validation';

/** Converts typed resources to the k8s binding's quantities. */
export function toKubeResources(res: Resources): ResourceRequirements {
  const amounts = (a?: { cpu?: string; memory?: string }) => a && {
    ...(a.cpu !== undefined ? { cpu: Quantity.fromString(a.cpu) } : {}),
    ...(a.memory !== undefined ? { memory: Quantity.fromString(a.memory) } : {}),
  };
  return { limits: amounts(res.limits), requests: amounts(res.requests) };
}

/** Checks the shape and quantities of requests and limits. */
export function checkResources(p: Problems, field: string, res: Resources): void {
  for (const part of ['requests', 'limits'] as const) {
    const amounts = res[part];
    if (amounts === undefined) continue;
    if (!isPlainObject(amounts)) { p.add(`${field}.${part}`, amounts, 'an object { cpu, memory }'); continue; }
    for (const [k, v] of Object.entries(amounts)) {
      if (k !== 'cpu' && k !== 'memory') p.add(`${field}.${part}.${k}`, v, 'absent (only cpu and memory)');
      else if (v !== undefined) p.quantity(`${field}.${part}.${k}`, v);
    }
  }
}

