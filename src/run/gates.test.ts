import { describe, expect, it } from 'vitest';
import { evaluateGates } from './gates.js';

describe('evaluateGates', () => {
  it('passes and fails gates by comparing the measured metric', () => {
    const results = evaluateGates(['mttr_s < 30', 'duplicates == 0', 'p99_ms <= 800', 'rpo_s == 0'], {
      mttr_s: 12.5,
      duplicates: 2,
      p99_ms: 800,
      rpo_s: 0.75,
    });
    expect(results.map((r) => r.passed)).toEqual([true, false, true, false]);
    expect(results[1]!.reason).toBe('duplicates was 2, expected == 0');
  });

  it('fails a gate whose metric was not measured, with the reason the checks gave', () => {
    const [duplicates, lost] = evaluateGates(
      ['duplicates == 0', 'lost_writes == 0'],
      { duplicates: null, lost_writes: null },
      {
        duplicates: 'the idempotency checker did not run (no ledger export from us-east)',
        lost_writes: 'the rpo checker did not run (no ledger export from us-east)',
      },
    );
    expect(duplicates).toMatchObject({ passed: false, actual: null });
    expect(duplicates!.reason).toBe(
      'not measured: the idempotency checker did not run (no ledger export from us-east)',
    );
    expect(lost!.reason).toBe('not measured: the rpo checker did not run (no ledger export from us-east)');
  });

  it('a metric absent from the metrics is not measured, never a default 0; no MTTR wording for others', () => {
    const [result] = evaluateGates(['dropped == 0'], {});
    expect(result).toMatchObject({ passed: false, actual: null });
    expect(result!.reason).toBe('not measured: dropped was not measured in this run');
    expect(result!.reason).not.toMatch(/MTTR|recover/);
  });

  it('a dropped == 0 gate passes when the engine dropped nothing', () => {
    const [result] = evaluateGates(['dropped == 0'], { dropped: 0 });
    expect(result).toMatchObject({ passed: true, actual: 0, reason: '' });
  });
});
