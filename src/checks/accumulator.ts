/**
 * The streaming entry point: feed attempts, ledger export lines (per region) and stack events in any
 * order, then `finish()` runs every checker and returns one Verdict. Pure: no I/O, no clock.
 *
 *   const acc = createCheckAccumulator(expectations);
 *   for (const a of attempts) acc.addAttempt(a);
 *   for await (const line of readLedgerExport(file)) acc.addLedgerLine('us-east', line);
 *   for (const e of events) acc.addEvent(e);
 *   const verdict = acc.finish();
 */
import type { Attempt } from '../history/attempt.js';
import type { StackEvent } from '../contract/events.js';
import { AnomalyCollector } from './anomaly-collector.js';
import { AttemptStore, KIND, KeyTable } from './attempt-store.js';
import type { CheckContext } from './check-context.js';
import { Interner } from './compact.js';
import { checkConvergence } from './convergence-checker.js';
import { withDefaults, type CheckExpectations, type CheckExpectationsInput } from './expectations.js';
import { checkIdempotency } from './idempotency-checker.js';
import { computeKeyFacts } from './key-facts.js';
import { checkLedger } from './ledger-checker.js';
import type { ExportLine } from '../contract/ledger-export.js';
import { RegionLedger } from './ledger-store.js';
import { checkReads } from './reads-checker.js';
import { countPayments } from './payments.js';
import { measureLoad } from './recovery.js';
import { checkLostWrites } from './rpo-checker.js';
import { checkSplitBrain } from './split-brain-checker.js';
import { LEDGER_CHECKERS, settleMeasurements, whyNotMeasured } from './not-measured.js';
import { CHECKER_OF_FIELD_METRIC, countResponseFields, unrecordedFields } from './response-fields.js';
import type { AnomalyType, CheckerResult, Verdict } from './verdict.js';

export interface CheckAccumulator {
  addAttempt(attempt: Attempt): void;
  addLedgerLine(region: string, line: ExportLine): void;
  addEvent(event: StackEvent): void;
  /** Scheduled requests the load engine could not start (`dropped_iterations` of the history). */
  addDropped(count: number): void;
  /** A region whose ledger export is missing, and why (export failed, run stopped before collecting). */
  addMissingLedger(region: string, why: string): void;
  /** Run every checker over what was added. Call once. */
  finish(): Verdict;
}

/** Which anomaly types each checker owns (CheckerResult.name -> types). */
export const CHECKER_ANOMALIES: Record<string, readonly AnomalyType[]> = {
  idempotency: [
    'duplicate-application',
    'cross-region-duplicate',
    'phantom-write',
    'unknown-write',
    'outcome-flip',
    'mismatch-accepted',
  ],
  ledger: ['unbalanced-entry', 'conservation', 'balance-bounds', 'negative-balance'],
  rpo: ['lost-write'],
  reads: ['stale-read'],
  'split-brain': ['split-brain'],
  convergence: ['no-convergence'],
  recovery: [],
};

export function createCheckAccumulator(input: CheckExpectationsInput): CheckAccumulator {
  const expectations: CheckExpectations = withDefaults(input);
  const keys = new KeyTable();
  const names = new Interner();
  const accounts = new Interner();
  const attempts = new AttemptStore(keys, names, accounts);
  const ledgers = new Map<string, RegionLedger>();
  const events: StackEvent[] = [];
  const missingLedgers = new Map<string, string>();
  let dropped = 0;
  let finished = false;

  return {
    addAttempt(attempt) {
      attempts.add(attempt);
    },
    addLedgerLine(region, line) {
      let ledger = ledgers.get(region);
      if (!ledger) {
        const authoritative = region === expectations.authoritativeRegion;
        ledger = new RegionLedger(region, authoritative, keys, accounts, names, expectations.examples);
        ledgers.set(region, ledger);
      }
      ledger.add(line);
    },
    addEvent(event) {
      events.push(event);
    },
    addDropped(count) {
      dropped += count;
    },
    addMissingLedger(region, why) {
      missingLedgers.set(region, why);
    },
    finish() {
      if (finished) throw new Error('CheckAccumulator.finish() was already called');
      finished = true;
      events.sort((a, b) => a.time - b.time);
      const ctx: CheckContext = {
        expectations,
        attempts,
        keys,
        accounts,
        names,
        ledgers,
        authority: ledgers.get(expectations.authoritativeRegion),
        events,
        facts: computeKeyFacts(attempts, expectations.statuses.inFlight),
        collector: new AnomalyCollector(expectations.examples),
      };
      return runCheckers(ctx, { dropped, missingLedgers });
    },
  };
}

function runCheckers(
  ctx: CheckContext,
  load: { dropped: number; missingLedgers: ReadonlyMap<string, string> },
): Verdict {
  const { collector, authority, expectations } = ctx;
  const missingLedger =
    authority === undefined ? missingLedgerText(expectations.authoritativeRegion, load) : null;
  checkIdempotency(ctx);
  const rpo = authority ? checkLostWrites(ctx) : { rpoS: null };
  if (authority) checkLedger(ctx, authority);
  // A read's bounds come from the authoritative ledger (which unknown payments did land): none, no check.
  if (authority) checkReads(ctx);
  checkSplitBrain(ctx);
  const unconverged = authority ? checkConvergence(ctx, authority) : null;
  const figures = measureLoad(ctx.attempts, ctx.events, expectations);
  const payments = countPayments(ctx);
  const unrecorded = unrecordedFields(countResponseFields(ctx.attempts));

  const checkers: CheckerResult[] = Object.entries(CHECKER_ANOMALIES).map(([name, types]) => {
    if (name === 'recovery') return recoveryResult(figures.recovery, figures.mttrS);
    const anomalies = collector.summaries(types);
    const count = anomalies.reduce((n, a) => n + a.count, 0);
    if (missingLedger && LEDGER_CHECKERS.has(name)) {
      return { name, passed: false, summary: `not checked: ${missingLedger}`, anomalies };
    }
    const found = count === 0 ? 'no anomaly' : anomalies.map((a) => `${a.count} ${a.type}`).join(', ');
    // a checker blind to a field passes nothing: its metric is not measured
    const blind = Object.entries(CHECKER_OF_FIELD_METRIC)
      .filter(([metric, checker]) => checker === name && unrecorded[metric as keyof typeof unrecorded])
      .map(([metric]) => `${metric} not measured: ${unrecorded[metric as keyof typeof unrecorded]}`);
    if (blind.length > 0)
      return {
        name,
        passed: false,
        summary: [count === 0 ? undefined : found, ...blind].filter(Boolean).join('; '),
        anomalies,
      };
    return { name, passed: count === 0, summary: found, anomalies };
  });

  const c = (type: AnomalyType): number => collector.count(type);
  const counted: Verdict['metrics'] = {
    mttr_s: figures.mttrS,
    rto_s: figures.mttrS,
    outage_s: figures.outageS,
    detection_s: figures.detectionS,
    rpo_s: rpo.rpoS,
    recovered: figures.recovery.recovered ? 1 : 0,
    duplicates: c('duplicate-application') + c('cross-region-duplicate'),
    lost_writes: c('lost-write'),
    phantom_writes: c('phantom-write'),
    unknown_writes: c('unknown-write'),
    outcome_flips: c('outcome-flip'),
    mismatches_accepted: c('mismatch-accepted'),
    cross_region_duplicates: c('cross-region-duplicate'),
    unbalanced_entries: c('unbalanced-entry'),
    conservation_violations: c('conservation'),
    balance_violations: c('balance-bounds'),
    negative_balances: c('negative-balance'),
    stale_reads: c('stale-read'),
    split_brain: c('split-brain'),
    unconverged_regions: unconverged,
    anomalies: collector.total(),
    success_rate: figures.successRate,
    error_rate: figures.successRate === null ? null : 1 - figures.successRate,
    p50_ms: figures.p50Ms,
    p95_ms: figures.p95Ms,
    p99_ms: figures.p99Ms,
    max_ms: figures.maxMs,
    attempts: figures.attempts,
    dropped: load.dropped,
    payments: payments.payments,
    payments_succeeded: payments.succeeded,
    payments_declined: payments.declined,
    unresolved_payments: payments.unresolved,
    attempts_per_payment: payments.attemptsPerPayment,
  };
  const why = whyNotMeasured({
    attempts: figures.attempts,
    reads: countReads(ctx),
    payments: payments.payments,
    dropped: load.dropped,
    missingLedger,
    ...(expectations.plannedFaults === undefined ? {} : { plannedFaults: expectations.plannedFaults }),
    recoveryHoldMs: expectations.recoveryHoldMs,
    recovery: figures.recovery,
    mttrS: figures.mttrS,
    detectionS: figures.detectionS,
    rpoS: rpo.rpoS,
    successRate: figures.successRate,
    p50Ms: figures.p50Ms,
  });
  const { metrics, notMeasured } = settleMeasurements(counted, { ...unrecorded, ...why });
  return {
    passed: checkers.every((r) => r.passed),
    checkers,
    metrics,
    notMeasured,
    windows: figures.windows,
    recovery: figures.recovery,
  };
}

function missingLedgerText(region: string, load: { missingLedgers: ReadonlyMap<string, string> }): string {
  const why = load.missingLedgers.get(region);
  return `no ledger export from ${region}${why === undefined ? '' : `: ${why}`}`;
}

function countReads(ctx: CheckContext): number {
  const kinds = ctx.attempts.kind.data;
  let n = 0;
  for (let i = 0; i < ctx.attempts.count; i++) if (kinds[i] === KIND.read) n++;
  return n;
}

function recoveryResult(recovery: Verdict['recovery'], mttrS: number | null): CheckerResult {
  let summary: string;
  if (recovery.tFault === null) summary = 'no fault applied';
  else if (recovery.tImpact === null) summary = 'the fault never pushed the success rate below the threshold';
  else if (!recovery.recovered) summary = 'no recovery: the success rate never held above the threshold';
  else summary = `recovered in ${mttrS} s`;
  return { name: 'recovery', passed: recovery.recovered, summary, anomalies: [] };
}

/** Convenience for in-memory inputs. */
export interface CheckRunInput {
  expectations: CheckExpectationsInput;
  attempts: Iterable<Attempt>;
  /** Ledger export lines by region. */
  ledgers: Record<string, Iterable<ExportLine>>;
  events?: Iterable<StackEvent>;
  /** Scheduled requests the load engine could not start; 0 when not given. */
  dropped?: number;
  /** Regions whose ledger export is missing, and why. */
  missingLedgers?: Record<string, string>;
}

export function checkRun(input: CheckRunInput): Verdict {
  const acc = createCheckAccumulator(input.expectations);
  if (input.dropped !== undefined) acc.addDropped(input.dropped);
  for (const [region, why] of Object.entries(input.missingLedgers ?? {})) acc.addMissingLedger(region, why);
  for (const a of input.attempts) acc.addAttempt(a);
  for (const [region, lines] of Object.entries(input.ledgers))
    for (const line of lines) acc.addLedgerLine(region, line);
  for (const e of input.events ?? []) acc.addEvent(e);
  return acc.finish();
}
