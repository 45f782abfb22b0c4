/**
 * Recovery metrics (checkers.md "Recovery metrics"), from the client history only: windows by intended
 * start, r(w) = ok / (ok + info + server-side fail) with client-caused fails (declines, 409, 422, 400,
 * 404) excluded; baseline r0 = median r over the steady-state window before the first fault;
 * θ = min(SLO, 0.99·r0); t_impact = first window from the fault on with r < θ; t_recovered = start of
 * the first run of windows lasting >= the hold with r >= θ (and p99 <= L when set).
 */
import { CANCELLED_ERROR } from '../history/attempt.js';
import { faultAppliedAt, type StackEvent } from '../contract/events.js';
import { OUTCOME, type AttemptStore } from './attempt-store.js';
import type { Interner } from './compact.js';
import { clientCausedStatuses, type CheckExpectations } from './expectations.js';
import type { RecoveryResult, WindowStat } from './verdict.js';

export interface LoadFigures {
  windows: WindowStat[];
  recovery: RecoveryResult;
  mttrS: number | null;
  outageS: number | null;
  detectionS: number | null;
  successRate: number | null;
  p50Ms: number | null;
  p95Ms: number | null;
  p99Ms: number | null;
  maxMs: number | null;
  attempts: number;
}

export function measureLoad(store: AttemptStore, events: StackEvent[], ex: CheckExpectations): LoadFigures {
  const n = store.count;
  const none: LoadFigures = {
    windows: [],
    recovery: {
      tFault: null,
      tImpact: null,
      tRecovered: null,
      baseline: null,
      threshold: null,
      recovered: true,
    },
    mttrS: null,
    outageS: null,
    detectionS: null,
    successRate: null,
    p50Ms: null,
    p95Ms: null,
    p99Ms: null,
    maxMs: null,
    attempts: 0,
  };
  if (n === 0) return withRecovery(none, [], events, ex);
  const w = ex.windowMs;
  const intended = store.intendedStart.data;
  let t0 = Number.POSITIVE_INFINITY;
  let t1 = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < n; i++) {
    t0 = Math.min(t0, intended[i]!);
    t1 = Math.max(t1, intended[i]!);
  }
  const base = Math.floor(t0 / w) * w;
  const count = Math.floor((t1 - base) / w) + 1;
  const windowOf = new Int32Array(n);
  const windows: WindowStat[] = [];
  for (let x = 0; x < count; x++) {
    windows.push({
      start: base + x * w,
      ok: 0,
      fail: 0,
      info: 0,
      declines: 0,
      successRate: null,
      p99Ms: null,
      byRegion: {},
    });
  }
  const clientCaused = clientCausedStatuses(ex.statuses);
  // attempts per (window, serving region id), and the first of them: byRegion is built at the end
  const names = store.names.size;
  const servedCount = new Int32Array(count * names);
  const firstServed = new Int32Array(count * names);
  const latency = new Float64Array(n);
  const perWindow = new Int32Array(count + 1);
  let ok = 0;
  let counted = 0;
  // Requests the harness itself cancelled when the load stopped say nothing about the service (and
  // their latency was cut short): one in the last window must not read as an unrecovered outage.
  const cancelled = store.names.find(CANCELLED_ERROR) ?? -2;
  let measured = 0;
  for (let i = 0; i < n; i++) {
    const x = Math.floor((intended[i]! - base) / w);
    windowOf[i] = x;
    if (store.error.data[i] === cancelled) continue;
    perWindow[x + 1]!++;
    latency[measured++] = store.end.data[i]! - intended[i]!;
    const win = windows[x]!;
    const outcome = store.outcome.data[i];
    if (outcome === OUTCOME.ok) win.ok++;
    else if (outcome === OUTCOME.info) win.info++;
    else {
      win.fail++;
      if (clientCaused.has(store.status.data[i]!)) win.declines++;
    }
    const served = store.servedBy.data[i]!;
    if (served >= 0) {
      const at = x * names + served;
      if (servedCount[at]!++ === 0) firstServed[at] = i;
    }
  }
  fillByRegion(windows, servedCount, firstServed, store.names);
  // per-window p99: bucket latencies by window (counting sort), then sort each bucket
  for (let x = 0; x < count; x++) perWindow[x + 1]! += perWindow[x]!;
  const offsets = perWindow.slice();
  const bucketed = new Float64Array(measured);
  for (let i = 0, m = 0; i < n; i++)
    if (store.error.data[i] !== cancelled) bucketed[offsets[windowOf[i]!]!++] = latency[m++]!;
  for (let x = 0; x < count; x++) {
    const win = windows[x]!;
    const slice = bucketed.subarray(perWindow[x], perWindow[x + 1]).sort();
    win.p99Ms = percentile(slice, 0.99);
    const denominator = win.ok + win.info + (win.fail - win.declines);
    win.successRate = denominator === 0 ? null : win.ok / denominator;
    ok += win.ok;
    counted += denominator;
  }
  const latencies = latency.subarray(0, measured).sort();
  const figures: LoadFigures = {
    ...none,
    windows,
    successRate: counted === 0 ? null : ok / counted,
    p50Ms: percentile(latencies, 0.5),
    p95Ms: percentile(latencies, 0.95),
    p99Ms: percentile(latencies, 0.99),
    maxMs: measured === 0 ? null : latencies[measured - 1]!,
    attempts: n,
  };
  return withRecovery(figures, windows, events, ex);
}

/** Each window's byRegion, its regions in the order they first served the window (as counted one by one). */
function fillByRegion(windows: WindowStat[], count: Int32Array, first: Int32Array, names: Interner): void {
  const regions = names.size;
  for (let x = 0; x < windows.length; x++) {
    const served: number[] = [];
    for (let r = 0; r < regions; r++) if (count[x * regions + r]! > 0) served.push(r);
    served.sort((a, b) => first[x * regions + a]! - first[x * regions + b]!);
    const byRegion = windows[x]!.byRegion;
    for (const r of served) byRegion[names.value(r)] = count[x * regions + r]!;
  }
}

function withRecovery(
  figures: LoadFigures,
  windows: WindowStat[],
  events: StackEvent[],
  ex: CheckExpectations,
): LoadFigures {
  const w = ex.windowMs;
  const faultEvent = events.find((e) => e.type === 'fault.applied');
  if (faultEvent === undefined) return figures;
  const tFault = faultAppliedAt(faultEvent); // when it took effect, not when it was scheduled
  const baselineRates = windows
    .filter(
      (win) =>
        win.start + w <= tFault && (ex.steadyStateMs === undefined || win.start >= tFault - ex.steadyStateMs),
    )
    .map((win) => win.successRate)
    .filter((r): r is number => r !== null);
  const baseline = baselineRates.length === 0 ? null : median(baselineRates);
  const threshold = baseline === null ? ex.sloSuccessRate : Math.min(ex.sloSuccessRate, 0.99 * baseline);
  const good = (win: WindowStat): boolean =>
    win.successRate !== null &&
    win.successRate >= threshold &&
    (ex.recoveryP99Ms === undefined || (win.p99Ms !== null && win.p99Ms <= ex.recoveryP99Ms));
  const from = windows.findIndex((win) => win.start + w > tFault);
  const recovery: RecoveryResult = {
    tFault,
    tImpact: null,
    tRecovered: null,
    baseline,
    threshold,
    recovered: true,
  };
  const result: LoadFigures = { ...figures, recovery };
  if (from < 0) return result;
  const impact = windows.findIndex(
    (win, x) => x >= from && win.successRate !== null && win.successRate < threshold,
  );
  if (impact < 0) {
    // the fault never pushed the success rate under θ: nothing to recover from
    return { ...result, mttrS: 0, outageS: 0 };
  }
  const tImpact = windows[impact]!.start;
  recovery.tImpact = tImpact;
  const holdWindows = Math.max(1, Math.ceil(ex.recoveryHoldMs / w));
  let runStart = -1;
  for (let x = impact + 1; x < windows.length; x++) {
    if (!good(windows[x]!)) {
      runStart = -1;
      continue;
    }
    if (runStart < 0) runStart = x;
    if (x - runStart + 1 >= holdWindows) break;
  }
  const detection = events.find((e) => e.type.startsWith('failover.') && e.time >= tFault);
  result.detectionS = detection === undefined ? null : (detection.time - tImpact) / 1000;
  if (runStart < 0 || windows.length - runStart < holdWindows) {
    recovery.recovered = false;
    return result;
  }
  const tRecovered = windows[runStart]!.start;
  recovery.tRecovered = tRecovered;
  return { ...result, mttrS: (tRecovered - tFault) / 1000, outageS: (tRecovered - tImpact) / 1000 };
}

/** Nearest-rank percentile of a sorted array; null when empty. */
function percentile(sorted: Float64Array, p: number): number | null {
  if (sorted.length === 0) return null;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))]!;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}
