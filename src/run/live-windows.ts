/**
 * Live success rate and latency over the last few seconds of a load run, from attempts as they
 * complete (bucketed by end time: a live view cannot wait for late answers). Used by the steady-state
 * check and by threshold abort conditions. Declines and other client-caused fails are not counted
 * against the system, as in the checkers' recovery metrics.
 */
import type { Attempt } from '../history/attempt.js';

const BUCKET_MS = 250;

interface Bucket {
  start: number;
  ok: number;
  info: number;
  serverFail: number;
  latencies: number[];
}

export interface LiveFigures {
  /** Attempts counted (ok + info + server-side fail). */
  counted: number;
  successRate: number | null;
  errorRate: number | null;
  p50Ms: number | null;
  p95Ms: number | null;
  p99Ms: number | null;
  maxMs: number | null;
}

export class LiveWindows {
  private readonly buckets: Bucket[] = [];

  constructor(
    private readonly clientCaused: ReadonlySet<number>,
    /** How much history to keep, ms. */
    private readonly keepMs = 60_000,
  ) {}

  add(attempt: Attempt): void {
    if (attempt.outcome === 'fail' && this.clientCaused.has(attempt.status)) return;
    const start = Math.floor(attempt.end / BUCKET_MS) * BUCKET_MS;
    let bucket = this.buckets.at(-1);
    if (bucket === undefined || bucket.start < start) {
      bucket = { start, ok: 0, info: 0, serverFail: 0, latencies: [] };
      this.buckets.push(bucket);
      while (this.buckets.length > 0 && this.buckets[0]!.start < start - this.keepMs) this.buckets.shift();
    } else if (bucket.start > start) {
      // A straggler that ended just before the newest bucket: find its own bucket (or drop it if too old).
      bucket = this.buckets.find((b) => b.start === start);
      if (bucket === undefined) return;
    }
    if (attempt.outcome === 'ok') bucket.ok++;
    else if (attempt.outcome === 'info') bucket.info++;
    else bucket.serverFail++;
    bucket.latencies.push(attempt.end - attempt.intendedStart);
  }

  /** Figures over attempts that ended in [now - spanMs, now]. */
  figures(now: number, spanMs: number): LiveFigures {
    let ok = 0;
    let counted = 0;
    const latencies: number[] = [];
    for (const bucket of this.buckets) {
      if (bucket.start + BUCKET_MS <= now - spanMs || bucket.start > now) continue;
      ok += bucket.ok;
      counted += bucket.ok + bucket.info + bucket.serverFail;
      latencies.push(...bucket.latencies);
    }
    latencies.sort((a, b) => a - b);
    const pick = (p: number): number | null =>
      latencies.length === 0
        ? null
        : latencies[Math.min(latencies.length - 1, Math.max(0, Math.ceil(p * latencies.length) - 1))]!;
    const successRate = counted === 0 ? null : ok / counted;
    return {
      counted,
      successRate,
      errorRate: successRate === null ? null : 1 - successRate,
      p50Ms: pick(0.5),
      p95Ms: pick(0.95),
      p99Ms: pick(0.99),
      maxMs: latencies.at(-1) ?? null,
    };
  }
}
