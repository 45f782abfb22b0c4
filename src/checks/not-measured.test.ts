import { describe, expect, it } from 'vitest';
import type { StackEvent } from '../contract/events.js';
import type { Attempt } from '../history/attempt.js';
import { checkRun, type CheckRunInput } from './accumulator.js';
import { makeAttempt, makeLedger } from './fixtures.js';
import { METRIC_NAMES } from './metrics-catalog.js';
import { notMeasuredReason } from './not-measured.js';
import type { Verdict } from './verdict.js';

const T0 = Date.UTC(2025, 0, 1);
const ACCOUNTS = ['a', 'b'];
const EXPECTATIONS = {
  accounts: { count: 2, funding: 1000, currency: 'USD' },
  authoritativeRegion: 'us-east',
  recoveryHoldMs: 1000,
};

/** `seconds` of payments every 100 ms, each acknowledged (unless `down(t)`: a timeout), plus one read. */
function payments(seconds: number, down: (t: number) => boolean = () => false): Attempt[] {
  const out: Attempt[] = [];
  for (let t = 0, seq = 0; t < seconds * 1000; t += 100, seq++) {
    const fails = down(t);
    out.push(
      makeAttempt({
        seq,
        start: T0 + t,
        key: `k${seq}`,
        payload: { from: 'a', to: 'b', amount: 1, currency: 'USD' },
        status: fails ? 0 : 201,
        ...(fails ? { error: 'timeout' } : {}),
      }),
    );
  }
  out.push(
    makeAttempt({ seq: out.length, start: T0 + 50, kind: 'read', status: 200, account: 'a', balance: 999 }),
  );
  return out;
}

/** The authoritative ledger holding exactly the acknowledged payments of `attempts`. */
function ledgerOf(attempts: Attempt[]) {
  const transfers = attempts
    .filter((a) => a.kind !== 'read' && a.outcome === 'ok')
    .map((a) => ({ id: `tx-${a.key}`, key: a.key!, from: 'a', to: 'b', amount: 1 }));
  return makeLedger({ region: 'us-east', accounts: ACCOUNTS, funding: 1000, currency: 'USD', transfers });
}

function check(input: Partial<CheckRunInput> & { attempts: Attempt[] }): Verdict {
  return checkRun({ expectations: EXPECTATIONS, ledgers: {}, ...input });
}

const fault: StackEvent = {
  time: T0 + 2000,
  type: 'fault.applied',
  data: { id: 'f1', kind: 'region-outage' },
};

describe('metrics measured or not', () => {
  it('without the authoritative ledger, counts of the checkers that need it are not measured, never 0', () => {
    const attempts = payments(3);
    const v = check({
      attempts,
      missingLedgers: { 'us-east': 'the run stopped before the ledgers were collected' },
    });
    for (const name of [
      'duplicates',
      'lost_writes',
      'unbalanced_entries',
      'split_brain',
      'anomalies',
    ] as const)
      expect(v.metrics[name], name).toBeNull();
    expect(v.notMeasured!.duplicates).toBe(
      'the idempotency checker did not run (no ledger export from us-east: the run stopped before the ledgers were collected)',
    );
    expect(v.notMeasured!.lost_writes).toMatch(
      /^the rpo checker did not run \(no ledger export from us-east/,
    );
    expect(v.notMeasured!.anomalies).toMatch(/^not every checker ran/);
    // what the client history alone measures is still measured
    expect(v.metrics.attempts).toBe(attempts.length);
    expect(v.metrics.success_rate).toBe(1);
    expect(v.metrics.dropped).toBe(0);
  });

  it('with the ledger, the same counts are measured (0 is a real 0)', () => {
    const attempts = payments(3);
    const v = check({ attempts, ledgers: { 'us-east': ledgerOf(attempts) } });
    expect(v.metrics).toMatchObject({ duplicates: 0, lost_writes: 0, unbalanced_entries: 0, anomalies: 0 });
    expect(v.notMeasured!.duplicates).toBeUndefined();
  });

  it('without traffic, client-side counts are not measured; ledger-only checks still are', () => {
    const v = check({ attempts: [], ledgers: { 'us-east': ledgerOf([]) } });
    for (const name of ['duplicates', 'lost_writes', 'rpo_s', 'success_rate', 'dropped', 'mttr_s'] as const)
      expect(v.notMeasured![name], name).toBe('no traffic: the history holds no attempt');
    expect(v.metrics.unbalanced_entries).toBe(0);
    expect(v.metrics.conservation_violations).toBe(0);
    expect(v.metrics.attempts).toBe(0);
  });

  it('dropped counts what the engine recorded, also when nothing else was sent', () => {
    expect(check({ attempts: payments(1), dropped: 3 }).metrics.dropped).toBe(3);
    expect(check({ attempts: [], dropped: 2 }).metrics.dropped).toBe(2);
  });

  it('recovery metrics say whether the scenario had no fault, or the run stopped before it', () => {
    const attempts = payments(3);
    const none = check({ attempts, expectations: { ...EXPECTATIONS, plannedFaults: 0 } });
    expect(none.notMeasured!.mttr_s).toBe('no fault in the scenario');
    expect(none.metrics.recovered).toBeNull();
    const stopped = check({ attempts, expectations: { ...EXPECTATIONS, plannedFaults: 2 } });
    expect(stopped.notMeasured!.mttr_s).toMatch(/^none of the scenario's 2 fault\(s\) was applied/);
  });

  it('a fault without recovery: MTTR not measured because no recovery was observed; recovered is a measured 0', () => {
    const v = check({ attempts: payments(6, (t) => t >= 2000), events: [fault] });
    expect(v.metrics.mttr_s).toBeNull();
    expect(v.notMeasured!.mttr_s).toMatch(
      /^no recovery observed: after the fault the success rate never held/,
    );
    expect(v.notMeasured!.detection_s).toBe('no failover event followed the fault');
    expect(v.metrics.recovered).toBe(0);
  });

  it('a fault that did not hurt: MTTR is a measured 0, detection not measured (nothing to detect)', () => {
    const v = check({ attempts: payments(6), events: [fault] });
    expect(v.metrics.mttr_s).toBe(0);
    expect(v.metrics.recovered).toBe(1);
    expect(v.notMeasured!.detection_s).toMatch(/^no impact to detect/);
  });

  it('a service that never worked before the fault has no MTTR, not an MTTR of 0', () => {
    const v = check({ attempts: payments(6, () => true), events: [fault] });
    expect(v.recovery.baseline).toBe(0);
    for (const name of ['mttr_s', 'outage_s', 'recovered'] as const) {
      expect(v.metrics[name], name).toBeNull();
      expect(v.notMeasured![name]).toMatch(/^no healthy baseline: no payment succeeded in the steady state/);
    }
  });

  it('stale reads are not measured when the history holds no read', () => {
    const attempts = payments(2).filter((a) => a.kind !== 'read');
    const v = check({ attempts, ledgers: { 'us-east': ledgerOf(attempts) } });
    expect(v.notMeasured!.stale_reads).toMatch(/no read in the history/);
  });

  it('every metric of the catalog is a number or null with a reason, whatever the input', () => {
    const inputs: Array<Partial<CheckRunInput> & { attempts: Attempt[] }> = [
      { attempts: [] },
      { attempts: payments(3) },
      { attempts: payments(6, (t) => t >= 2000), events: [fault] },
      { attempts: payments(3), ledgers: { 'us-east': ledgerOf(payments(3)) } },
    ];
    for (const input of inputs) {
      const v = check(input);
      for (const name of METRIC_NAMES) {
        const value = v.metrics[name];
        expect(value === null || typeof value === 'number', name).toBe(true);
        expect(value === null, `${name}: null iff a reason`).toBe(v.notMeasured![name] !== undefined);
      }
    }
  });
});

describe('notMeasuredReason', () => {
  it('reads reasons, and gives one for reports written before reasons were recorded', () => {
    const v = check({ attempts: [] });
    expect(notMeasuredReason(v, 'duplicates')).toBe('no traffic: the history holds no attempt');
    expect(notMeasuredReason(v, 'attempts')).toBeUndefined();
    expect(notMeasuredReason({ metrics: { mttr_s: null } }, 'mttr_s')).toMatch(/no reason recorded/);
    expect(notMeasuredReason(null, 'mttr_s')).toBe('the run stopped before checking');
  });
});
