/**
 * Cluster half of the reference stack: time to bootstrap a 3-region PostgreSQL cluster (sync and async),
 * and router throughput (autocannon -> router -> a minimal HTTP API, all on loopback, one process — a
 * conservative figure for the router's own cost).
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtemp, rm } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';
import type { BenchResult } from './run.js';
import { bootstrapCluster } from '../stack/postgres/index.js';
import { startRouter } from '../stack/router/router.js';

const HOST = '127.0.0.1';

// autocannon ships no type declarations: the little we use, typed here.
type Autocannon = (options: Record<string, unknown>) => Promise<{
  requests: { average: number };
  latency: { p99: number };
  errors: number;
  non2xx: number;
}>;
const autocannon = createRequire(import.meta.url)('autocannon') as Autocannon;

async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, HOST, resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

async function bootstrapMs(replication: 'sync' | 'async'): Promise<number> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'chaosbank-bench-cluster-'));
  const regions = ['us-east', 'eu-west', 'ap-south'];
  try {
    const addresses = Object.fromEntries(
      await Promise.all(regions.map(async (r) => [r, { host: HOST, port: await freePort() }])),
    );
    const started = performance.now();
    const cluster = await bootstrapCluster({
      runId: 'bench',
      regions,
      primary: 'us-east',
      replication,
      baseDir: dir,
      addresses,
      leaseMs: 10_000,
    });
    const elapsed = performance.now() - started;
    await cluster.stop();
    return Math.round(elapsed);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

async function routerThroughput(): Promise<{ requestsPerSec: number; p99Ms: number; errors: number }> {
  const api = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      res.writeHead(201, { 'content-type': 'application/json', 'x-served-by-region': 'us-east' });
      res.end('{"status":"succeeded"}');
    });
  });
  await new Promise<void>((resolve) => api.listen(0, HOST, resolve));
  const apiUrl = `http://${HOST}:${(api.address() as AddressInfo).port}`;
  const router = await startRouter(
    {
      runId: 'bench',
      host: HOST,
      port: 0,
      regions: [{ name: 'us-east', url: apiUrl }],
      healthIntervalMs: 500,
      unhealthyAfter: 3,
    },
    { logger: { info: () => {}, warn: () => {}, error: () => {}, event: () => {} } },
  );
  try {
    const result = await autocannon({
      url: `${router.url}/v1/payments`,
      method: 'POST',
      headers: { 'content-type': 'application/json', 'idempotency-key': 'k' },
      body: JSON.stringify({ from: 'acc-0001', to: 'acc-0002', amount: 1, currency: 'USD' }),
      connections: 64,
      duration: 5,
    });
    return {
      requestsPerSec: Math.round(result.requests.average),
      p99Ms: result.latency.p99,
      errors: result.errors + result.non2xx,
    };
  } finally {
    await router.close();
    api.closeAllConnections();
    await new Promise<void>((resolve) => api.close(() => resolve()));
  }
}

export async function run(): Promise<BenchResult> {
  const bootstrapAsyncMs = await bootstrapMs('async');
  const bootstrapSyncMs = await bootstrapMs('sync');
  const router = await routerThroughput();
  return {
    bootstrapAsyncMs,
    bootstrapSyncMs,
    router,
    targets: {
      'cluster bootstrap (3 regions)': {
        target: '<= 5000 ms',
        value: Math.max(bootstrapAsyncMs, bootstrapSyncMs),
        met: Math.max(bootstrapAsyncMs, bootstrapSyncMs) <= 5000,
      },
      'router forwarding': {
        target: '>= 1000 req/s',
        value: router.requestsPerSec,
        met: router.requestsPerSec >= 1000,
      },
    },
  };
}
