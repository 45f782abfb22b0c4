/**
 * Shared parts of the reference-stack benchmarks (bench/stack.ts, bench/stack-api.ts): spawning the
 * stack's programs (`node dist/stack/<component>/main.js`) and a closed-loop payment load through an
 * undici Pool (fresh Idempotency-Key per request, random transfers between distinct accounts).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { readdirSync, readFileSync } from 'node:fs';
import os from 'node:os';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import * as hdr from 'hdr-histogram-js';
import { Pool } from 'undici';
import { accountId } from '../stack/db/ledger-schema.js';

const distRoot = join(dirname(fileURLToPath(import.meta.url)), '..');

export interface StackProgram {
  url: string;
  child: ChildProcess;
  stop(): Promise<void>;
}

/**
 * Start `dist/stack/<component>/main.js` with its JSON config in CHAOSBANK_CONFIG and wait for its
 * `listening` line. Extra node flags (e.g. `--cpu-prof`) come from env BENCH_NODE_FLAGS.
 */
export async function startProgram(
  component: 'api' | 'router' | 'controller',
  config: unknown,
  options: { nodeFlags?: string[] } = {},
): Promise<StackProgram> {
  const flags = options.nodeFlags ?? (process.env.BENCH_NODE_FLAGS ?? '').split(' ').filter(Boolean);
  const child = spawn(process.execPath, [...flags, join(distRoot, 'stack', component, 'main.js')], {
    env: { ...process.env, CHAOSBANK_CONFIG: JSON.stringify(config) },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const stop = async (): Promise<void> => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = once(child, 'exit');
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    const [code] = (await exited) as [number | null];
    clearTimeout(timer);
    if (code !== 0) process.stderr.write(`${component} exited with ${code} after SIGTERM\n`);
  };
  try {
    return { url: await listeningUrl(child, component), child, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

async function listeningUrl(child: ChildProcess, component: string): Promise<string> {
  const lines = createInterface({ input: child.stdout! });
  const timer = setTimeout(() => child.kill('SIGTERM'), 15_000);
  try {
    for await (const line of lines) {
      const record = JSON.parse(line) as { msg?: string; url?: string };
      if (record.msg === 'listening' && record.url !== undefined) {
        // keep draining the program's log so its stdout never blocks
        lines.on('line', () => undefined);
        return record.url;
      }
    }
  } finally {
    clearTimeout(timer);
  }
  throw new Error(`${component} exited before listening (exit ${child.exitCode})`);
}

/** Poll `url` until `accept(status, body)` holds (15 s at most). */
export async function waitUntil(
  url: string,
  accept: (status: number, body: string) => boolean,
  what: string,
): Promise<void> {
  const deadline = Date.now() + 15_000;
  while (Date.now() < deadline) {
    const res = await fetch(url).catch(() => null);
    const body = res === null ? '' : await res.text();
    if (res !== null && accept(res.status, body)) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`${what} within 15 s (${url})`);
}

export interface LoadOptions {
  url: string;
  concurrency: number;
  durationMs: number;
  warmupMs: number;
  accounts: number;
  currency: string;
  /** Prefix of the Idempotency-Keys (unique per measurement). */
  keyPrefix: string;
  /** Processes whose CPU time (with their children: PostgreSQL backends) is reported per payment. */
  processes?: Record<string, number>;
}

export interface LoadResult {
  concurrency: number;
  durationS: number;
  requests: number;
  statuses: Record<string, number>;
  paymentsPerSecond: number;
  latencyMs: { p50: number; p90: number; p99: number; max: number };
  /** `uptime` load average (1, 5, 15 min) when the measurement ended. */
  loadAverage: number[];
  /** CPU time (user + system) per successful payment, microseconds, per process (tree); Linux only. */
  cpuMicrosPerPayment?: Record<string, number>;
}

const CLOCK_TICK_MS = 10; // USER_HZ = 100 on Linux

function statFields(pid: number | string): string[] | null {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return text.slice(text.lastIndexOf(')') + 2).split(' ');
  } catch {
    return null;
  }
}

/** CPU ms used so far by `root` and its live children (backends), plus its reaped children. */
export function treeCpuMs(root: number): number {
  const own = statFields(root);
  if (own === null) return 0;
  // fields after the command: state ppid ... utime(11) stime(12) cutime(13) cstime(14)
  let ticks = Number(own[11]) + Number(own[12]) + Number(own[13]) + Number(own[14]);
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const fields = statFields(entry);
    if (fields !== null && Number(fields[1]) === root) ticks += Number(fields[11]) + Number(fields[12]);
  }
  return ticks * CLOCK_TICK_MS;
}

function cpuSnapshot(processes: Record<string, number>): Record<string, number> {
  const usage = process.cpuUsage();
  const snapshot: Record<string, number> = { loadgen: (usage.user + usage.system) / 1000 };
  for (const [name, pid] of Object.entries(processes)) snapshot[name] = treeCpuMs(pid);
  return snapshot;
}

/** Closed loop: `concurrency` workers, each sends one payment, waits for the answer, sends the next. */
export async function paymentLoad(options: LoadOptions): Promise<LoadResult> {
  const pool = new Pool(options.url, {
    connections: options.concurrency,
    pipelining: 1,
    keepAliveTimeout: 30_000,
  });
  const histogram = hdr.build({
    lowestDiscernibleValue: 1,
    highestTrackableValue: 60_000_000,
    numberOfSignificantValueDigits: 3,
  });
  const ids = Array.from({ length: options.accounts }, (_, i) => accountId(i + 1, options.accounts));
  const statuses: Record<string, number> = {};
  let measured = 0;
  let seq = 0;
  const start = Date.now();
  const measureFrom = start + options.warmupMs;
  const stopAt = measureFrom + options.durationMs;
  let cpuAtStart: Record<string, number> | undefined;
  const cpuTimer = setTimeout(() => {
    cpuAtStart = cpuSnapshot(options.processes ?? {});
  }, options.warmupMs);
  const worker = async (): Promise<void> => {
    while (Date.now() < stopAt) {
      const from = Math.floor(Math.random() * options.accounts);
      const to = (from + 1 + Math.floor(Math.random() * (options.accounts - 1))) % options.accounts;
      const body = `{"from":"${ids[from]}","to":"${ids[to]}","amount":1,"currency":"${options.currency}"}`;
      const t0 = process.hrtime.bigint();
      let status: string;
      try {
        const res = await pool.request({
          method: 'POST',
          path: '/v1/payments',
          headers: {
            'content-type': 'application/json',
            'idempotency-key': `${options.keyPrefix}-${++seq}`,
          },
          body,
        });
        await res.body.dump();
        status = String(res.statusCode);
      } catch (error) {
        status = (error as { code?: string }).code ?? 'error';
      }
      const micros = Number((process.hrtime.bigint() - t0) / 1000n);
      if (Date.now() >= measureFrom) {
        histogram.recordValue(Math.max(1, micros));
        measured += 1;
        statuses[status] = (statuses[status] ?? 0) + 1;
      }
    }
  };
  try {
    await Promise.all(Array.from({ length: options.concurrency }, worker));
  } finally {
    clearTimeout(cpuTimer);
    await pool.close();
  }
  const cpuAtEnd = cpuSnapshot(options.processes ?? {});
  const elapsedS = (Date.now() - measureFrom) / 1000;
  const payments = statuses['201'] ?? 0;
  const result: LoadResult = {
    concurrency: options.concurrency,
    durationS: elapsedS,
    requests: measured,
    statuses,
    paymentsPerSecond: Math.round(payments / elapsedS),
    latencyMs: {
      p50: histogram.getValueAtPercentile(50) / 1000,
      p90: histogram.getValueAtPercentile(90) / 1000,
      p99: histogram.getValueAtPercentile(99) / 1000,
      max: histogram.maxValue / 1000,
    },
    loadAverage: os.loadavg().map((x) => Math.round(x * 100) / 100),
  };
  if (cpuAtStart !== undefined && payments > 0 && process.platform === 'linux') {
    const start = cpuAtStart;
    result.cpuMicrosPerPayment = Object.fromEntries(
      Object.entries(cpuAtEnd).map(([name, ms]) => [
        name,
        Math.round(((ms - (start[name] ?? 0)) * 1000) / payments),
      ]),
    );
  }
  histogram.destroy();
  return result;
}
