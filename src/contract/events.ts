/**
 * Stack and fault events, on the same clock as the attempt history (epoch milliseconds).
 * Components of the reference stack log JSON lines to stdout; a line with an `event` field is an event.
 */
export type StackEventType =
  | 'failover.detected' // controller: primary lost (after the grace period)
  | 'failover.promoted' // controller: a standby promoted, epoch bumped
  | 'failover.fenced' // controller: old primary fenced
  | 'failover.repointed' // controller: APIs told about the new primary
  | 'failover.failed' // controller: no eligible standby
  | 'region.rejoined' // controller: old primary re-seeded as a standby
  | 'replication.sync-relaxed' // controller: no synchronous standby streams; commits no longer wait
  | 'replication.sync-restored' // controller: a standby streams again; commits wait for it again
  | 'router.switch' // router: preferred region changed
  | 'router.region-unhealthy'
  | 'router.region-healthy'
  | 'fault.applied' // data: {id, kind, target, ..., scheduledAt, appliedAt}; time = appliedAt
  | 'fault.reverted' // data: {..., scheduledAt (of the revert), appliedAt, revertedAt}; time = revertedAt
  | 'phase' // run pipeline phase change (steady-state, load, heal, settle...)
  | 'process.exited';

export interface StackEvent {
  /** Epoch milliseconds (may be fractional). */
  time: number;
  type: StackEventType;
  component?: string;
  region?: string;
  /** Event-specific fields, e.g. {from, to} for router.switch, {epoch, region} for failover.promoted. */
  data?: Record<string, unknown>;
}

/**
 * When a `fault.applied` event's fault took effect: its `data.appliedAt` (epoch ms, its last change
 * made), else the event's time (events from drills and older runs carry no `appliedAt`).
 */
export function faultAppliedAt(event: StackEvent): number {
  const appliedAt = event.data?.appliedAt;
  return typeof appliedAt === 'number' ? appliedAt : event.time;
}

/** One structured log line of a stack component. */
export interface ComponentLogLine {
  time: string; // ISO 8601
  level: 'debug' | 'info' | 'warn' | 'error';
  runId: string;
  component: string;
  region?: string;
  msg: string;
  event?: StackEventType;
  [field: string]: unknown;
}
