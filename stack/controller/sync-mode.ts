/**
 * Synchronous replication on the current primary, decided like Patroni's non-strict synchronous mode:
 * when no standby streams, a commit would wait forever, so the controller relaxes
 * `synchronous_standby_names` to '' (the primary keeps accepting writes, unreplicated — RPO > 0 if it dies
 * now, and no standby is eligible for promotion meanwhile) and restores `ANY 1 (<standbys>)` as soon as a
 * standby streams again. `strict` never relaxes: commits block until a standby is back (RPO 0, no writes).
 */
import { synchronousStandbyNames } from '../postgres/config.js';

export type SyncAction = { kind: 'relax' } | { kind: 'restore'; names: string } | { kind: 'none' };

export interface SyncState {
  /** The primary's current `synchronous_standby_names` ('' = relaxed; any list counts as enabled). */
  current: string;
  /** Every other region (the standbys the primary may wait for). */
  standbys: string[];
  /** Standbys in `pg_stat_replication` with state `streaming` (caught up, able to acknowledge). */
  streaming: string[];
  strict: boolean;
}

export function decideSync(state: SyncState): SyncAction {
  const relaxed = state.current.trim() === '';
  const restore = { kind: 'restore', names: synchronousStandbyNames(state.standbys) } as const;
  const available = state.streaming.some((s) => state.standbys.includes(s));
  if (available || state.strict) return relaxed ? restore : { kind: 'none' };
  return relaxed ? { kind: 'none' } : { kind: 'relax' };
}
