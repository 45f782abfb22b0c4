/**
 * Primary discovery: poll every region's database (as this API reaches it) for its control row. The
 * primary is the non-recovery, non-fenced database whose own control row names it, with the highest
 * epoch (a standby promoted half-way still carries the old primary's row: it is not a primary yet).
 * Also tracks whether the local database answers (for /readyz).
 */
import type pg from 'pg';
import type { Logger } from '../shared/log.js';
import { createPool, errorMessage } from './db.js';

export interface KnownPrimary {
  region: string;
  epoch: number;
}

interface RegionProbe {
  ok: boolean;
  recovery?: boolean;
  fenced?: boolean;
  epoch?: number;
  /** The region its control row names. */
  region?: string;
  error?: string;
}

const CONTROL_QUERY =
  'SELECT pg_is_in_recovery() AS recovery, epoch, region, fenced FROM chaosbank_control WHERE id = 1';

export class PrimaryDiscovery {
  #primary: KnownPrimary | null = null;
  #localOk = false;
  #localError = 'not polled yet';
  #probes = new Map<string, RegionProbe>();
  #pools = new Map<string, pg.Pool>();
  #localPool: pg.Pool;
  #timer: NodeJS.Timeout | undefined;
  #round: Promise<void> | null = null;
  #again = false;
  #closed = false;
  #waiters = new Set<() => void>();

  constructor(
    dbs: Record<string, string>,
    localDb: string,
    private readonly intervalMs: number,
    private readonly log: Logger,
  ) {
    const statementTimeoutMs = Math.max(250, Math.min(1000, intervalMs * 5));
    for (const [region, url] of Object.entries(dbs))
      this.#pools.set(
        region,
        createPool(url, { max: 1, statementTimeoutMs, name: `chaosbank-discovery` }, log),
      );
    this.#localPool = createPool(
      localDb,
      { max: 1, statementTimeoutMs, name: 'chaosbank-discovery-local' },
      log,
    );
  }

  get primary(): KnownPrimary | null {
    return this.#primary;
  }

  /** Why the API is not ready, or null when it is (primary known and reachable, local db answers). */
  notReadyReason(): string | null {
    if (this.#primary === null) {
      const seen = [...this.#probes.entries()].map(([r, p]) =>
        p.ok
          ? `${r}: ${p.recovery ? 'standby' : p.fenced ? 'fenced' : p.region !== r ? `promoting (control row of ${p.region})` : `epoch ${p.epoch}`}`
          : `${r}: ${p.error}`,
      );
      return `no primary known (${seen.join('; ') || 'not polled yet'})`;
    }
    if (!this.#localOk) return `local database not usable: ${this.#localError}`;
    return null;
  }

  start(): void {
    this.#schedule(0);
  }

  /** Re-poll at once (after a failed write): a primary change must be seen quickly. */
  pollNow(): Promise<void> {
    if (this.#round !== null) {
      this.#again = true;
      return this.#round;
    }
    clearTimeout(this.#timer);
    return this.#runRound();
  }

  /** Resolves when a primary is known (or rejects after timeoutMs). */
  async waitForPrimary(timeoutMs: number): Promise<KnownPrimary> {
    const deadline = Date.now() + timeoutMs;
    while (this.#primary === null) {
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`no primary found within ${timeoutMs} ms: ${this.notReadyReason()}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(done, left);
        this.#waiters.add(done);
        function done(): void {
          clearTimeout(timer);
          resolve();
        }
      });
    }
    return this.#primary;
  }

  async close(): Promise<void> {
    this.#closed = true;
    clearTimeout(this.#timer);
    await this.#round?.catch(() => undefined);
    await Promise.all([...this.#pools.values(), this.#localPool].map((p) => p.end()));
  }

  #schedule(delayMs: number): void {
    if (this.#closed) return;
    this.#timer = setTimeout(() => void this.#runRound(), delayMs);
    this.#timer.unref();
  }

  #runRound(): Promise<void> {
    this.#round = this.#poll().finally(() => {
      this.#round = null;
      if (this.#again) {
        this.#again = false;
        this.#schedule(0);
      } else {
        this.#schedule(this.intervalMs);
      }
    });
    return this.#round;
  }

  async #poll(): Promise<void> {
    if (this.#closed) return;
    const regions = [...this.#pools.entries()];
    const [probes, local] = await Promise.all([
      Promise.all(regions.map(([, pool]) => probe(pool))),
      probe(this.#localPool),
    ]);
    let best: KnownPrimary | null = null;
    regions.forEach(([region], i) => {
      const p = probes[i]!;
      this.#probes.set(region, p);
      if (
        p.ok &&
        !p.recovery &&
        !p.fenced &&
        p.region === region &&
        p.epoch !== undefined &&
        (best === null || p.epoch > best.epoch)
      )
        best = { region, epoch: p.epoch };
    });
    const before = this.#primary;
    const next = best as KnownPrimary | null;
    // A local database out of recovery that is not the current primary is an old primary (fenced, or
    // diverged before it rejoins): its reads may show commits no client was ever told about.
    const demoted =
      local.ok &&
      !local.recovery &&
      next !== null &&
      (local.fenced || local.region !== next.region || local.epoch !== next.epoch);
    this.#localOk = local.ok && !demoted;
    this.#localError = !local.ok
      ? (local.error ?? 'unknown error')
      : `it is a demoted primary (epoch ${local.epoch}${local.fenced ? ', fenced' : ''}) waiting to rejoin`;
    if (before?.region !== next?.region || before?.epoch !== next?.epoch) {
      this.#primary = next;
      if (next === null) this.log.warn('primary lost', { previous: before, reason: this.notReadyReason() });
      else this.log.info('primary changed', { primary: next.region, epoch: next.epoch, previous: before });
    }
    if (next !== null) {
      for (const wake of this.#waiters) wake();
      this.#waiters.clear();
    }
  }
}

async function probe(pool: pg.Pool): Promise<RegionProbe> {
  try {
    const { rows } = await pool.query<{ recovery: boolean; epoch: string; fenced: boolean; region: string }>(
      CONTROL_QUERY,
    );
    const row = rows[0];
    if (row === undefined) return { ok: false, error: 'no control row' };
    return {
      ok: true,
      recovery: row.recovery,
      fenced: row.fenced,
      epoch: Number(row.epoch),
      region: row.region,
    };
  } catch (error) {
    return { ok: false, error: errorMessage(error) };
  }
}
