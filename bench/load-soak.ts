/**
 * `npm run bench -- load-soak`: memory flatness of the engine with full history recording.
 * 1,000/s for CHAOSBANK_SOAK_SECONDS (default 600) against the trivial loopback server in its own
 * process; samples this process's RSS every 10 s (CHAOSBANK_SOAK_SAMPLE_SECONDS).
 */
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BenchResult } from './run.js';
import { LoadEngine } from '../src/load/engine.js';
import { HistoryWriter } from '../src/history/writer.js';
import { loadSchema } from '../src/load/spec.js';
import { startServer } from './_load-tools.js';

export async function run(): Promise<BenchResult> {
  const seconds = Number(process.env.CHAOSBANK_SOAK_SECONDS ?? '600');
  const sampleSeconds = Number(process.env.CHAOSBANK_SOAK_SAMPLE_SECONDS ?? '10');
  const rate = Number(process.env.CHAOSBANK_SOAK_RATE ?? '1000');
  const dir = mkdtempSync(join(tmpdir(), 'chaosbank-soak-'));
  const server = await startServer(1);
  const historyPath = join(dir, 'history.ndjson');
  const writer = new HistoryWriter(historyPath);
  const samples: { atS: number; rssMiB: number; heapUsedMiB: number; historyBufferedKiB: number }[] = [];
  const mib = (n: number): number => Math.round((n / 1024 / 1024) * 10) / 10;
  const started = performance.now();
  const sample = (): void => {
    const memory = process.memoryUsage();
    samples.push({
      atS: Math.round((performance.now() - started) / 1000),
      rssMiB: mib(memory.rss),
      heapUsedMiB: mib(memory.heapUsed),
      historyBufferedKiB: Math.round(writer.bufferedBytes / 1024),
    });
  };
  const timer = setInterval(sample, sampleSeconds * 1000);
  try {
    const engine = new LoadEngine({
      load: loadSchema.parse({
        rate,
        duration: seconds * 1000,
        maxInFlight: 2000,
        mix: { reads: 0.05, replays: 0.05 },
      }),
      targets: { router: server.url },
      seed: 1,
      sink: writer,
    });
    sample();
    const summary = await engine.run();
    sample();
    await writer.close();
    const rss = samples.map((s) => s.rssMiB);
    const first = rss[1] ?? rss[0]!; // the sample after warm-up
    const last = rss.at(-1)!;
    return {
      rate,
      seconds,
      requests: summary.requests,
      dropped: summary.dropped,
      historyMiB: mib(statSync(historyPath).size),
      rssMiB: { first, last, max: Math.max(...rss), growthAfterWarmup: Math.round((last - first) * 10) / 10 },
      samples,
      targets: {
        flatMemory: {
          target: 'RSS growth after the first sample <= 50 MiB',
          value: Math.round((last - first) * 10) / 10,
          met: last - first <= 50,
        },
      },
    };
  } finally {
    clearInterval(timer);
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}
