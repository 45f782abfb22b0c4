/** The failover controller's config (JSON file or library call). */
import { z } from 'zod';
import { SEEDED_BUGS } from '../../src/contract/seeded-bugs.js';

const address = z.object({ host: z.string().min(1), port: z.number().int().min(1).max(65535) });

export const controllerConfigSchema = z
  .object({
    runId: z.string().min(1),
    host: z.string().min(1).default('127.0.0.1'),
    /** 0: a port from the OS (logged in the `listening` line). */
    port: z.number().int().min(0).max(65535).default(0),
    /** The initial primary region (used when no database can tell us better at start-up). */
    primary: z.string().min(1),
    replication: z.enum(['sync', 'async']),
    /** Region -> SQL connection string of its database as the controller reaches it. */
    dbs: z.record(z.string(), z.string().min(1)),
    /** How long the primary may miss heartbeats (= the lease length) before failover. */
    graceMs: z.number().int().positive().default(5_000),
    heartbeatMs: z.number().int().positive().default(500),
    /**
     * Client-side timeout of one heartbeat, probe or control query (and of connecting). Default:
     * graceMs / 2, at least heartbeatMs and 250 ms, at most 2 s — long enough for a CPU-starved server,
     * short enough that several renewals fit in the grace period.
     */
    queryTimeoutMs: z.number().int().positive().optional(),
    /** Renewals that must fail in a row (spanning graceMs) before the primary counts as lost. */
    minFailedRenewals: z.number().int().positive().default(2),
    /** How long a promotion may take (pg_promote until out of recovery). */
    promoteTimeoutMs: z.number().int().positive().default(30_000),
    /**
     * Sync replication with no streaming standby: `relaxed` (Patroni's non-strict mode) empties
     * synchronous_standby_names so the primary keeps taking writes and restores it once a standby
     * streams; `strict` keeps it, so commits block until a standby is back (no unreplicated write).
     */
    syncMode: z.enum(['relaxed', 'strict']).default('relaxed'),
    /**
     * A standby that points at the current primary but has not streamed for this long cannot follow its
     * timeline (it holds WAL the new primary never had): with `rejoin`, it is re-seeded.
     */
    stuckStandbyMs: z.number().int().positive().optional(),
    bugs: z.array(z.enum(SEEDED_BUGS)).default([]),
    /** standbyRegion -> primaryRegion -> libpq conninfo the standby uses to replicate from that primary. */
    standbyConninfo: z.record(z.string(), z.record(z.string(), z.string().min(1))).default({}),
    /**
     * Local mode only: the controller re-seeds a demoted primary as a standby of the new primary (it
     * stops that server, copies the new primary's data dir with the backup API, starts it as a standby).
     */
    rejoin: z
      .object({
        regions: z.record(
          z.string(),
          z.object({ dataDir: z.string().min(1), address, logFile: z.string().min(1).optional() }),
        ),
        timeoutMs: z.number().int().positive().default(60_000),
      })
      .optional(),
  })
  .superRefine((config, ctx) => {
    const regions = Object.keys(config.dbs);
    if (regions.length === 0)
      ctx.addIssue({ code: 'custom', path: ['dbs'], message: 'needs at least one region' });
    if (!regions.includes(config.primary)) {
      ctx.addIssue({
        code: 'custom',
        path: ['primary'],
        message: `"${config.primary}" is not a key of dbs (${regions.join(', ')})`,
      });
    }
    for (const [standby, byPrimary] of Object.entries(config.standbyConninfo)) {
      if (!regions.includes(standby))
        ctx.addIssue({ code: 'custom', path: ['standbyConninfo', standby], message: 'unknown region' });
      for (const primary of Object.keys(byPrimary)) {
        if (!regions.includes(primary)) {
          ctx.addIssue({
            code: 'custom',
            path: ['standbyConninfo', standby, primary],
            message: 'unknown region',
          });
        }
      }
    }
    for (const region of Object.keys(config.rejoin?.regions ?? {})) {
      if (!regions.includes(region))
        ctx.addIssue({ code: 'custom', path: ['rejoin', 'regions', region], message: 'unknown region' });
    }
  });

export type ControllerConfigInput = z.input<typeof controllerConfigSchema>;
export type ControllerConfig = z.output<typeof controllerConfigSchema>;
