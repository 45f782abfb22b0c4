/**
 * Live counters and latency histograms of a load run (HdrHistogram, microseconds). The engine feeds
 * them; the progress reporter samples them; the summary is built from them at the end.
 */
import { build } from 'hdr-histogram-js';
import type { Histogram } from 'hdr-histogram-js';
import type { AttemptKind, Outcome } from '../history/attempt.js';

function histogram(): Histogram {
  // 1 µs .. 1 h, 3 significant digits: ~0.1 % error on any percentile.
  return build({
    lowestDiscernibleValue: 1,
    highestTrackableValue: 3_600_000_000,
    numberOfSignificantValueDigits: 3,
  });
}

export interface LatencySummary {
  count: number;
  p50: number;
  p90: number;
  p99: number;
  p999: number;
  max: number;
}

export function summarize(h: Histogram): LatencySummary {
  const ms = (us: number): number => Math.round(us) / 1000;
  if (h.totalCount === 0) return { count: 0, p50: 0, p90: 0, p99: 0, p999: 0, max: 0 };
  return {
    count: h.totalCount,
    p50: ms(h.getValueAtPercentile(50)),
    p90: ms(h.getValueAtPercentile(90)),
    p99: ms(h.getValueAtPercentile(99)),
    p999: ms(h.getValueAtPercentile(99.9)),
    max: ms(h.maxValue),
  };
}

export interface IntervalSnapshot {
  /** Seconds since the run started. */
  elapsedS: number;
  /** Length of the interval in seconds. */
  intervalS: number;
  /** Requests started per second in the interval. */
  rate: number;
  okPerS: number;
  failPerS: number;
  infoPerS: number;
  /** p99 latency (from intended start, ms) of requests that ended in the interval. */
  p99Ms: number;
  /** Cumulative. */
  dropped: number;
  inFlight: number;
  requests: number;
}

export class LoadStats {
  /** Performance-clock time the run started (ms). */
  startedAt = 0;
  arrivals = 0;
  dropped = 0;
  requests = 0;
  completed = 0;
  inFlightRequests = 0;
  activeIterations = 0;
  readonly outcomes: Record<Outcome, number> = { ok: 0, fail: 0, info: 0 };
  readonly byKind: Record<AttemptKind, number> = {
    first: 0,
    retry: 0,
    replay: 0,
    concurrent: 0,
    mismatch: 0,
    read: 0,
  };
  readonly statuses = new Map<number, number>();
  readonly errors = new Map<string, number>();
  /** Latency from the intended start (what the user of the system saw). */
  readonly latency = histogram();
  /** Latency from the actual send (the service time alone). */
  readonly serviceTime = histogram();
  /** How late each request was sent relative to its intended start. */
  readonly schedulingLag = histogram();

  private readonly interval = histogram();
  private intervalStartedAt = 0;
  private intervalStartRequests = 0;
  private intervalOutcomes: Record<Outcome, number> = { ok: 0, fail: 0, info: 0 };

  begin(now: number): void {
    this.startedAt = now;
    this.intervalStartedAt = now;
  }

  recordSent(lagMs: number): void {
    this.requests++;
    this.inFlightRequests++;
    this.schedulingLag.recordValue(Math.max(1, Math.round(lagMs * 1000)));
  }

  recordDone(
    kind: AttemptKind,
    outcome: Outcome,
    status: number,
    error: string | undefined,
    latencyMs: number,
    serviceMs: number,
  ): void {
    this.inFlightRequests--;
    this.completed++;
    this.outcomes[outcome]++;
    this.intervalOutcomes[outcome]++;
    this.byKind[kind]++;
    this.statuses.set(status, (this.statuses.get(status) ?? 0) + 1);
    if (error !== undefined) this.errors.set(error, (this.errors.get(error) ?? 0) + 1);
    const latencyUs = Math.max(1, Math.round(latencyMs * 1000));
    this.latency.recordValue(latencyUs);
    this.interval.recordValue(latencyUs);
    this.serviceTime.recordValue(Math.max(1, Math.round(serviceMs * 1000)));
  }

  /** Rates over the time since the previous call, then start a new interval. */
  takeInterval(now: number): IntervalSnapshot {
    const intervalS = Math.max(1e-3, (now - this.intervalStartedAt) / 1000);
    const snapshot: IntervalSnapshot = {
      elapsedS: (now - this.startedAt) / 1000,
      intervalS,
      rate: (this.requests - this.intervalStartRequests) / intervalS,
      okPerS: this.intervalOutcomes.ok / intervalS,
      failPerS: this.intervalOutcomes.fail / intervalS,
      infoPerS: this.intervalOutcomes.info / intervalS,
      p99Ms: this.interval.totalCount === 0 ? 0 : this.interval.getValueAtPercentile(99) / 1000,
      dropped: this.dropped,
      inFlight: this.inFlightRequests,
      requests: this.requests,
    };
    this.interval.reset();
    this.intervalStartedAt = now;
    this.intervalStartRequests = this.requests;
    this.intervalOutcomes = { ok: 0, fail: 0, info: 0 };
    return snapshot;
  }
}
