import { Quantity, ResourceRequirements } from '../imports/k8s';
import { compareQuantities, isExactlyRepresentable } from './quantity';
import { Resources } from './types';
import { Problems, isPlainObject, isQuantity, show } from './validation';

/** Converts typed resources to the k8s binding's quantities. */
export function toKubeResources(res: Resources): ResourceRequirements {
  const amounts = (a?: { cpu?: string; memory?: string }) => a && {
    ...(a.cpu !== undefined ? { cpu: Quantity.fromString(a.cpu) } : {}),
    ...(a.memory !== undefined ? { memory: Quantity.fromString(a.memory) } : {}),
  };
  return { limits: amounts(res.limits), requests: amounts(res.requests) };
}

/** Checks the shape and quantities of requests and limits, and that no request exceeds its limit. */
export function checkResources(p: Problems, field: string, res: Resources): void {
  for (const part of ['requests', 'limits'] as const) {
    const amounts = res[part];
    if (amounts === undefined) continue;
    if (!isPlainObject(amounts)) { p.add(`${field}.${part}`, amounts, 'an object { cpu, memory }'); continue; }
    for (const [k, v] of Object.entries(amounts)) {
      if (k !== 'cpu' && k !== 'memory') p.add(`${field}.${part}.${k}`, v, 'absent (only cpu and memory)');
      else if (v !== undefined) checkAmount(p, `${field}.${part}.${k}`, v);
    }
  }
  if (!isPlainObject(res.requests) || !isPlainObject(res.limits)) return;
  for (const k of ['cpu', 'memory'] as const) {
    checkRequestWithinLimit(p, `${field}.requests.${k}`, res.requests[k], `${field}.limits.${k}`, res.limits[k]);
  }
}

/**
 * A resource amount: a quantity of at most 2^63-1 units. The API server silently caps larger binary amounts ("9Ei"
 * is stored as 2^63-1), so a request could end up above a limit that was written larger; no cluster has that much.
 */
export function checkAmount(p: Problems, field: string, value: unknown): boolean {
  if (!p.quantity(field, value)) return false;
  return p.check(isExactlyRepresentable(value as string), field, value, 'a quantity of at most 2^63-1 (about 8Ei; the API server caps larger amounts)');
}

/** The API server refuses a container whose request exceeds its limit (and a LimitRange whose default request does). */
export function checkRequestWithinLimit(p: Problems, requestField: string, request: unknown, limitField: string, limit: unknown): void {
  if (isQuantity(request) && isQuantity(limit) && compareQuantities(request, limit) > 0) {
    p.add(limitField, limit, `at least ${requestField} (${show(request)})`);
  }
}

