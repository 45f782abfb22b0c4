/** What the controller asks each database every heartbeat. */
import type { DbLink } from './db-link.js';
import { parseLsn } from './lsn.js';

export interface RegionProbe {
  reachable: boolean;
  inRecovery: boolean;
  /** WAL received (standby) — a promoted standby replays everything it received first. */
  receiveLsn: bigint | null;
  replayLsn: bigint | null;
  /** Its copy of the control row. */
  epoch: number | null;
  controlRegion: string | null;
  fenced: boolean;
  primaryConninfo: string;
  error: string | null;
}

export const unreachable = (error: unknown): RegionProbe => ({
  reachable: false,
  inRecovery: false,
  receiveLsn: null,
  replayLsn: null,
  epoch: null,
  controlRegion: null,
  fenced: false,
  primaryConninfo: '',
  error: error instanceof Error ? error.message : String(error),
});

export async function probeRegion(link: DbLink): Promise<RegionProbe> {
  try {
    const { rows } = await link.query<{
      recovery: boolean;
      receive: string | null;
      replay: string | null;
      epoch: string | null;
      region: string | null;
      fenced: boolean | null;
      conninfo: string;
    }>(
      `SELECT pg_is_in_recovery() AS recovery, pg_last_wal_receive_lsn()::text AS receive,
              pg_last_wal_replay_lsn()::text AS replay, c.epoch::text AS epoch, c.region, c.fenced,
              current_setting('primary_conninfo') AS conninfo
       FROM (SELECT 1) AS one LEFT JOIN chaosbank_control c ON c.id = 1`,
    );
    const row = rows[0];
    if (!row) return unreachable('no row');
    return {
      reachable: true,
      inRecovery: row.recovery,
      receiveLsn: parseLsn(row.receive),
      replayLsn: parseLsn(row.replay),
      epoch: row.epoch === null ? null : Number(row.epoch),
      controlRegion: row.region,
      fenced: row.fenced ?? false,
      primaryConninfo: row.conninfo,
      error: null,
    };
  } catch (error) {
    return unreachable(error);
  }
}

export interface ReplicationRow {
  application_name: string;
  state: string;
  sync_state: string;
  lag: string | null;
  flush: string | null;
}

export const REPLICATION_SQL = `SELECT application_name, state, sync_state,
  pg_wal_lsn_diff(pg_current_wal_lsn(), replay_lsn)::text AS lag, flush_lsn::text AS flush
  FROM pg_stat_replication`;

/** The primary's synchronous_standby_names and WAL position, after a renewal. */
export const SYNC_SQL = `SELECT current_setting('synchronous_standby_names') AS names,
  pg_current_wal_lsn()::text AS lsn`;
