/**
 * The failover controller (in the spirit of Patroni / pg_auto_failover). Every heartbeat it renews the
 * primary's lease and probes every database. When the primary has missed heartbeats for the grace period
 * — by then its lease has run out too, so it can no longer acknowledge writes: fencing by lease — it
 * promotes the most advanced eligible standby, bumps the epoch, repoints the other standbys, fences the
 * old primary whenever it is reachable again, and (local mode) re-seeds it as a standby.
 */
import type { ReplicationStatus } from '../../drivers/driver.js';
import { createLogger, type Logger } from '../shared/log.js';
import { synchronousStandbyNames } from '../postgres/config.js';
import { validateConfig } from '../router/program-config.js';
import { controllerConfigSchema, type ControllerConfig, type ControllerConfigInput } from './config.js';
import { DbLink, QueryNotSentError } from './db-link.js';
import { maxLsn } from './lsn.js';
import { probeRegion, REPLICATION_SQL, type RegionProbe, type ReplicationRow } from './probe.js';
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
  const timeoutMs = config.queryTimeoutMs ?? Math.min(config.heartbeatMs, 1_000);
  const links = new Map(regions.map((r) => [r, new DbLink(r, config.dbs[r] as string, timeoutMs)]));
  const link = (region: string) => links.get(region) as DbLink;

  let primary = config.primary;
  let epoch = 1;
  let phase: ControllerPhase = 'starting';
  let lastRenewOk = Date.now();
  /** A renewal that was sent but not confirmed may still have extended the lease until this time. */
  let leaseMayHoldUntil = Date.now() + config.graceMs;
  let syncStandbys = new Set<string>();
  let lagBytes = new Map<string, number>();
  let probes = new Map<string, RegionProbe>();
  let lastHeartbeatAt: number | null = null;
  let promotedByUs = false;
  let outageReported = false;
  let failureReported = false;
  const demoted = new Set<string>();
  const fenced = new Set<string>();
  const rejoining = new Map<string, Promise<void>>();
  const warnedNoConninfo = new Set<string>();

  const probeAll = async () => {
    const results = await Promise.all(regions.map(async (r) => [r, await probeRegion(link(r))] as const));
    probes = new Map(results);
  };

  /** At start-up the databases know better than our config (a restarted controller). */
  const discover = async () => {
    await probeAll();
    const primaries = regions.filter((r) => probes.get(r)?.reachable && !probes.get(r)?.inRecovery);
    const epochOf = (r: string) => probes.get(r)?.epoch ?? 0;
    const live = primaries.filter((r) => !probes.get(r)?.fenced).sort((a, b) => epochOf(b) - epochOf(a));
    const known = Math.max(1, ...regions.map(epochOf));
    if (live[0] !== undefined) {
      primary = live[0];
      epoch = epochOf(live[0]);
    } else {
      epoch = known;
    }
    for (const r of primaries) {
      if (r === primary) continue;
      demoted.add(r);
      if (probes.get(r)?.fenced) fenced.add(r);
    }
    log.info('controller state discovered', { primary, epoch, demoted: [...demoted], fenced: [...fenced] });
  };

  /** Renew the lease; `synchronous_commit = local` so a renewal never waits for a standby. */
  const renew = async (): Promise<boolean> => {
    const started = Date.now();
    try {
      const results = await link(primary).multi(
        `BEGIN; SET LOCAL synchronous_commit = local;
         UPDATE chaosbank_control SET lease_until = now() + interval '${config.graceMs} milliseconds'
           WHERE id = 1 AND epoch = ${epoch} AND NOT fenced AND NOT pg_is_in_recovery() RETURNING epoch;
         COMMIT; ${REPLICATION_SQL}`,
      );
      leaseMayHoldUntil = Math.max(leaseMayHoldUntil, started + config.graceMs);
      if (results[2]?.rowCount !== 1) {
        log.warn('lease not renewed: the primary no longer holds this epoch', { primary, epoch });
        return false;
      }
      const rows = (results[4]?.rows ?? []) as ReplicationRow[];
      syncStandbys = new Set(
        rows
          .filter((r) => r.state === 'streaming' && (r.sync_state === 'sync' || r.sync_state === 'quorum'))
          .map((r) => r.application_name),
      );
      lagBytes = new Map(rows.map((r) => [r.application_name, Number(r.lag ?? 0)]));
      lastRenewOk = Date.now();
      lastHeartbeatAt = lastRenewOk;
      return true;
    } catch (error) {
      // A renewal that reached the server may have committed even though we saw no answer.
      if (!(error instanceof QueryNotSentError))
        leaseMayHoldUntil = Math.max(leaseMayHoldUntil, started + config.graceMs);
      return false;
    }
  };

  const chooseCandidate = (): { region: string; lsn: bigint | null } | undefined => {
    let best: { region: string; lsn: bigint | null } | undefined;
    for (const region of regions) {
      const probe = probes.get(region);
      if (region === primary || demoted.has(region) || !probe?.reachable || !probe.inRecovery) continue;
      // Sync mode: only a standby that counted for the quorum holds every acknowledged commit.
      if (config.replication === 'sync' && !syncStandbys.has(region)) continue;
      const lsn = maxLsn(probe.receiveLsn, probe.replayLsn);
      if (!best || (lsn !== null && (best.lsn === null || lsn > best.lsn))) best = { region, lsn };
    }
    return best;
  };

  /** Resolves true when a standby was promoted. */
  const failover = async (): Promise<boolean> => {
    const from = primary;
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
        });
      }
      return false;
    }
    const target = link(candidate.region);
    const newEpoch = Math.max(epoch, ...regions.map((r) => probes.get(r)?.epoch ?? 0)) + 1;
    try {
      await target.query('SELECT pg_promote(true, 60)');
      const others = regions.filter((r) => r !== candidate.region);
      if (config.replication === 'sync') {
        // Before the epoch bump: the API writes only once it sees the new epoch, and by then every commit
        // waits for a standby again.
        await target.query(
          `ALTER SYSTEM SET synchronous_standby_names = ${escapeLiteral(synchronousStandbyNames(others))}`,
        );
        await target.query('SELECT pg_reload_conf()');
      }
      await target.multi(
        `BEGIN; SET LOCAL synchronous_commit = local;
         UPDATE chaosbank_control SET epoch = ${newEpoch}, region = ${escapeLiteral(candidate.region)},
           lease_until = now() + interval '${config.graceMs} milliseconds', fenced = false WHERE id = 1;
         COMMIT;`,
      );
    } catch (error) {
      log.error('promotion failed; retrying at the next heartbeat', {
        region: candidate.region,
        error: (error as Error).message,
      });
      return false;
    }
    demoted.add(from);
    primary = candidate.region;
    epoch = newEpoch;
    promotedByUs = true;
    syncStandbys = new Set();
    lastRenewOk = Date.now();
    leaseMayHoldUntil = lastRenewOk + config.graceMs;
    phase = 'healthy';
    outageReported = false;
    failureReported = false;
    log.event('failover.promoted', `promoted ${candidate.region} at epoch ${newEpoch}`, {
      epoch: newEpoch,
      region: candidate.region,
      from,
      lsn: candidate.lsn?.toString(16) ?? null,
    });
    return true;
  };

  /** Point every reachable standby at the current primary (also ones that come back later). */
  const repoint = async () => {
    for (const region of regions) {
      const probe = probes.get(region);
      if (region === primary || demoted.has(region) || !probe?.reachable || !probe.inRecovery) continue;
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

  /** Make a reachable old primary refuse writes: read-only at once, then the fenced flag. */
  const fence = async () => {
    if (noFencing) return;
    for (const region of demoted) {
      const probe = probes.get(region);
      if (fenced.has(region) || rejoining.has(region) || !probe?.reachable || probe.inRecovery) continue;
      try {
        await link(region).query('ALTER SYSTEM SET default_transaction_read_only = on');
        await link(region).query('SELECT pg_reload_conf()');
        await link(region).multi(
          `BEGIN READ WRITE; SET LOCAL synchronous_commit = local; SET LOCAL lock_timeout = '${timeoutMs}ms';
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

  const rejoin = () => {
    if (!config.rejoin) return;
    const settings = config.rejoin;
    for (const region of demoted) {
      const probe = probes.get(region);
      const self = settings.regions[region];
      const source = settings.regions[primary];
      if (rejoining.has(region) || !self || !source || !probe?.reachable) continue;
      if (!noFencing && !fenced.has(region)) continue; // fenced first: it must never take a write meanwhile
      const conninfo = config.standbyConninfo[region]?.[primary];
      if (!conninfo) continue;
      const target = primary;
      const job = (async () => {
        link(region).reset();
        log.info('re-seeding the old primary as a standby', { region, primary: target });
        await rejoinRegion({
          region,
          replication: config.replication,
          self,
          primaryDataDir: source.dataDir,
          primaryConn: config.dbs[target] as string,
          primaryConninfo: conninfo,
          timeoutMs: settings.timeoutMs,
        });
        if (primary !== target) return; // another failover meanwhile: the next round repoints it
        demoted.delete(region);
        fenced.delete(region);
        log.event('region.rejoined', `${region} rejoined as a standby of ${target}`, {
          region,
          primary: target,
          epoch,
        });
      })()
        .catch((error: unknown) =>
          log.error('rejoin failed; retrying later', { region, error: (error as Error).message }),
        )
        .finally(() => rejoining.delete(region));
      rejoining.set(region, job);
    }
  };

  const tick = async () => {
    const renewed = await renew();
    await probeAll();
    if (renewed) {
      phase = 'healthy';
      outageReported = false;
    } else {
      const now = Date.now();
      if (phase === 'healthy' || phase === 'starting') phase = 'primary-unreachable';
      // no-fencing bug: promote at the first missed heartbeat, without waiting for the lease to run out.
      const lost = noFencing || (now - lastRenewOk >= config.graceMs && now >= leaseMayHoldUntil);
      if (lost) {
        if (!outageReported) {
          outageReported = true;
          log.event('failover.detected', `primary ${primary} lost`, {
            region: primary,
            epoch,
            sinceLastHeartbeatMs: now - lastRenewOk,
          });
        }
        if (await failover()) await probeAll();
      }
    }
    await repoint();
    await fence();
    rejoin();
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
      // A demoted primary: fenced, or (no-fencing bug) a second primary — split brain, shown as it is.
      if (!probe.inRecovery)
        return { region, role: fenced.has(region) || probe.fenced ? 'fenced' : 'primary', lagBytes: null };
      return { region, role: 'standby', lagBytes: lagBytes.get(region) ?? null };
    }),
  });

  await discover();
  lastRenewOk = Date.now();
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

function escapeLiteral(value: string): string {
  return `'${value.replaceAll("'", "''")}'`;
}
