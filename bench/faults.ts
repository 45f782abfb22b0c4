/**
 * Fault injection speed: how long a fault takes to apply and revert through the Toxiproxy API (the
 * embedded server, 3 regions = 22 proxies, in this process), and how fast the pure compiler is.
 * The apply time bounds how sharply a fault's start is placed on the run's timeline.
 * Env: BENCH_FAULTS_ITERATIONS (default 50 per kind).
 */
import net from 'node:net';
import { once } from 'node:events';
import { Toxiproxy } from 'toxiproxy-node-client';
import { compileFault } from '../src/faults/compile.js';
import { FaultInjector } from '../src/faults/injector.js';
import { faultSchema, type FaultSpec } from '../src/faults/spec.js';
import { DEFAULT_STACK_OPTIONS } from '../src/contract/topology.js';
import { planTopology } from '../src/topology/plan.js';
import { startToxiproxyServer } from '../src/toxiproxy/server.js';
import type { BenchResult } from './run.js';

const ITERATIONS = Number(process.env.BENCH_FAULTS_ITERATIONS ?? 50);
const TARGET_P95_MS = 100;

function percentiles(samples: number[]): { p50: number; p95: number; max: number } {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (q: number): number =>
    Number(sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!.toFixed(2));
  return { p50: at(0.5), p95: at(0.95), max: Number(sorted.at(-1)!.toFixed(2)) };
}

export async function run(): Promise<BenchResult> {
  const topology = planTopology({
    runId: 'bench',
    regions: ['us-east', 'eu-west', 'ap-south'],
    primary: 'us-east',
    replication: 'sync',
    stack: DEFAULT_STACK_OPTIONS,
    accounts: { count: 2, funding: 1, currency: 'USD' },
  });
  const echo = net.createServer((socket) => socket.pipe(socket));
  echo.listen(0, '127.0.0.1');
  await once(echo, 'listening');
  const upstream = `127.0.0.1:${(echo.address() as net.AddressInfo).port}`;
  const server = await startToxiproxyServer({ port: 0 });
  try {
    await new Toxiproxy(server.url).populate(
      topology.links.map((l) => ({ name: l.name, listen: '127.0.0.1:0', upstream })),
    );
    const injector = new FaultInjector({ toxiproxyUrl: server.url, topology });
    const kinds: Record<string, FaultSpec> = {
      'region-outage': faultSchema.parse({ at: 0, kind: 'region-outage', target: { region: 'us-east' } }),
      'region-latency-both': faultSchema.parse({
        at: 0,
        kind: 'latency',
        target: { region: 'eu-west' },
        params: { latency: 100, stream: 'both' },
      }),
      'link-reset': faultSchema.parse({ at: 0, kind: 'reset', target: { link: 'client->router' } }),
    };
    const figures: Record<string, unknown> = {};
    const targets: NonNullable<BenchResult['targets']> = {};
    for (const [name, spec] of Object.entries(kinds)) {
      const apply: number[] = [];
      const revert: number[] = [];
      for (let i = 0; i < ITERATIONS + 5; i++) {
        const t0 = performance.now();
        await injector.apply(spec, { id: `b${i}` });
        const t1 = performance.now();
        await injector.revert(`b${i}`);
        const t2 = performance.now();
        if (i < 5) continue; // warm-up
        apply.push(t1 - t0);
        revert.push(t2 - t1);
      }
      const proxies = compileFault(spec, topology, { id: 'x' }).operations.length;
      figures[name] = { operations: proxies, applyMs: percentiles(apply), revertMs: percentiles(revert) };
      const applyP95 = percentiles(apply).p95;
      targets[`${name} apply p95 ms`] = {
        target: `< ${TARGET_P95_MS}`,
        value: applyP95,
        met: applyP95 < TARGET_P95_MS,
      };
    }
    const compileRuns = 20_000;
    const spec = kinds['region-latency-both']!;
    const c0 = performance.now();
    for (let i = 0; i < compileRuns; i++) compileFault(spec, topology, { id: 'x' });
    figures.compileMicros = Number((((performance.now() - c0) / compileRuns) * 1000).toFixed(2));
    return { iterations: ITERATIONS, proxies: topology.links.length, ...figures, targets };
  } finally {
    await server.close();
    await new Promise<void>((resolve) => echo.close(() => resolve()));
  }
}
