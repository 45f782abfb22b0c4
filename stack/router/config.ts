/** The router's config (JSON file or library call). */
import { z } from 'zod';

export const routerConfigSchema = z.object({
  runId: z.string().min(1),
  host: z.string().min(1).default('127.0.0.1'),
  /** 0: a port from the OS (logged in the `listening` line). */
  port: z.number().int().min(0).max(65535).default(0),
  /** Regions in priority order: traffic goes to the first healthy one. */
  regions: z
    .array(z.object({ name: z.string().min(1), url: z.url() }))
    .min(1)
    .refine(
      (regions) => new Set(regions.map((r) => r.name)).size === regions.length,
      'region names must be unique',
    ),
  healthIntervalMs: z.number().int().positive().default(500),
  /** Consecutive failed health checks that mark a region unhealthy. */
  unhealthyAfter: z.number().int().positive().default(3),
  /** Consecutive good health checks that mark it healthy again. */
  healthyAfter: z.number().int().positive().default(1),
  healthTimeoutMs: z.number().int().positive().default(1_000),
  /** Upstream headers/body timeout of a forwarded request (then 504). */
  requestTimeoutMs: z.number().int().positive().default(30_000),
  /** Upstream connections per region. */
  connections: z.number().int().positive().default(256),
});

export type RouterConfigInput = z.input<typeof routerConfigSchema>;
export type RouterConfig = z.output<typeof routerConfigSchema>;
