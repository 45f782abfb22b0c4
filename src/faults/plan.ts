/**
 * A fault compiled onto a topology: the exact operations that inject it and the exact operations that
 * revert it. Plans are plain data (JSON-serialisable) so they can be persisted in `faults.json` and
 * reverted by another process after a crash.
 */
import type { ProcessAction } from '../contract/process-action.js';
import type { FaultKind } from './spec.js';

export type ToxicType = 'latency' | 'bandwidth' | 'timeout' | 'reset_peer';
export type ToxicStream = 'upstream' | 'downstream';

/** Every toxic chaosbank adds is named with this prefix, so `heal` can find leftovers. */
export const TOXIC_PREFIX = 'cb-';

export interface ToxicSpec {
  /** `cb-<faultId>-<type>-<stream>`: unique per fault, owned by chaosbank. */
  name: string;
  type: ToxicType;
  stream: ToxicStream;
  toxicity: number;
  attributes: Record<string, number>;
}

/** A component id resolved only when the fault is applied: the database of the primary at that time. */
export const CURRENT_PRIMARY_DB = 'db@<current-primary>';

export type FaultOperation =
  | { type: 'disable-proxy'; proxy: string }
  | { type: 'add-toxic'; proxy: string; toxic: ToxicSpec }
  | {
      type: 'process';
      /** A component id, or CURRENT_PRIMARY_DB until the injector resolves it. */
      component: string;
      action: ProcessAction;
      /** The action that undoes it; null when there is nothing to undo (a restart). */
      revert: ProcessAction | null;
    };

export type RevertOperation =
  /** Re-enable only when no other active fault still disables the proxy (reference counting). */
  | { type: 'enable-proxy'; proxy: string }
  | { type: 'remove-toxic'; proxy: string; toxic: string }
  | { type: 'process'; component: string; action: ProcessAction };

export interface FaultPlan {
  id: string;
  kind: FaultKind;
  /** Human-readable target, e.g. `region us-east`, `link api@eu-west->db@us-east`, `regions a<->b`. */
  target: string;
  /** The region the fault is about, when it is about one (for events). */
  region?: string;
  /** The component the fault is about, for process faults. */
  component?: string;
  operations: FaultOperation[];
  /** The exact undo of `operations`, in reverse order. */
  reverts: RevertOperation[];
}

/** The undo of one operation. */
export function revertOf(operation: FaultOperation): RevertOperation | null {
  switch (operation.type) {
    case 'disable-proxy':
      return { type: 'enable-proxy', proxy: operation.proxy };
    case 'add-toxic':
      return { type: 'remove-toxic', proxy: operation.proxy, toxic: operation.toxic.name };
    case 'process':
      return operation.revert === null
        ? null
        : { type: 'process', component: operation.component, action: operation.revert };
  }
}

export function revertsOf(operations: FaultOperation[]): RevertOperation[] {
  return operations
    .map(revertOf)
    .filter((op): op is RevertOperation => op !== null)
    .reverse();
}

/** Proxies a plan disables. */
export function disabledProxies(plan: Pick<FaultPlan, 'operations'>): string[] {
  return plan.operations.flatMap((op) => (op.type === 'disable-proxy' ? [op.proxy] : []));
}

/** Every proxy a plan touches (disabled or toxic). */
export function touchedProxies(plan: Pick<FaultPlan, 'operations'>): string[] {
  const names = plan.operations.flatMap((op) => (op.type === 'process' ? [] : [op.proxy]));
  return [...new Set(names)];
}

export function toxicsOf(plan: Pick<FaultPlan, 'operations'>): Array<{ proxy: string } & ToxicSpec> {
  return plan.operations.flatMap((op) => (op.type === 'add-toxic' ? [{ proxy: op.proxy, ...op.toxic }] : []));
}

/**
 * Overlapping faults compose: a proxy disabled by several active faults stays disabled until the last
 * of them is reverted. Returns the proxies `reverting` may re-enable given the faults still active.
 */
export function proxiesToEnable(
  reverting: Pick<FaultPlan, 'id' | 'operations'>,
  active: Array<Pick<FaultPlan, 'id' | 'operations'>>,
): string[] {
  const stillDisabled = new Set(active.filter((f) => f.id !== reverting.id).flatMap(disabledProxies));
  return disabledProxies(reverting).filter((proxy) => !stillDisabled.has(proxy));
}
