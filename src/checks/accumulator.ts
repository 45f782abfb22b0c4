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
import { AttemptStore, KeyTable } from './attempt-store.js';
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
import { measureLoad } from './recovery.js';
import { checkLostWrites } from './rpo-checker.js';
import { checkSplitBrain } from './split-brain-checker.js';
import type { AnomalyType, CheckerResult, Verdict } from './verdict.js';

export interface CheckAccumulator {
  addAttempt(attempt: Attempt): void;
  addLedgerLine(region: string, line: ExportLine): void;
  addEvent(event: StackEvent): void;
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
      return runCheckers(ctx);
    },
  };
}

function runCheckers(ctx: CheckContext): Verdict {
  const { collector, authority, expectations } = ctx;
  const missingLedger =
    authority === undefined ? `no ledger export from ${expectations.authoritativeRegion}` : null;
  checkIdempotency(ctx);
  const rpo = authority ? checkLostWrites(ctx) : { rpoS: null };
  if (authority) checkLedger(ctx, authority);
  checkReads(ctx);
  checkSplitBrain(ctx);
  const unconverged = authority ? checkConvergence(ctx, authority) : null;
  const load = measureLoad(ctx.attempts, ctx.events, expectations);

  const needsLedger = new Set(['idempotency', 'ledger', 'rpo', 'convergence']);
  const checkers: CheckerResult[] = Object.entries(CHECKER_ANOMALIES).map(([name, types]) => {
    if (name === 'recovery') return recoveryResult(load.recovery, load.mttrS);
    const anomalies = collector.summaries(types);
    const count = anomalies.reduce((n, a) => n + a.count, 0);
    if (missingLedger && needsLedger.has(name)) {
      return { name, passed: false, summary: `not checked: ${missingLedger}`, anomalies };
    }
    const summary = count === 0 ? 'no anomaly' : anomalies.map((a) => `${a.count} ${a.type}`).join(', ');
    return { name, passed: count === 0, summary, anomalies };
  });

  const c = (type: AnomalyType): number => collector.count(type);
  const metrics: Verdict['metrics'] = {
    mttr_s: load.mttrS,
    rto_s: load.mttrS,
    outage_s: load.outageS,
    detection_s: load.detectionS,
    rpo_s: rpo.rpoS,
    recovered: load.recovery.recovered ? 1 : 0,
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
    success_rate: load.successRate,
    error_rate: load.successRate === null ? null : 1 - load.successRate,
    p50_ms: load.p50Ms,
    p95_ms: load.p95Ms,
    p99_ms: load.p99Ms,
    max_ms: load.maxMs,
    attempts: load.attempts,
    unresolved_payments: countUnresolved(ctx),
  };
  return {
    passed: checkers.every((r) => r.passed),
    checkers,
    metrics,
    windows: load.windows,
    recovery: load.recovery,
  };
}

function recoveryResult(recovery: Verdict['recovery'], mttrS: number | null): CheckerResult {
  let summary: string;
  if (recovery.tFault === null) summary = 'no fault applied';
  else if (recovery.tImpact === null) summary = 'the fault never pushed the success rate below the threshold';
  else if (!recovery.recovered) summary = 'no recovery: the success rate never held above the threshold';
  else summary = `recovered in ${mttrS} s`;
  return { name: 'recovery', passed: recovery.recovered, summary, anomalies: [] };
}

function countUnresolved(ctx: CheckContext): number {
  let n = 0;
  for (let k = 0; k < ctx.keys.keys.size; k++) n += ctx.facts.unresolved[k]!;
  return n;
}

/** Convenience for in-memory inputs. */
export interface CheckRunInput {
  expectations: CheckExpectationsInput;
  attempts: Iterable<Attempt>;
  /** Ledger export lines by region. */
  ledgers: Record<string, Iterable<ExportLine>>;
  events?: Iterable<StackEvent>;
}

export function checkRun(input: CheckRunInput): Verdict {
  const acc = createCheckAccumulator(input.expectations);
  for (const a of input.attempts) acc.addAttempt(a);
  for (const [region, lines] of Object.entries(input.ledgers))
    for (const line of lines) acc.addLedgerLine(region, line);
  for (const e of input.events ?? []) acc.addEvent(e);
  return acc.finish();
}
