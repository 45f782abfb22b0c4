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

export interface QuorumObservation {
  /** The quorum members as of the previous heartbeat. */
  previous: ReadonlySet<string>;
  /** Standbys streaming now as `sync`/`quorum` members, flushed past the point sync was last restored. */
  streamingMembers: ReadonlySet<string>;
  /** The primary's `synchronous_standby_names` read in the same heartbeat ('' = relaxed). */
  names: string;
}

/**
 * The standbys eligible for promotion: those that count for the quorum. Like Patroni's sync key, the set
 * follows `synchronous_standby_names`, not every blip of a stream: when no member streams but sync is not
 * relaxed, the primary cannot have acknowledged a commit since they stopped (a commit waits for ANY 1), so
 * the previous members still hold every acknowledged commit. A region outage that cuts the replication
 * links a moment before the controller's link to the primary must not leave nobody to promote.
 */
export function eligibleSyncStandbys(observation: QuorumObservation): Set<string> {
  if (observation.names.trim() === '') return new Set();
  if (observation.streamingMembers.size === 0) return new Set(observation.previous);
  return new Set(observation.streamingMembers);
}
