/**
 * Child process of bench/checkers.ts: streams one generated run through the checkers exactly as
 * `chaosbank run` does (src/run/check.ts: readHistory -> accumulator, readLedgerExport -> accumulator,
 * finish) and prints {wallMs, cpuMs, maxRssBytes, ...} as JSON, so peak RSS is this process's alone.
 * argv: <history.ndjson> <ledger.ndjson> <events.ndjson>
 */
import { createCheckAccumulator } from '../src/checks/accumulator.js';
import { readLedgerExport } from '../src/checks/ledger-reader.js';
import { readLines } from '../src/checks/ndjson-lines.js';
import { readHistory } from '../src/load/history-reader.js';
import type { StackEvent } from '../src/topology/events.js';
import { BENCH_ACCOUNTS, BENCH_REGION } from './_checkers-history.js';

const [attemptsFile, ledgerFile, eventsFile] = process.argv.slice(2) as [string, string, string];
const started = performance.now();
const cpuStart = process.cpuUsage();
const acc = createCheckAccumulator({
  accounts: BENCH_ACCOUNTS,
  authoritativeRegion: BENCH_REGION,
  steadyStateMs: 10_000,
});
for await (const attempt of readHistory(attemptsFile)) acc.addAttempt(attempt);
const ingestedAttempts = performance.now();
for await (const line of readLedgerExport(ledgerFile)) acc.addLedgerLine(BENCH_REGION, line);
for await (const { text } of readLines(eventsFile)) acc.addEvent(JSON.parse(text) as StackEvent);
const ingested = performance.now();
const verdict = acc.finish();
const finished = performance.now();
const cpu = process.cpuUsage(cpuStart);
process.stdout.write(
  `${JSON.stringify({
    wallMs: Math.round(finished - started),
    cpuMs: Math.round((cpu.user + cpu.system) / 1000),
    phasesMs: {
      readAttempts: Math.round(ingestedAttempts - started),
      readLedger: Math.round(ingested - ingestedAttempts),
      check: Math.round(finished - ingested),
    },
    maxRssBytes: process.resourceUsage().maxRSS * 1024,
    passed: verdict.passed,
    anomalies: verdict.metrics.anomalies,
    mttrS: verdict.metrics.mttr_s,
    windows: verdict.windows.length,
  })}\n`,
);
