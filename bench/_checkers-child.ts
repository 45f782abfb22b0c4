/**
 * Child process of bench/checkers.ts: streams one generated run through the checkers exactly as
 * `chaosbank run` does (src/run/check.ts: readHistoryBatches -> accumulator, readLedgerExport
 * batches -> accumulator, finish) and prints {wallMs, cpuMs, phasesMs, phasesCpuMs, maxRssBytes, ...}
 * as JSON, so peak RSS is this process's alone.
 * argv: <history.ndjson> <ledger.ndjson> <events.ndjson>
 */
import { createCheckAccumulator } from '../src/checks/accumulator.js';
import { readLedgerExport } from '../src/checks/ledger-reader.js';
import { readLines } from '../src/history/lines.js';
import { readHistoryBatches } from '../src/history/reader.js';
import type { StackEvent } from '../src/contract/events.js';
import { BENCH_ACCOUNTS, BENCH_REGION } from './_checkers-history.js';

/** User + system CPU time in ms. */
const ms = (usage: NodeJS.CpuUsage): number => Math.round((usage.user + usage.system) / 1000);
const [attemptsFile, ledgerFile, eventsFile] = process.argv.slice(2) as [string, string, string];
const started = performance.now();
const cpuStart = process.cpuUsage();
const acc = createCheckAccumulator({
  accounts: BENCH_ACCOUNTS,
  authoritativeRegion: BENCH_REGION,
  steadyStateMs: 10_000,
});
for await (const batch of readHistoryBatches(attemptsFile))
  for (const attempt of batch) acc.addAttempt(attempt);
const ingestedAttempts = performance.now();
const cpuAttempts = process.cpuUsage(cpuStart);
for await (const batch of readLedgerExport(ledgerFile).batches())
  for (const line of batch) acc.addLedgerLine(BENCH_REGION, line);
for await (const { text } of readLines(eventsFile)) acc.addEvent(JSON.parse(text) as StackEvent);
const ingested = performance.now();
const cpuIngested = process.cpuUsage(cpuStart);
const verdict = acc.finish();
const finished = performance.now();
const cpu = process.cpuUsage(cpuStart);
process.stdout.write(
  `${JSON.stringify({
    wallMs: Math.round(finished - started),
    cpuMs: ms(cpu),
    phasesMs: {
      readAttempts: Math.round(ingestedAttempts - started),
      readLedger: Math.round(ingested - ingestedAttempts),
      check: Math.round(finished - ingested),
    },
    phasesCpuMs: {
      readAttempts: ms(cpuAttempts),
      readLedger: ms(cpuIngested) - ms(cpuAttempts),
      check: ms(cpu) - ms(cpuIngested),
    },
    maxRssBytes: process.resourceUsage().maxRSS * 1024,
    passed: verdict.passed,
    anomalies: verdict.metrics.anomalies,
    mttrS: verdict.metrics.mttr_s,
    windows: verdict.windows.length,
  })}\n`,
);
