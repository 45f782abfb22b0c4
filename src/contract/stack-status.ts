/**
 * The stack's state as the harness reads it: the primary, the epoch, each region's replication role and
 * lag, and the region the router prefers. The controller's `GET /status` and the router's
 * `GET /router/status` (contract/stack-http.ts) are its sources; `StartedStack.status()` returns it.
 */
export interface ReplicationStatus {
  region: string;
  role: 'primary' | 'standby' | 'fenced' | 'down';
  /** Bytes of WAL the standby is behind the primary (0 for the primary, null when unknown). */
  lagBytes: number | null;
  /**
   * Sync replication only: this standby counted for the primary's synchronous quorum at the controller's
   * last good heartbeat and had flushed everything committed while sync was relaxed, so it holds every
   * acknowledged commit and may be promoted. Absent when unknown or not applicable.
   */
  synchronous?: boolean;
}

export interface StackStatus {
  primary: string;
  epoch: number;
  regions: ReplicationStatus[];
  /** Region the router currently prefers. */
  routerActive: string | null;
}
