/** The failover controller's config (JSON file or library call). */
import { z } from 'zod';
import { SEEDED_BUGS } from '../../src/topology/topology.js';

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
    /** Client-side timeout of one heartbeat or probe query (default: min(heartbeatMs, 1000)). */
    queryTimeoutMs: z.number().int().positive().optional(),
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
