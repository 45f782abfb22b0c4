/**
 * `npm run bench -- stack`: payments per second and p50/p99 latency of the reference stack, as real
 * processes on loopback, for async and for sync replication:
 *   - a 3-region PostgreSQL cluster (primary us-east + 2 streaming standbys, `bootstrapCluster`),
 *   - one payments API process per region (`node dist/stack/api/main.js`),
 *   - the router process in front (`node dist/stack/router/main.js`, priority us-east first);
 * measured (a) at the primary region's API directly and (b) through the router. The load is a closed
 * loop of BENCH_CONCURRENCY (64) requests for BENCH_DURATION_MS (10 s) after 1 s of warm-up, driven
 * from this process with an undici Pool: every request a new payment with a fresh Idempotency-Key
 * between two random accounts out of 1,000. No controller runs: the initial lease outlasts the run.
 * Env: BENCH_NODE_FLAGS (e.g. `--cpu-prof --cpu-prof-dir=/tmp/prof`) is passed to the programs,
 * BENCH_MODES=async,sync picks the replication modes, BENCH_API_POOL_SIZE the API's write pool.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import net, { type AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import type { BenchResult } from './run.js';
import type { Replication } from '../src/contract/topology.js';
import { applyLedgerSchema } from '../stack/db/ledger-schema.js';
import { bootstrapCluster, type Cluster } from '../stack/postgres/index.js';
import { paymentLoad, startProgram, waitUntil, type LoadResult, type StackProgram } from './_stack-load.js';

const HOST = '127.0.0.1';
const REGIONS = ['us-east', 'eu-west', 'ap-south'];
const PRIMARY = 'us-east';
const ACCOUNTS = 1_000;
const CURRENCY = 'EUR';
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 64);
const DURATION_MS = Number(process.env.BENCH_DURATION_MS ?? 10_000);
const WARMUP_MS = 1_000;
const MODES = (process.env.BENCH_MODES ?? 'async,sync').split(',') as Replication[];
const API_POOL_SIZE = process.env.BENCH_API_POOL_SIZE ? Number(process.env.BENCH_API_POOL_SIZE) : undefined;
const ROUTER_TARGET_PER_S = 1_000;

async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, HOST, resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

interface ModeResult {
  bootstrapMs: number;
  apiAtPrimary: LoadResult;
  router: LoadResult;
}

async function measureMode(replication: Replication): Promise<ModeResult> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'chaosbank-bench-stack-'));
  const programs: StackProgram[] = [];
  let cluster: Cluster | undefined;
  try {
    const addresses = Object.fromEntries(
      await Promise.all(REGIONS.map(async (r) => [r, { host: HOST, port: await freePort() }])),
    );
    const started = performance.now();
    cluster = await bootstrapCluster({
      runId: 'bench',
      regions: REGIONS,
      primary: PRIMARY,
      replication,
      baseDir: dir,
      addresses,
      leaseMs: 3_600_000,
      applySchema: (client) =>
        applyLedgerSchema(client, { count: ACCOUNTS, funding: 1_000_000_000, currency: CURRENCY }),
    });
    const bootstrapMs = Math.round(performance.now() - started);
    const nodes = cluster.nodes;
    const dbs = Object.fromEntries(REGIONS.map((r) => [r, nodes[r]!.conn]));
    const apis = await Promise.all(
      REGIONS.map(async (region) => {
        const api = await startProgram('api', {
          runId: 'bench',
          region,
          host: HOST,
          port: 0,
          localDb: nodes[region]!.conn,
          dbs,
          ...(API_POOL_SIZE !== undefined ? { poolSize: API_POOL_SIZE } : {}),
        });
        programs.push(api);
        return api;
      }),
    );
    await Promise.all(
      apis.map((api) => waitUntil(`${api.url}/readyz`, (s) => s === 200, 'payments API not ready')),
    );
    const router = await startProgram('router', {
      runId: 'bench',
      host: HOST,
      port: 0,
      regions: REGIONS.map((name, i) => ({ name, url: apis[i]!.url })),
      healthIntervalMs: 500,
      unhealthyAfter: 3,
    });
    programs.push(router);
    await waitUntil(
      `${router.url}/router/status`,
      (s, body) => s === 200 && (JSON.parse(body) as { active: string | null }).active === PRIMARY,
      `router did not route to ${PRIMARY}`,
    );
    const processes: Record<string, number> = { router: router.child.pid! };
    REGIONS.forEach((region, i) => {
      processes[`api@${region}`] = apis[i]!.child.pid!;
      processes[`db@${region}`] = nodes[region]!.process.pid;
    });
    const load = (url: string, keyPrefix: string) =>
      paymentLoad({
        url,
        concurrency: CONCURRENCY,
        durationMs: DURATION_MS,
        warmupMs: WARMUP_MS,
        accounts: ACCOUNTS,
        currency: CURRENCY,
        keyPrefix,
        processes,
      });
    process.stderr.write(`  ${replication}: API at the primary...\n`);
    const apiAtPrimary = await load(apis[0]!.url, `${replication}-api`);
    process.stderr.write(`  ${replication}: router...\n`);
    const routed = await load(router.url, `${replication}-router`);
    return { bootstrapMs, apiAtPrimary, router: routed };
  } finally {
    await Promise.all(programs.map((p) => p.stop()));
    await cluster?.stop();
    await rm(dir, { recursive: true, force: true });
  }
}

export async function run(): Promise<BenchResult> {
  const modes: Partial<Record<Replication, ModeResult>> = {};
  for (const mode of MODES) modes[mode] = await measureMode(mode);
  const targets: NonNullable<BenchResult['targets']> = {};
  const asyncRouter = modes.async?.router.paymentsPerSecond;
  if (asyncRouter !== undefined)
    targets['payments/s through the router, async replication'] = {
      target: `>= ${ROUTER_TARGET_PER_S}`,
      value: asyncRouter,
      met: asyncRouter >= ROUTER_TARGET_PER_S,
    };
  const bootstraps = Object.values(modes).map((m) => m.bootstrapMs);
  if (bootstraps.length > 0)
    targets['cluster bootstrap (3 regions) ms'] = {
      target: '<= 5000',
      value: Math.max(...bootstraps),
      met: Math.max(...bootstraps) <= 5000,
    };
  return {
    setup:
      `3 regions (primary ${PRIMARY} + 2 streaming standbys, embedded PostgreSQL), one API process per region` +
      `${API_POOL_SIZE !== undefined ? ` (write pool ${API_POOL_SIZE})` : ''}, router process; ` +
      `closed loop of ${CONCURRENCY} concurrent payments (undici Pool) from the bench process, ` +
      `${ACCOUNTS} accounts, fresh Idempotency-Key each; all on one ${os.cpus().length}-core machine`,
    ...modes,
    targets,
  };
}
