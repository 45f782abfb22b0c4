/**
 * One measured run of chaosbank's load engine for bench/load.ts, in its own process so it can be
 * pinned to one core: argv = JSON {url, rate, durationS, historyPath?, maxInFlight?, steadyStateS?}.
 * Full history recording when `historyPath` is given (none otherwise, to isolate its cost).
 *
 * Like `chaosbank run` (steady-state phase, then the load phase in the same process), a steady-state
 * run at the same rate (default 2 s, history recorded when the measured run records it, not
 * measured) comes first: the measured run then
 * sees a warm JIT, as the load phase of a real run does, instead of a process's first second.
 * Prints one JSON line: the engine summary plus the process's CPU time during the measured run.
 */
import { rmSync } from 'node:fs';
import { runLoad } from '../src/load/engine.js';
import { HistoryWriter } from '../src/history/writer.js';
import { loadSchema } from '../src/load/spec.js';
import type { LoadSpec } from '../src/load/spec.js';

interface Args {
  url: string;
  rate: number;
  durationS: number;
  historyPath?: string;
  maxInFlight?: number;
  steadyStateS?: number;
}

const args = JSON.parse(process.argv[2] ?? '{}') as Args;
const load = (durationS: number): LoadSpec =>
  loadSchema.parse({
    rate: args.rate,
    duration: durationS * 1000,
    maxInFlight: args.maxInFlight ?? 2000,
    timeout: 2000,
  });
const steadyStateS = args.steadyStateS ?? 2;
if (steadyStateS > 0) {
  // recorded like the measured run (chaosbank run records its steady-state phase too), then deleted
  const steadyWriter =
    args.historyPath === undefined
      ? undefined
      : new HistoryWriter(args.historyPath.replace(/history-/, 'steady-state-history-'));
  await runLoad({
    load: load(steadyStateS),
    targets: { router: args.url },
    seed: 2,
    ...(steadyWriter === undefined ? {} : { sink: steadyWriter }),
  });
  await steadyWriter?.close();
  if (steadyWriter !== undefined) rmSync(steadyWriter.path, { force: true });
}
const writer = args.historyPath === undefined ? undefined : new HistoryWriter(args.historyPath);
const cpu = process.cpuUsage();
const summary = await runLoad({
  load: load(args.durationS),
  targets: { router: args.url },
  seed: 1,
  ...(writer === undefined ? {} : { sink: writer }),
});
await writer?.close();
const used = process.cpuUsage(cpu);
process.stdout.write(
  `${JSON.stringify({ summary, cpuUs: used.user + used.system, historyLines: writer?.lines ?? 0, rssBytes: process.memoryUsage.rss() })}\n`,
);
