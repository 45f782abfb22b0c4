/**
 * One measured run of chaosbank's load engine for bench/load.ts, in its own process so it can be
 * pinned to one core: argv = JSON {url, rate, durationS, historyPath?, maxInFlight?}. Full history
 * recording when `historyPath` is given (none otherwise, to isolate its cost).
 * Prints one JSON line: the engine summary plus the process's CPU time during the run.
 */
import { runLoad } from '../src/load/engine.js';
import { HistoryWriter } from '../src/load/history-writer.js';
import { loadSchema } from '../src/scenario/schema.js';

interface Args {
  url: string;
  rate: number;
  durationS: number;
  historyPath?: string;
  maxInFlight?: number;
}

const args = JSON.parse(process.argv[2] ?? '{}') as Args;
const writer = args.historyPath === undefined ? undefined : new HistoryWriter(args.historyPath);
const cpu = process.cpuUsage();
const summary = await runLoad({
  load: loadSchema.parse({
    rate: args.rate,
    duration: args.durationS * 1000,
    maxInFlight: args.maxInFlight ?? 2000,
    timeout: 2000,
  }),
  targets: { router: args.url },
  seed: 1,
  ...(writer === undefined ? {} : { sink: writer }),
});
await writer?.close();
const used = process.cpuUsage(cpu);
process.stdout.write(
  `${JSON.stringify({ summary, cpuUs: used.user + used.system, historyLines: writer?.lines ?? 0, rssBytes: process.memoryUsage.rss() })}\n`,
);
