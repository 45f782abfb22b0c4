/**
 * `npm run bench -- checkers`: generate 100k and 1M runs (at least that many attempts and that many
 * ledger transactions; the history as k6 Point lines written by HistoryWriter, the ledger export as
 * the stack's PostgreSQL renders it) in a temp dir, stream each through the real readers and the
 * checkers in a child process, and record wall time, CPU time (user + system, also per phase) and
 * peak RSS. Targets: 1M attempts + 1M transactions in <= 10 s and <= 1 GB RSS; growth from 100k to
 * 1M should be about linear (~10x).
 *
 * `CHECKERS_BENCH_PROFILE=<dir>` runs the children with `--cpu-prof --cpu-prof-dir=<dir>`.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import os, { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import type { BenchResult } from './run.js';
import { generateRun } from './_checkers-history.js';

const here = dirname(fileURLToPath(import.meta.url));
const run$ = promisify(execFile);

interface ChildResult {
  wallMs: number;
  cpuMs: number;
  phasesMs: Record<string, number>;
  phasesCpuMs: Record<string, number>;
  maxRssBytes: number;
  passed: boolean;
  anomalies: number;
  mttrS: number | null;
  windows: number;
}

async function measure(size: number): Promise<Record<string, unknown>> {
  const dir = mkdtempSync(join(tmpdir(), 'chaosbank-bench-checkers-'));
  try {
    const generated = await generateRun(dir, size);
    const profileDir = process.env['CHECKERS_BENCH_PROFILE'];
    const nodeFlags = profileDir ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : [];
    const loadAverage = os.loadavg();
    const { stdout } = await run$(
      process.execPath,
      [
        ...nodeFlags,
        join(here, '_checkers-child.js'),
        generated.attemptsFile,
        generated.ledgerFile,
        generated.eventsFile,
      ],
      { maxBuffer: 1 << 20 },
    );
    const child = JSON.parse(stdout) as ChildResult;
    return {
      attempts: generated.attempts,
      transactions: generated.transactions,
      attemptsFileMB: +(statSync(generated.attemptsFile).size / 2 ** 20).toFixed(1),
      ledgerFileMB: +(statSync(generated.ledgerFile).size / 2 ** 20).toFixed(1),
      loadAverage: loadAverage.map((l) => +l.toFixed(2)),
      wallMs: child.wallMs,
      cpuMs: child.cpuMs,
      phasesMs: child.phasesMs,
      phasesCpuMs: child.phasesCpuMs,
      peakRssMB: Math.round(child.maxRssBytes / 2 ** 20),
      anomalies: child.anomalies,
      passed: child.passed,
      mttrS: child.mttrS,
      windows: child.windows,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export async function run(): Promise<BenchResult> {
  const sizes = (process.env['CHECKERS_BENCH_SIZES'] ?? '100000,1000000').split(',').map(Number);
  const small = await measure(sizes[0] ?? 100_000);
  const large = await measure(sizes[1] ?? 1_000_000);
  const wall = large['wallMs'] as number;
  const rss = large['peakRssMB'] as number;
  return {
    note: 'history.ndjson as k6 Point lines (HistoryWriter) read by readHistoryBatches; one authoritative ledger export (PostgreSQL json text) read by readLedgerExport().batches(); each size N has >= N attempts and >= N ledger transactions (the generator runs until both reach N, so about 1.14 N attempts at 1M); child process per size, the same path as src/run/check.ts. cpuMs and phasesCpuMs (user+system, all threads) are the figures to trust on a busy machine; wallMs on a quiet one. loadAverage: os.loadavg() (1, 5, 15 min) when each child started and at the end.',
    loadAverage: os.loadavg().map((l) => +l.toFixed(2)),
    '100k': small,
    '1M': large,
    ratio1Mto100k: {
      wall: +(wall / (small['wallMs'] as number)).toFixed(2),
      cpu: +((large['cpuMs'] as number) / (small['cpuMs'] as number)).toFixed(2),
      rss: +(rss / (small['peakRssMB'] as number)).toFixed(2),
    },
    targets: {
      '1M wall time (s)': { target: '<= 10', value: wall / 1000, met: wall <= 10_000 },
      '1M CPU time, user+system (s)': {
        target: '<= 10',
        value: (large['cpuMs'] as number) / 1000,
        met: (large['cpuMs'] as number) <= 10_000,
      },
      '1M peak RSS (MB)': { target: '<= 1024', value: rss, met: rss <= 1024 },
      '1M correct history has no anomaly': {
        target: '0',
        value: large['anomalies'] as number,
        met: large['anomalies'] === 0,
      },
    },
  };
}
