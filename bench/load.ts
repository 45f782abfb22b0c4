/**
 * `npm run bench -- load`: chaosbank's open-model engine (full history recording to a temp file)
 * side by side with autocannon, wrk and a bare undici client, against the same trivial loopback
 * server in its own process. Client pinned to core 0 and server to core 1 (taskset) where available.
 *
 * - cpuAtFixedRate: every client at the same fixed rate (default 3,000/s for 10 s): CPU µs per request
 *   of the client process. CPU time is far less sensitive to a busy machine than throughput, so this
 *   is the figure to compare before/after a change. Tools: the engine with and without history, a
 *   bare `Pool.dispatch` open-loop client (the floor undici allows), autocannon rate-limited (-R).
 * - engine: stepped constant rates (3 s each, after a 2 s steady-state run in the same process); a
 *   step is delivered when >= 98 % of the target rate started and <= 0.1 % was dropped, sustained
 *   when also the scheduling lag p99 stayed under 10 ms. Steps go on while delivered. Reports the
 *   highest sustained and delivered rates and CPU µs per request at each.
 * - autocannon and wrk: closed loop, 64 connections, 5 s: their maximum throughput on one core and
 *   CPU µs per request (child CPU time from /proc/self/stat).
 * - scheduling lag p99 of the engine at 2,000/s: LAG_RUNS runs of LAG_SECONDS (default 3 x 10 s), each
 *   after its own 2 s steady-state phase; the target is judged on the median run, and every run is
 *   reported. Why not one short run: on this VM p99 over one 5 s window (10,000 arrivals) swung from
 *   1.5 to 2.6 ms between identical runs, and most arrivals later than 1.5 ms fell in the measured
 *   run's first second, while V8 still optimizes the hot paths of the new engine instance; a load
 *   phase lasts minutes, so a 10 s window weighs that second as a real run does, more fairly.
 * - CPU µs per request at 15,000/s (the target's rate; the highest delivered rate when that is lower):
 *   CPU_RUNS runs of CPU_SECONDS (default 3 x 10 s), median run. Why not the 3 s step: near one core's
 *   capacity the client is bistable. A run starts with a backlog of 1,000-2,500 requests within its
 *   first 300 ms (a new engine, pool and history; in every trace, with 32 connections as with 256),
 *   and while it drains the live young generation is several MB, so scavenges copy far more and the
 *   CPU per request rises; a 3 s window is mostly that transient, a load phase of minutes is not.
 * - history on disk: bytes per attempt of the gzip history (the default) and of plain text, and the
 *   CPU per request of gzip vs plain, interleaved runs at the target rate (target: <= 120 B, <= +10 %).
 * - the load average before and after (a busy machine inflates every figure, clients alike).
 */
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRequire } from 'node:module';
import type { BenchResult } from './run.js';
import type { LoadSummary } from '../src/load/engine.js';
import type { HistoryFormat } from '../src/history/writer.js';
import { benchDir, hasCommand, pinned, runMeasured, startServer } from './_load-tools.js';

const STEP_SECONDS = Number(process.env.CHAOSBANK_LOAD_STEP_SECONDS ?? '3');
const STEPS = (process.env.CHAOSBANK_LOAD_STEPS ?? '2000,5000,10000,15000,20000,25000,30000')
  .split(',')
  .map(Number);
const FIXED_RATE = Number(process.env.CHAOSBANK_LOAD_FIXED_RATE ?? '3000');
const FIXED_SECONDS = Number(process.env.CHAOSBANK_LOAD_FIXED_SECONDS ?? '10');
const LAG_RUNS = Math.max(1, Math.floor(Number(process.env.CHAOSBANK_LOAD_LAG_RUNS ?? '3')) || 1);
const LAG_SECONDS = Number(process.env.CHAOSBANK_LOAD_LAG_SECONDS ?? '10');
/** The rate the CPU target is set at: ≥ 15,000/s on one core at ≤ 60 µs per request. */
const TARGET_RATE = 15_000;
const CPU_RUNS = Math.max(1, Math.floor(Number(process.env.CHAOSBANK_LOAD_CPU_RUNS ?? '3')) || 1);
const CPU_SECONDS = Number(process.env.CHAOSBANK_LOAD_CPU_SECONDS ?? '10');
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
  /** History on disk per attempt (bytes / requests), null without history. */
  historyBytesPerAttempt: number | null;
  /** >= 98 % of the target rate started and <= 0.1 % dropped, whatever the lag. */
  delivered: boolean;
  sustained: boolean;
}

type ToolRun =
  { requestsPerS: number; requests: number; cpuUsPerRequest: number | null } | { skipped: string };

const perRequest = (cpuUs: number | undefined, requests: number): number | null =>
  cpuUs === undefined || !(requests > 0) ? null : Math.round((cpuUs / requests) * 10) / 10;

const loadAverage = (): number[] => loadavg().map((l) => Math.round(l * 100) / 100);

/** How the engine records its history: the default gzip, plain text, or not at all. */
type HistoryMode = HistoryFormat | 'none';

async function engineStep(
  url: string,
  rate: number,
  seconds: number,
  dir: string,
  mode: HistoryMode = 'gzip',
): Promise<EngineStep> {
  const history = mode !== 'none';
  const historyPath = join(dir, `history-${rate}.ndjson${mode === 'gzip' ? '.gz' : ''}`);
  const args = JSON.stringify({
    url,
    rate,
    durationS: seconds,
    maxInFlight: 4000,
    ...(history ? { historyPath } : {}),
  });
  const run = await runMeasured(pinned(0, [process.execPath, join(benchDir, '_load-client.js'), args]));
  if (run.code !== 0) throw new Error(`engine client failed at ${rate}/s (exit ${run.code})`);
  const { summary, cpuUs } = JSON.parse(run.stdout) as { summary: LoadSummary; cpuUs: number };
  const step: EngineStep = {
    rate,
    achievedRate: Math.round(summary.achievedRate),
    dropped: summary.dropped,
    requests: summary.requests,
    cpuUsPerRequest: perRequest(cpuUs, summary.requests) ?? 0,
    schedulingLagP99Ms: summary.schedulingLagMs.p99,
    latencyP99Ms: summary.latencyMs.p99,
    historyBytes: history ? statSync(historyPath).size : 0,
    historyBytesPerAttempt: null,
    delivered: false,
    sustained: false,
  };
  if (history && summary.requests > 0)
    step.historyBytesPerAttempt = Math.round((step.historyBytes / summary.requests) * 10) / 10;
  step.delivered = summary.achievedRate >= rate * 0.98 && summary.dropped <= summary.arrivals * 0.001;
  step.sustained = step.delivered && step.schedulingLagP99Ms <= 10;
  rmSync(historyPath, { force: true });
  return step;
}

async function floorRun(url: string, rate: number, seconds: number): Promise<ToolRun> {
  const args = JSON.stringify({ url, rate, durationS: seconds });
  const run = await runMeasured(pinned(0, [process.execPath, join(benchDir, '_load-floor.js'), args]));
  if (run.code !== 0) return { skipped: `undici floor client exited with ${run.code}` };
  const { requests, cpuUs } = JSON.parse(run.stdout) as { requests: number; cpuUs: number };
  return {
    requestsPerS: Math.round(requests / seconds),
    requests,
    cpuUsPerRequest: perRequest(cpuUs, requests),
  };
}

/** autocannon closed loop (64 connections); with `rate`, limited to that many requests/s overall. */
async function autocannonRun(url: string, seconds: number, rate?: number): Promise<ToolRun> {
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
    String(seconds),
    ...(rate === undefined ? [] : ['-R', String(rate)]),
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
  // autocannon's CPU includes its startup (~0.2 s of module loading): negligible over thousands of requests.
  const run = await runMeasured(pinned(0, argv));
  if (run.code !== 0) return { skipped: `autocannon exited with ${run.code}` };
  const result = JSON.parse(run.stdout) as { requests: { total: number }; duration: number };
  const requests = result.requests.total;
  return {
    requestsPerS: Math.round(requests / result.duration),
    requests,
    cpuUsPerRequest: perRequest(run.cpuUs, requests),
  };
}

async function wrkRun(url: string, dir: string): Promise<ToolRun> {
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
  return { requestsPerS: Math.round(perS), requests, cpuUsPerRequest: perRequest(run.cpuUs, requests) };
}

const cpuOf = (run: ToolRun | EngineStep | undefined): number | null =>
  run === undefined || 'skipped' in run ? null : run.cpuUsPerRequest;
const ratio = (a: number | null, b: number | null): number | null =>
  a === null || b === null || b === 0 ? null : Math.round((a / b) * 100) / 100;

export async function run(): Promise<BenchResult> {
  const dir = mkdtempSync(join(tmpdir(), 'chaosbank-bench-load-'));
  const server = await startServer(1);
  const loadBefore = loadAverage();
  try {
    // Same rate, same server, one after the other: the CPU cost of each client per request.
    const fixed = {
      rate: FIXED_RATE,
      seconds: FIXED_SECONDS,
      engine: await engineStep(server.url, FIXED_RATE, FIXED_SECONDS, dir),
      enginePlainHistory: await engineStep(server.url, FIXED_RATE, FIXED_SECONDS, dir, 'plain'),
      engineWithoutHistory: await engineStep(server.url, FIXED_RATE, FIXED_SECONDS, dir, 'none'),
      undiciFloor: await floorRun(server.url, FIXED_RATE, FIXED_SECONDS),
      autocannon: await autocannonRun(server.url, FIXED_SECONDS, FIXED_RATE),
    };
    process.stderr.write(`  fixed rate: ${JSON.stringify(fixed)}\n`);
    const lagRuns: EngineStep[] = [];
    for (let i = 0; i < LAG_RUNS; i++) lagRuns.push(await engineStep(server.url, 2000, LAG_SECONDS, dir));
    const byLag = [...lagRuns].sort((a, b) => a.schedulingLagP99Ms - b.schedulingLagP99Ms);
    const lag = byLag[Math.floor((byLag.length - 1) / 2)]!;
    const steps: EngineStep[] = [];
    for (const rate of STEPS) {
      const step = await engineStep(server.url, rate, STEP_SECONDS, dir);
      steps.push(step);
      process.stderr.write(`  engine ${rate}/s: ${JSON.stringify(step)}\n`);
      if (!step.delivered) break;
    }
    const best = [...steps].reverse().find((s) => s.sustained);
    const delivered = [...steps].reverse().find((s) => s.delivered);
    const autocannon = await autocannonRun(server.url, 5);
    const wrk = await wrkRun(server.url, dir);
    const maxLagBounded = best?.rate ?? 0;
    const maxRate = delivered?.rate ?? 0;
    const cpuRate = Math.min(TARGET_RATE, delivered?.rate ?? 0);
    // gzip (the default) and plain history interleaved, so drift in the machine's load hits both alike
    const cpuRuns: EngineStep[] = [];
    const plainRuns: EngineStep[] = [];
    for (let i = 0; i < CPU_RUNS && cpuRate > 0; i++) {
      cpuRuns.push(await engineStep(server.url, cpuRate, CPU_SECONDS, dir));
      plainRuns.push(await engineStep(server.url, cpuRate, CPU_SECONDS, dir, 'plain'));
    }
    const median = (runs: EngineStep[]): EngineStep | undefined =>
      [...runs].sort((a, b) => a.cpuUsPerRequest - b.cpuUsPerRequest)[Math.floor((runs.length - 1) / 2)];
    const cpuRun = median(cpuRuns);
    const plainRun = median(plainRuns);
    const gzipCpuVsPlain = ratio(cpuOf(cpuRun), cpuOf(plainRun));
    const bytesPerAttempt = cpuRun?.historyBytesPerAttempt ?? null;
    const engineCpu = cpuOf(cpuRun ?? steps.at(-1));
    const rateOf = (other: ToolRun): number | null =>
      'requestsPerS' in other && other.requestsPerS > 0 ? other.requestsPerS : null;
    const cpuUsPerRequest = {
      atFixedRate: {
        engine: cpuOf(fixed.engine),
        enginePlainHistory: cpuOf(fixed.enginePlainHistory),
        engineWithoutHistory: cpuOf(fixed.engineWithoutHistory),
        undiciFloor: cpuOf(fixed.undiciFloor),
        autocannon: cpuOf(fixed.autocannon),
      },
      // the engine open-loop at the target rate, autocannon and wrk closed-loop at saturation
      atHighRate: { engine: engineCpu, autocannon: cpuOf(autocannon), wrk: cpuOf(wrk) },
    };
    return {
      pinned: hasCommand('taskset'),
      loadAverage: { before: loadBefore, after: loadAverage(), cores: 2 },
      cpuUsPerRequest,
      cpuAtFixedRate: fixed,
      engine: {
        maxDeliveredRate: maxRate,
        cpuUsPerRequest: engineCpu,
        cpuAtTargetRate: {
          rate: cpuRate,
          seconds: CPU_SECONDS,
          medianRunCpuUsPerRequest: engineCpu,
          runsCpuUsPerRequest: cpuRuns.map((r) => r.cpuUsPerRequest),
          runs: cpuRuns,
          plainHistory: {
            medianRunCpuUsPerRequest: cpuOf(plainRun),
            runsCpuUsPerRequest: plainRuns.map((r) => r.cpuUsPerRequest),
            runs: plainRuns,
          },
        },
        history: {
          bytesPerAttempt: { gzip: bytesPerAttempt, plain: plainRun?.historyBytesPerAttempt ?? null },
          gzipCpuVsPlain,
          atFixedRate: {
            bytesPerAttempt: {
              gzip: fixed.engine.historyBytesPerAttempt,
              plain: fixed.enginePlainHistory.historyBytesPerAttempt,
            },
            gzipCpuVsPlain: ratio(cpuOf(fixed.engine), cpuOf(fixed.enginePlainHistory)),
          },
        },
        maxRateWithLagP99Under10ms: maxLagBounded,
        cpuUsPerRequestAtThatRate: cpuOf(best),
        steps,
        schedulingLagAt2000: {
          seconds: LAG_SECONDS,
          medianRunP99Ms: lag.schedulingLagP99Ms,
          runsP99Ms: lagRuns.map((r) => r.schedulingLagP99Ms),
          runs: lagRuns,
        },
      },
      autocannon,
      wrk,
      ratios: {
        engineRateVsAutocannon: ratio(maxRate, rateOf(autocannon)),
        engineRateVsWrk: ratio(maxRate, rateOf(wrk)),
        engineCpuPerRequestVsAutocannon: ratio(engineCpu, cpuOf(autocannon)),
        engineCpuPerRequestVsWrk: ratio(engineCpu, cpuOf(wrk)),
        fixedRateEngineCpuVsAutocannon: ratio(cpuOf(fixed.engine), cpuOf(fixed.autocannon)),
        fixedRateEngineCpuVsUndiciFloor: ratio(cpuOf(fixed.engine), cpuOf(fixed.undiciFloor)),
      },
      notes: [
        'history bytes per attempt = file size / requests of the run (the load has no mix: one request per attempt); CPU counts every thread, zlib on the thread pool included',
        'engine = open model with full k6 history recording (gzip, the default; enginePlainHistory: --history plain); autocannon/wrk = closed loop, no per-request record',
        'undiciFloor = bare Pool.dispatch open-loop client (status only): the least CPU undici needs per request',
        'figures from a shared 2-core machine are noisy (see loadAverage); rerun on a quiet machine for the record',
      ],
      targets: {
        maxDeliveredRate: {
          target: '>= 15000 req/s on one core, full history (>= 98 % started, <= 0.1 % dropped)',
          value: maxRate,
          met: maxRate >= 15000,
        },
        cpuUsPerRequest: {
          target: `<= 60 µs at ${TARGET_RATE}/s, or at the max delivered rate when lower (median of ${CPU_RUNS} runs of ${CPU_SECONDS} s)`,
          value: engineCpu,
          met: engineCpu !== null && engineCpu <= 60,
        },
        historyBytesPerAttempt: {
          target: '<= 120 bytes per attempt on disk (gzip history, at the target rate)',
          value: bytesPerAttempt,
          met: bytesPerAttempt !== null && bytesPerAttempt <= 120,
        },
        historyGzipCpuVsPlain: {
          target: `gzip history costs <= 10 % more CPU per request than plain (median of ${CPU_RUNS} interleaved runs each at the target rate)`,
          value: gzipCpuVsPlain,
          met: gzipCpuVsPlain !== null && gzipCpuVsPlain <= 1.1,
        },
        schedulingLagP99At2000: {
          target: `<= 2 ms (median of ${LAG_RUNS} runs of ${LAG_SECONDS} s)`,
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
