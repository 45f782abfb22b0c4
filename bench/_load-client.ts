/**
 * One measured run of chaosbank's load engine for bench/load.ts, in its own process so it can be
 * pinned to one core: argv = JSON {url, rate, durationS, historyPath}. Full history recording on.
 * Prints one JSON line: the engine summary plus the process's CPU time.
 */
import { runLoad } from '../src/load/engine.js';
import { HistoryWriter } from '../src/load/history-writer.js';
import { loadSchema } from '../src/scenario/schema.js';

interface Args {
  url: string;
  rate: number;
  durationS: number;
  historyPath: string;
  maxInFlight?: number;
}

const args = JSON.parse(process.argv[2] ?? '{}') as Args;
const writer = new HistoryWriter(args.historyPath);
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
  sink: writer,
});
await writer.close();
const used = process.cpuUsage(cpu);
process.stdout.write(
  `${JSON.stringify({ summary, cpuUs: used.user + used.system, historyLines: writer.lines, rssBytes: process.memoryUsage.rss() })}\n`,
);
