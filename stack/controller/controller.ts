/**
 * The failover controller (in the spirit of Patroni / pg_auto_failover). Every heartbeat it renews the
 * primary's lease and probes every database. When renewals have failed for the whole grace period — by
 * then the primary's lease has run out too, so it can no longer acknowledge writes: fencing by lease — it
 * promotes the most advanced eligible standby, bumps the epoch, repoints the other standbys, fences the
 * old primary whenever it is reachable again, and (local mode) re-seeds it as a standby. A promotion that
 * stopped half-way (standby promoted, epoch not bumped) is finished at the next heartbeat.
 */
import type { ReplicationStatus } from '../../src/contract/stack-status.js';
import { createLogger, type Logger } from '../shared/log.js';
import { synchronousStandbyNames } from '../postgres/config.js';
import { LossDetector } from './detection.js';
import { decideSync, eligibleSyncStandbys } from './sync-mode.js';
import { validateConfig } from '../router/program-config.js';
import { controllerConfigSchema, type ControllerConfig, type ControllerConfigInput } from './config.js';
import { DbLink, QueryNotSentError } from './db-link.js';
import { maxLsn, parseLsn } from './lsn.js';
import { probeRegion, REPLICATION_SQL, SYNC_SQL, type RegionProbe, type ReplicationRow } from './probe.js';
import { rejoinRegion } from './rejoin.js';

export type ControllerPhase = 'starting' | 'healthy' | 'primary-unreachable' | 'no-eligible-standby';

export interface ControllerStatus {
  primary: string;
  epoch: number;
  phase: ControllerPhase;
  regions: ReplicationStatus[];
  /** Old primaries not yet re-seeded as standbys. */
  demoted: string[];
  lastHeartbeatAt: number | null;
  bugs: string[];
}

export interface Controller {
  status(): ControllerStatus;
  stop(): Promise<void>;
}

const sleepUntilStopped = (ms: number, stopped: AbortSignal) =>
  new Promise<void>((resolve) => {
    const onAbort = () => {
      clearTimeout(timer);
      resolve();
    };
    const timer = setTimeout(() => {
      stopped.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    stopped.addEventListener('abort', onAbort, { once: true });
  });

/** Build the controller and start its heartbeat loop. */
export async function createController(
  input: ControllerConfigInput,
  options: { logger?: Logger } = {},
): Promise<Controller> {
  const config: ControllerConfig = validateConfig(controllerConfigSchema, input, 'controller config');
  const log = options.logger ?? createLogger({ runId: config.runId, component: 'controller' });
  const regions = Object.keys(config.dbs);
  const noFencing = config.bugs.includes('no-fencing');
  const timeoutMs =
    config.queryTimeoutMs ??
    Math.max(250, Math.min(2_000, Math.max(config.heartbeatMs, Math.floor(config.graceMs / 2))));
  const stuckAfterMs = config.stuckStandbyMs ?? Math.max(10_000, 4 * config.graceMs);
  const links = new Map(regions.map((r) => [r, new DbLink(r, config.dbs[r] as string, timeoutMs)]));
  const link = (region: string) => links.get(region) as DbLink;
  const others = (region: string) => regions.filter((r) => r !== region);

  let primary = config.primary;
  let epoch = 1;
  let phase: ControllerPhase = 'starting';
  let lastRenewOk = Date.now();
  const detector = new LossDetector(
    { graceMs: config.graceMs, minFailures: config.minFailedRenewals },
    Date.now(),
  );
  let syncStandbys = new Set<string>();
  /** Standbys whose state in the primary's pg_stat_replication is `streaming`. */
  let streaming = new Set<string>();
  let lagBytes = new Map<string, number>();
  /** The primary's synchronous_standby_names and WAL position at the last renewal. */
  let syncNames: string | null = null;
  let primaryLsn: bigint | null = null;
  /** A standby counts for the quorum only once it flushed everything committed while sync was relaxed. */
  let syncSince: bigint = 0n;
  let probes = new Map<string, RegionProbe>();
  let lastHeartbeatAt: number | null = null;
  let promotedByUs = false;
  let outageReported = false;
  let failureReported = false;
  /** A promotion under way: kept until every step is done, so a half-done one is finished next time. */
  let pending: { region: string; epoch: number; from: string; lsn: bigint | null } | null = null;
  const demoted = new Set<string>();
  const fenced = new Set<string>();
  const rejoining = new Map<string, Promise<void>>();
  const notStreamingSince = new Map<string, number>();
  const warnedNoConninfo = new Set<string>();

  const probeAll = async () => {
    const results = await Promise.all(regions.map(async (r) => [r, await probeRegion(link(r))] as const));
    probes = new Map(results);
  };

  /** A database out of recovery whose own control row names it, unfenced: it may hold the lease. */
  const claimsPrimary = (region: string) => {
    const p = probes.get(region);
    return !!p?.reachable && !p.inRecovery && !p.fenced && p.controlRegion === region;
  };

  /** At start-up the databases know better than our config (a restarted controller). */
  const discover = async () => {
    await probeAll();
    const primaries = regions.filter((r) => probes.get(r)?.reachable && !probes.get(r)?.inRecovery);
    const epochOf = (r: string) => probes.get(r)?.epoch ?? 0;
    const live = primaries.filter(claimsPrimary).sort((a, b) => epochOf(b) - epochOf(a));
    const known = Math.max(1, ...regions.map(epochOf));
    if (live[0] !== undefined) {
      primary = live[0];
      epoch = epochOf(live[0]);
    } else {
      epoch = known;
    }
    for (const r of primaries) {
      if (r === primary) continue;
      const probe = probes.get(r);
      // Promoted, but the epoch bump never happened (the previous controller stopped half-way): finish
      // it if the primary turns out lost; otherwise it is fenced and re-seeded like any old primary.
      if (!probe?.fenced && probe?.controlRegion === primary && epochOf(r) === epoch && !pending) {
        pending = { region: r, epoch: known + 1, from: primary, lsn: null };
        continue;
      }
      demoted.add(r);
      if (probe?.fenced) fenced.add(r);
    }
    log.info('controller state discovered', {
      primary,
      epoch,
      demoted: [...demoted],
      fenced: [...fenced],
      halfPromoted: pending?.region ?? null,
      queryTimeoutMs: timeoutMs,
    });
  };

  /**
   * Renew the lease; `synchronous_commit = local` so a renewal never waits for a standby. Replication is
   * read before the renewal: lag is then the WAL up to this heartbeat that a standby has not replayed. Read
   * after it, the renewal's own WAL — still crossing a WAN link — would keep every standby's lag above 0.
   */
  const renew = async (): Promise<boolean> => {
    const started = Date.now();
    try {
      const results = await link(primary).multi(
        `${REPLICATION_SQL}; BEGIN; SET LOCAL synchronous_commit = local;
         UPDATE chaosbank_control SET lease_until = ${leaseUntil(started, config.graceMs)}
           WHERE id = 1 AND epoch = ${epoch} AND region = ${escapeLiteral(primary)} AND NOT fenced
             AND NOT pg_is_in_recovery() RETURNING epoch;
         COMMIT; ${SYNC_SQL}`,
      );
      if (results[3]?.rowCount !== 1) {
        log.warn('lease not renewed: the primary no longer holds this epoch', { primary, epoch });
        detector.failed(started, true);
        return false;
      }
      detector.renewed(started);
      const rows = (results[0]?.rows ?? []) as ReplicationRow[];
      const sync = results[5]?.rows[0] as { names: string; lsn: string } | undefined;
      syncNames = sync?.names ?? null;
      primaryLsn = parseLsn(sync?.lsn);
      streaming = new Set(rows.filter((r) => r.state === 'streaming').map((r) => r.application_name));
      syncStandbys = eligibleSyncStandbys({
        previous: syncStandbys,
        streamingMembers: new Set(
          rows
            .filter((r) => r.state === 'streaming' && (r.sync_state === 'sync' || r.sync_state === 'quorum'))
            .filter((r) => (parseLsn(r.flush) ?? -1n) >= syncSince)
            .map((r) => r.application_name),
        ),
        names: syncNames ?? '',
      });
      lagBytes = new Map(rows.map((r) => [r.application_name, Number(r.lag ?? 0)]));
      lastRenewOk = Date.now();
      lastHeartbeatAt = lastRenewOk;
      return true;
    } catch (error) {
      // A renewal that reached the server may have committed even though we saw no answer.
      detector.failed(started, !(error instanceof QueryNotSentError));
      return false;
    }
  };

  const setSyncNames = async (region: string, names: string) => {
    await link(region).query(`ALTER SYSTEM SET synchronous_standby_names = ${escapeLiteral(names)}`);
    await link(region).query('SELECT pg_reload_conf()');
  };

  /** Sync mode, current primary only: relax when no standby streams, restore once one does. */
  const syncReplication = async () => {
    if (config.replication !== 'sync' || syncNames === null) return;
    const standbys = others(primary);
    const action = decideSync({
      current: syncNames,
      standbys,
      streaming: [...streaming],
      strict: config.syncMode === 'strict',
    });
    if (action.kind === 'none') return;
    try {
      if (action.kind === 'relax') {
        await setSyncNames(primary, '');
        syncNames = '';
        syncStandbys = new Set();
        log.event('replication.sync-relaxed', `no standby streams from ${primary}: commits no longer wait`, {
          region: primary,
          epoch,
          standbys,
        });
      } else {
        await setSyncNames(primary, action.names);
        syncNames = action.names;
        syncSince = primaryLsn ?? 0n;
        log.event('replication.sync-restored', `${[...streaming].join(', ')} streams from ${primary} again`, {
          region: primary,
          epoch,
          streaming: [...streaming],
          synchronousStandbyNames: action.names,
        });
      }
    } catch (error) {
      log.warn('changing synchronous_standby_names failed; retrying at the next heartbeat', {
        region: primary,
        action: action.kind,
        error: (error as Error).message,
      });
    }
  };

  const chooseCandidate = (): { region: string; lsn: bigint | null } | undefined => {
    if (config.replication === 'sync') {
      // ANY 1 of N: an acknowledged commit is on at least one quorum member, so compare all of them.
      const missing = [...syncStandbys].filter((r) => !probes.get(r)?.reachable);
      if (missing.length > 0) return undefined;
    }
    let best: { region: string; lsn: bigint | null } | undefined;
    for (const region of regions) {
      const probe = probes.get(region);
      if (region === primary || demoted.has(region) || !probe?.reachable || !probe.inRecovery) continue;
      if (rejoining.has(region)) continue;
      // Sync mode: only a standby that counted for the quorum holds every acknowledged commit.
      if (config.replication === 'sync' && !syncStandbys.has(region)) continue;
      const lsn = maxLsn(probe.receiveLsn, probe.replayLsn);
      if (!best || (lsn !== null && (best.lsn === null || lsn > best.lsn))) best = { region, lsn };
    }
    return best;
  };

  /** pg_promote (unless already out of recovery), sync settings, epoch bump: each step idempotent. */
  const completePromotion = async (p: NonNullable<typeof pending>) => {
    const target = link(p.region);
    const started = Date.now();
    const fresh = await probeRegion(target);
    if (!fresh.reachable) throw new Error(`cannot reach ${p.region}: ${fresh.error}`);
    if (fresh.inRecovery) {
      await target.query('SELECT pg_promote(false)');
      const deadline = Date.now() + config.promoteTimeoutMs;
      for (;;) {
        const { rows } = await target.query<{ r: boolean }>('SELECT pg_is_in_recovery() AS r');
        if (rows[0]?.r === false) break;
        if (Date.now() >= deadline)
          throw new Error(`${p.region} still in recovery ${config.promoteTimeoutMs} ms after pg_promote`);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    }
    if (config.replication === 'sync') {
      // Before the epoch bump: the API writes only once it sees the new epoch. Relaxed mode: no standby
      // follows the new primary yet, so commits would block; the heartbeat restores sync once one streams.
      const strict = config.syncMode === 'strict';
      await setSyncNames(p.region, strict ? synchronousStandbyNames(others(p.region)) : '');
      if (!strict && fresh.inRecovery)
        log.event(
          'replication.sync-relaxed',
          `${p.region} promoted: commits do not wait until a standby streams`,
          {
            region: p.region,
            epoch: p.epoch,
            standbys: others(p.region),
          },
        );
    }
    await target.multi(
      `BEGIN; SET LOCAL synchronous_commit = local;
       UPDATE chaosbank_control SET epoch = ${p.epoch}, region = ${escapeLiteral(p.region)},
         lease_until = ${leaseUntil(started, config.graceMs)}, fenced = false
         WHERE id = 1 AND (epoch < ${p.epoch} OR (epoch = ${p.epoch} AND region = ${escapeLiteral(p.region)}));
       COMMIT;`,
    );
  };

  /** Resolves true when a standby was promoted (or a half-done promotion finished). */
  const failover = async (): Promise<boolean> => {
    const from = primary;
    if (!pending) {
      const candidate = chooseCandidate();
      if (!candidate) {
        phase = 'no-eligible-standby';
        if (!failureReported) {
          failureReported = true;
          log.event('failover.failed', `no eligible standby to promote (primary ${from} lost)`, {
            from,
            epoch,
            reachable: regions.filter((r) => probes.get(r)?.reachable),
            syncStandbys: [...syncStandbys],
            unreachable: Object.fromEntries(
              regions.filter((r) => !probes.get(r)?.reachable).map((r) => [r, probes.get(r)?.error]),
            ),
          });
        }
        return false;
      }
      const newEpoch = Math.max(epoch, ...regions.map((r) => probes.get(r)?.epoch ?? 0)) + 1;
      pending = { region: candidate.region, epoch: newEpoch, from, lsn: candidate.lsn };
    }
    const p = pending;
    try {
      await completePromotion(p);
    } catch (error) {
      log.error('promotion incomplete; finishing it at the next heartbeat', {
        region: p.region,
        epoch: p.epoch,
        error: (error as Error).message,
      });
      return false;
    }
    pending = null;
    demoted.add(p.from);
    primary = p.region;
    epoch = p.epoch;
    promotedByUs = true;
    syncStandbys = new Set();
    streaming = new Set();
    syncNames = null;
    lastRenewOk = Date.now();
    detector.reset(lastRenewOk);
    phase = 'healthy';
    outageReported = false;
    failureReported = false;
    log.event('failover.promoted', `promoted ${p.region} at epoch ${p.epoch}`, {
      epoch: p.epoch,
      region: p.region,
      from: p.from,
      lsn: p.lsn?.toString(16) ?? null,
    });
    return true;
  };

  /** The primary renewed its lease after all: a promotion not yet done is dropped. */
  const abandonPending = () => {
    if (!pending) return;
    const p = pending;
    pending = null;
    const probe = probes.get(p.region);
    // Already out of recovery: a diverged copy. It holds no valid lease (it was promoted after the old
    // one expired), and it is fenced and re-seeded like an old primary.
    if (probe?.reachable && !probe.inRecovery) demoted.add(p.region);
    log.warn('promotion abandoned: the primary renewed its lease again', {
      region: p.region,
      primary,
      halfPromoted: demoted.has(p.region),
    });
  };

  /** Point every reachable standby at the current primary (also ones that come back later). */
  const repoint = async () => {
    for (const region of regions) {
      const probe = probes.get(region);
      if (region === primary || demoted.has(region) || rejoining.has(region)) continue;
      if (region === pending?.region || !probe?.reachable || !probe.inRecovery) continue;
      const desired = config.standbyConninfo[region]?.[primary];
      if (desired === undefined) {
        if (!warnedNoConninfo.has(region))
          log.warn('no standbyConninfo to repoint this standby', { region, primary });
        warnedNoConninfo.add(region);
        continue;
      }
      if (probe.primaryConninfo === desired) continue;
      try {
        await link(region).query(`ALTER SYSTEM SET primary_conninfo = ${escapeLiteral(desired)}`);
        await link(region).query('SELECT pg_reload_conf()');
        probe.primaryConninfo = desired;
        notStreamingSince.set(region, Date.now());
        if (promotedByUs)
          log.event('failover.repointed', `standby ${region} now follows ${primary}`, {
            region,
            primary,
            epoch,
          });
        else log.info('standby repointed', { region, primary });
      } catch (error) {
        log.warn('repointing failed; retrying at the next heartbeat', {
          region,
          error: (error as Error).message,
        });
      }
    }
  };

  /**
   * Make a reachable old primary refuse writes: read-only at once, then end every session still waiting
   * for a synchronous standby (terminated, never cancelled: a cancelled wait would report the commit as
   * done to its client, though no standby has it), then the fenced flag.
   */
  const fence = async () => {
    if (noFencing) return;
    for (const region of demoted) {
      const probe = probes.get(region);
      if (fenced.has(region) || rejoining.has(region) || !probe?.reachable || probe.inRecovery) continue;
      try {
        const db = link(region);
        await db.query('ALTER SYSTEM SET default_transaction_read_only = on');
        await db.query('SELECT pg_reload_conf()');
        await db.query(
          `SELECT pg_terminate_backend(pid) FROM pg_stat_activity
           WHERE wait_event = 'SyncRep' AND pid <> pg_backend_pid()`,
        );
        await db.multi(
          `BEGIN READ WRITE; SET LOCAL synchronous_commit = local;
           SET LOCAL lock_timeout = '${Math.max(50, Math.floor(timeoutMs / 2))}ms';
           UPDATE chaosbank_control SET fenced = true WHERE id = 1; COMMIT;`,
        );
        fenced.add(region);
        log.event('failover.fenced', `old primary ${region} fenced (read-only, fenced flag)`, {
          region,
          epoch,
        });
      } catch (error) {
        log.warn('fencing failed; retrying at the next heartbeat', {
          region,
          error: (error as Error).message,
        });
      }
    }
  };

  /** Local mode: stop `region`'s server, re-seed it from the current primary, start it as a standby. */
  const reseed = (region: string, reason: 'old-primary' | 'stuck-standby') => {
    const settings = config.rejoin;
    const self = settings?.regions[region];
    const source = settings?.regions[primary];
    const conninfo = config.standbyConninfo[region]?.[primary];
    if (!settings || !self || !source || !conninfo || rejoining.has(region)) return;
    const target = primary;
    const job = (async () => {
      link(region).reset();
      log.info('re-seeding as a standby', { region, primary: target, reason });
      await rejoinRegion({
        region,
        replication: config.replication,
        self,
        primaryDataDir: source.dataDir,
        primaryConn: config.dbs[target] as string,
        primaryConninfo: conninfo,
        timeoutMs: settings.timeoutMs,
      });
      notStreamingSince.delete(region);
      if (primary !== target) return; // another failover meanwhile: the next round repoints it
      demoted.delete(region);
      fenced.delete(region);
      log.event('region.rejoined', `${region} rejoined as a standby of ${target}`, {
        region,
        primary: target,
        epoch,
        reason,
      });
    })()
      .catch((error: unknown) =>
        log.error('re-seeding failed; retrying later', { region, reason, error: (error as Error).message }),
      )
      .finally(() => rejoining.delete(region));
    rejoining.set(region, job);
  };

  const rejoinDemoted = () => {
    for (const region of demoted) {
      if (!probes.get(region)?.reachable) continue;
      if (!noFencing && !fenced.has(region)) continue; // fenced first: it must never take a write meanwhile
      reseed(region, 'old-primary');
    }
  };

  /** A standby pointing at the primary that never streams cannot follow its timeline: re-seed it. */
  const reseedStuckStandbys = (now: number) => {
    for (const region of regions) {
      const probe = probes.get(region);
      const following =
        region !== primary &&
        !demoted.has(region) &&
        !rejoining.has(region) &&
        region !== pending?.region &&
        !!probe?.reachable &&
        probe.inRecovery &&
        probe.primaryConninfo === config.standbyConninfo[region]?.[primary];
      if (!following || streaming.has(region)) {
        notStreamingSince.delete(region);
        continue;
      }
      const since = notStreamingSince.get(region) ?? now;
      notStreamingSince.set(region, since);
      if (now - since < stuckAfterMs || !config.rejoin) continue;
      log.warn('standby does not stream from the current primary; re-seeding it', {
        region,
        primary,
        notStreamingForMs: now - since,
      });
      reseed(region, 'stuck-standby');
    }
  };

  const tick = async () => {
    const [renewed] = await Promise.all([renew(), probeAll()]);
    if (renewed) {
      phase = 'healthy';
      outageReported = false;
      abandonPending();
      await syncReplication();
    } else {
      const now = Date.now();
      if (phase === 'healthy' || phase === 'starting') phase = 'primary-unreachable';
      // no-fencing bug: promote at the first missed heartbeat, without waiting for the lease to run out.
      if (noFencing || detector.lost(now)) {
        // Last word before declaring it lost: a primary that can still renew its lease is not lost.
        if (!noFencing && !outageReported && (await renew())) {
          log.warn('the primary renewed its lease at the last attempt: not failing over', {
            primary,
            failedRenewals: detector.failures,
          });
          phase = 'healthy';
          abandonPending();
        } else {
          if (!outageReported) {
            outageReported = true;
            log.event('failover.detected', `primary ${primary} lost`, {
              region: primary,
              epoch,
              sinceLastHeartbeatMs: now - lastRenewOk,
              failedRenewals: detector.failures,
              failingForMs: detector.failingForMs(now),
            });
          }
          if (await failover()) await probeAll();
        }
      }
    }
    await repoint();
    await fence();
    if (config.rejoin) {
      rejoinDemoted();
      if (renewed) reseedStuckStandbys(Date.now());
    }
  };

  const status = (): ControllerStatus => ({
    primary,
    epoch,
    phase,
    demoted: [...demoted],
    lastHeartbeatAt,
    bugs: config.bugs,
    regions: regions.map((region): ReplicationStatus => {
      const probe = probes.get(region);
      if (!probe?.reachable || rejoining.has(region)) return { region, role: 'down', lagBytes: null };
      if (region === primary && !probe.inRecovery) return { region, role: 'primary', lagBytes: 0 };
      // Out of recovery but not the primary: fenced (or a half-done promotion, which holds no lease),
      // or — no-fencing bug — a second primary that still claims the lease: split brain, shown as it is.
      if (!probe.inRecovery)
        return {
          region,
          role: fenced.has(region) || !claimsPrimary(region) ? 'fenced' : 'primary',
          lagBytes: null,
        };
      return {
        region,
        role: 'standby',
        lagBytes: streaming.has(region) ? (lagBytes.get(region) ?? null) : null,
        ...(config.replication === 'sync' ? { synchronous: syncStandbys.has(region) } : {}),
      };
    }),
  });

  await discover();
  lastRenewOk = Date.now();
  detector.reset(lastRenewOk);
  const stopped = new AbortController();
  const loop = (async () => {
    while (!stopped.signal.aborted) {
      const started = Date.now();
      try {
        await tick();
      } catch (error) {
        log.error('heartbeat failed', { error: (error as Error).message });
      }
      await sleepUntilStopped(Math.max(0, config.heartbeatMs - (Date.now() - started)), stopped.signal);
    }
  })();

  return {
    status,
    stop: async () => {
      stopped.abort();
      await loop;
      await Promise.all(rejoining.values());
      await Promise.all([...links.values()].map((l) => l.close()));
    },
  };
}

/**
 * The lease counts from when the controller SENT the statement, not from when the server ran it: a
 * renewal held up on a slow link and applied late must not extend the lease past what the controller
 * assumes (it promotes once `sent + grace` has passed for every renewal that may have arrived).
 */
function leaseUntil(sentAt: number, graceMs: number): string {
  return `least(now(), ${escapeLiteral(new Date(sentAt).toISOString())}::timestamptz) + interval '${graceMs} milliseconds'`;
}

function escapeLiteral(value: string): string {
  return `'${value.replaceAll("'", "''")}'`;
}
