import type { StartedStack } from '../../drivers/driver.js';
import type { LoadTargets } from '../load/engine.js';

export function loadTargets(stack: StartedStack): LoadTargets {
  return {
    router: stack.routerUrl,
    regions: Object.fromEntries(Object.values(stack.regions).map((r) => [r.name, r.apiUrl])),
  };
}

/** The rate the load profile starts at (what the steady-state probe sends). */
export function initialRate(load: { rate?: number; stages?: Array<{ target: number }> }): number {
  const rate = load.rate ?? load.stages?.find((s) => s.target > 0)?.target ?? 1;
  return Math.max(1, rate);
}
