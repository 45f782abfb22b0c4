/**
 * `npm run bench -- load`: chaosbank's open-model engine (full history recording to a temp file)
 * side by side with autocannon and wrk, against the same trivial loopback server in its own process.
 * Client pinned to core 0 and server to core 1 (taskset) where available.
 *
 * - engine: stepped constant rates (3 s each); a step is sustained when >= 98 % of the target rate
 *   started, <= 0.1 % was dropped and the scheduling lag p99 stayed under 10 ms. Reports the highest
 *   sustained rate and CPU µs per request (client process CPU / requests).
 * - autocannon and wrk: closed loop, 64 connections, 5 s: their maximum throughput on one core and
 *   CPU µs per request (child CPU time from /proc/self/stat).
 * - scheduling lag p99 of the engine at 2,000/s.
 */
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRequire } from 'node:module';
import type { BenchResult } from './run.js';
import type { LoadSummary } from '../src/load/engine.js';
import { benchDir, hasCommand, pinned, runMeasured, startServer } from './_load-tools.js';

const STEP_SECONDS = Number(process.env.CHAOSBANK_LOAD_STEP_SECONDS ?? '3');
const STEPS = (process.env.CHAOSBANK_LOAD_STEPS ?? '2000,5000,10000,15000,20000,25000,30000')
  .split(',')
  .map(Number);
const BODY = JSON.stringify({ from: 'acc-0001', to: 'acc-0002', amount: 100, currency: 'USD' });

interface EngineStep {
  rate: number;
  achievedRate: number;
  dropped: number;
  requests: number;
  cpuUsPerRequest: number;
  schedulingLagP99Ms: number;
  latencyP99Ms: number;
  historyBytes: number;
  sustained: boolean;
}

async function engineStep(url: string, rate: number, seconds: number, dir: string): Promise<EngineStep> {
  const historyPath = join(dir, `history-${rate}.ndjson`);
  const args = JSON.stringify({ url, rate, durationS: seconds, historyPath, maxInFlight: 4000 });
  const run = await runMeasured(pinned(0, [process.execPath, join(benchDir, '_load-client.js'), args]));
  if (run.code !== 0) throw new Error(`engine client failed at ${rate}/s (exit ${run.code})`);
  const { summary, cpuUs } = JSON.parse(run.stdout) as { summary: LoadSummary; cpuUs: number };
  const step: EngineStep = {
    rate,
    achievedRate: Math.round(summary.achievedRate),
    dropped: summary.dropped,
    requests: summary.requests,
    cpuUsPerRequest: Math.round((cpuUs / Math.max(1, summary.requests)) * 10) / 10,
    schedulingLagP99Ms: summary.schedulingLagMs.p99,
    latencyP99Ms: summary.latencyMs.p99,
    historyBytes: statSync(historyPath).size,
    sustained: false,
  };
  step.sustained =
    summary.achievedRate >= rate * 0.98 &&
    summary.dropped <= summary.arrivals * 0.001 &&
    step.schedulingLagP99Ms <= 10;
  rmSync(historyPath, { force: true });
  return step;
}

async function autocannonRun(
  url: string,
): Promise<{ requestsPerS: number; cpuUsPerRequest: number | null } | { skipped: string }> {
  const require = createRequire(import.meta.url);
  let cli: string;
  try {
    cli = join(require.resolve('autocannon/package.json'), '..', 'autocannon.js');
  } catch {
    return { skipped: 'autocannon is not installed (npm i -D autocannon)' };
  }
  const argv = [
    process.execPath,
    cli,
    '-j',
    '-c',
    '64',
    '-d',
    '5',
    '-m',
    'POST',
    '-H',
    'content-type=application/json',
    '-H',
    'idempotency-key=k',
    '-b',
    BODY,
    `${url}/v1/payments`,
  ];
  const run = await runMeasured(pinned(0, argv));
  if (run.code !== 0) return { skipped: `autocannon exited with ${run.code}` };
  const result = JSON.parse(run.stdout) as { requests: { total: number; average: number }; duration: number };
  return {
    requestsPerS: Math.round(result.requests.total / result.duration),
    cpuUsPerRequest:
      run.cpuUs === undefined ? null : Math.round((run.cpuUs / result.requests.total) * 10) / 10,
  };
}

async function wrkRun(
  url: string,
  dir: string,
): Promise<{ requestsPerS: number; cpuUsPerRequest: number | null } | { skipped: string }> {
  if (!hasCommand('wrk')) return { skipped: 'wrk not found (Debian: apt-get install -y wrk)' };
  const script = join(dir, 'post.lua');
  writeFileSync(
    script,
    `wrk.method = "POST"\nwrk.body = '${BODY}'\nwrk.headers["Content-Type"] = "application/json"\nwrk.headers["Idempotency-Key"] = "k"\n`,
  );
  const run = await runMeasured(
    pinned(0, ['wrk', '-t1', '-c64', '-d5s', '-s', script, `${url}/v1/payments`]),
  );
  if (run.code !== 0) return { skipped: `wrk exited with ${run.code}` };
  const requests = Number(/(\d+) requests in/.exec(run.stdout)?.[1] ?? 'NaN');
  const perS = Number(/Requests\/sec:\s+([\d.]+)/.exec(run.stdout)?.[1] ?? 'NaN');
  return {
    requestsPerS: Math.round(perS),
    cpuUsPerRequest:
      run.cpuUs === undefined || !Number.isFinite(requests)
        ? null
        : Math.round((run.cpuUs / requests) * 10) / 10,
  };
}

export async function run(): Promise<BenchResult> {
  const dir = mkdtempSync(join(tmpdir(), 'chaosbank-bench-load-'));
  const server = await startServer(1);
  try {
    const lag = await engineStep(server.url, 2000, 5, dir);
    const steps: EngineStep[] = [];
    for (const rate of STEPS) {
      const step = await engineStep(server.url, rate, STEP_SECONDS, dir);
      steps.push(step);
      process.stderr.write(`  engine ${rate}/s: ${JSON.stringify(step)}\n`);
      if (!step.sustained && rate > 2000) break;
    }
    const best = [...steps].reverse().find((s) => s.sustained);
    const cpuPerRequest = best?.cpuUsPerRequest ?? steps.at(-1)?.cpuUsPerRequest ?? null;
    const autocannon = await autocannonRun(server.url);
    const wrk = await wrkRun(server.url, dir);
    const maxSustained = best?.rate ?? 0;
    const ratio = (other: { requestsPerS: number } | { skipped: string }): number | null =>
      'requestsPerS' in other && other.requestsPerS > 0
        ? Math.round((maxSustained / other.requestsPerS) * 100) / 100
        : null;
    const cpuRatio = (other: { cpuUsPerRequest: number | null } | { skipped: string }): number | null =>
      'cpuUsPerRequest' in other && other.cpuUsPerRequest && cpuPerRequest
        ? Math.round((cpuPerRequest / other.cpuUsPerRequest) * 100) / 100
        : null;
    return {
      pinned: hasCommand('taskset'),
      engine: {
        maxSustainedRate: maxSustained,
        cpuUsPerRequest: cpuPerRequest,
        steps,
        schedulingLagAt2000: lag,
      },
      autocannon,
      wrk,
      ratios: {
        engineRateVsAutocannon: ratio(autocannon),
        engineRateVsWrk: ratio(wrk),
        engineCpuPerRequestVsAutocannon: cpuRatio(autocannon),
        engineCpuPerRequestVsWrk: cpuRatio(wrk),
      },
      notes: [
        'engine = open model with full k6 history recording; autocannon/wrk = closed loop, no per-request record',
        'figures from a shared 2-core machine are noisy; rerun on a quiet machine for the record',
      ],
      targets: {
        maxSustainedRate: {
          target: '>= 15000 req/s on one core',
          value: maxSustained,
          met: maxSustained >= 15000,
        },
        cpuUsPerRequest: {
          target: '<= 60 µs',
          value: cpuPerRequest,
          met: cpuPerRequest !== null && cpuPerRequest <= 60,
        },
        schedulingLagP99At2000: {
          target: '<= 2 ms',
          value: lag.schedulingLagP99Ms,
          met: lag.schedulingLagP99Ms <= 2,
        },
      },
    };
  } finally {
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}
