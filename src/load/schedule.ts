/**
 * Open-model arrival schedule: the intended start time of every arrival, decided up front by the
 * rate profile alone (never by how fast the system answers). Ramps are linear between stage targets,
 * as in k6's ramping-arrival-rate executor: arrival i starts when the integral of the rate reaches i.
 */
import { InputError } from '../contract/errors.js';

export interface RateStage {
  /** Rate (per second) reached at the end of the stage. */
  target: number;
  durationMs: number;
}

export interface RateProfile {
  /** Constant rate per second (with durationMs), or the start rate of the first stage (default 0). */
  rate?: number;
  durationMs?: number;
  stages?: RateStage[];
}

interface Segment {
  fromRate: number;
  toRate: number;
  startMs: number;
  durationMs: number;
  /** Fractional number of arrivals the profile asked for before this segment. */
  startCount: number;
  firstArrival: number;
  arrivals: number;
}

export class ArrivalSchedule {
  readonly total: number;
  readonly durationMs: number;
  private readonly segments: Segment[];
  private cursor = 0;

  constructor(profile: RateProfile) {
    this.segments = buildSegments(profile);
    const last = this.segments.at(-1);
    this.durationMs = last === undefined ? 0 : last.startMs + last.durationMs;
    this.total = last === undefined ? 0 : last.firstArrival + last.arrivals;
  }

  /** Offset in ms from the run start at which arrival `index` is meant to start; undefined past the end. */
  offsetOf(index: number): number | undefined {
    if (index >= this.total) return undefined;
    let segment = this.segments[this.cursor];
    // Arrivals are requested in increasing order, so the cursor only moves forward in practice.
    if (segment === undefined || index < segment.firstArrival) {
      this.cursor = 0;
      segment = this.segments[0];
    }
    while (segment !== undefined && index >= segment.firstArrival + segment.arrivals) {
      this.cursor++;
      segment = this.segments[this.cursor];
    }
    if (segment === undefined) return undefined;
    const seconds = solveElapsed(segment, index);
    return segment.startMs + seconds * 1000;
  }

  /** Rate (per second) the profile asks for at `offsetMs`. */
  rateAt(offsetMs: number): number {
    for (const s of this.segments) {
      if (offsetMs < s.startMs + s.durationMs) {
        const f = s.durationMs === 0 ? 1 : (offsetMs - s.startMs) / s.durationMs;
        return s.fromRate + (s.toRate - s.fromRate) * Math.max(0, f);
      }
    }
    return 0;
  }
}

function buildSegments(profile: RateProfile): Segment[] {
  const segments: Segment[] = [];
  let startMs = 0;
  let startCount = 0;
  const push = (fromRate: number, toRate: number, durationMs: number): void => {
    const endCount = startCount + ((fromRate + toRate) / 2) * (durationMs / 1000);
    const firstArrival = Math.ceil(startCount - 1e-9);
    const arrivals = Math.max(0, Math.ceil(endCount - 1e-9) - firstArrival);
    segments.push({ fromRate, toRate, startMs, durationMs, startCount, firstArrival, arrivals });
    startCount = endCount;
    startMs += durationMs;
  };
  if (profile.stages !== undefined && profile.stages.length > 0) {
    let from = profile.rate ?? 0;
    for (const stage of profile.stages) {
      if (!(stage.target >= 0) || !(stage.durationMs >= 0))
        throw new InputError(
          'LOAD_BAD_STAGE',
          `a load stage needs target >= 0 and a duration >= 0 (got ${JSON.stringify(stage)})`,
        );
      push(from, stage.target, stage.durationMs);
      from = stage.target;
    }
  } else {
    if (profile.rate === undefined || !(profile.rate > 0) || profile.durationMs === undefined)
      throw new InputError('LOAD_NO_RATE', 'load needs `rate` with `duration`, or `stages`');
    push(profile.rate, profile.rate, profile.durationMs);
  }
  return segments;
}

/** Seconds into the segment at which arrival `index` is due: solve r0·t + (r1−r0)/(2D)·t² = index − startCount. */
function solveElapsed(segment: Segment, index: number): number {
  const n = Math.max(0, index - segment.startCount);
  const r0 = segment.fromRate;
  const d = segment.durationMs / 1000;
  const slope = d === 0 ? 0 : (segment.toRate - r0) / d;
  if (Math.abs(slope) < 1e-12) return r0 === 0 ? 0 : n / r0;
  const disc = Math.max(0, r0 * r0 + 2 * slope * n);
  // Numerically stable root of (slope/2)·t² + r0·t − n = 0.
  const denominator = r0 + Math.sqrt(disc);
  return denominator === 0 ? 0 : (2 * n) / denominator;
}
