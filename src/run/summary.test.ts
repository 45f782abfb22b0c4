import { describe, expect, it } from 'vitest';
import { sampleReport } from '../report/sample-report.js';
import { evaluateGates } from './gates.js';
import { formatRunSummary, runSummary } from './summary.js';

describe('run summary (console and --json)', () => {
  it('reports a metric not measured as null with its reason, and its gate as failed, never as 0', () => {
    const report = sampleReport();
    const verdict = report.verdict!;
    verdict.metrics = { ...verdict.metrics, lost_writes: null, rpo_s: null, dropped: 0 };
    verdict.notMeasured = {
      lost_writes: 'the rpo checker did not run (no ledger export from us-east)',
      rpo_s: 'the rpo checker did not run (no ledger export from us-east)',
    };
    report.gates = evaluateGates(['lost_writes == 0', 'dropped == 0'], verdict.metrics, verdict.notMeasured);
    const summary = runSummary({ report, outDir: '/tmp/run' });
    expect(summary.metrics.rpo_s).toBeNull();
    expect(summary.metrics.dropped).toBe(0);
    expect(summary.notMeasured.rpo_s).toBe('the rpo checker did not run (no ledger export from us-east)');
    expect(summary.notMeasured.dropped).toBeUndefined();
    expect(summary.gates).toEqual([
      {
        gate: 'lost_writes == 0',
        actual: null,
        passed: false,
        reason: 'not measured: the rpo checker did not run (no ledger export from us-east)',
      },
      { gate: 'dropped == 0', actual: 0, passed: true, reason: '' },
    ]);
    const text = formatRunSummary(summary);
    expect(text).toContain('RPO not measured');
    expect(text).toContain(
      'FAIL lost_writes == 0 — not measured: the rpo checker did not run (no ledger export from us-east)',
    );
    expect(text).toContain('pass dropped == 0 (0)');
  });

  it('a run with no verdict lists its headline metrics as not measured', () => {
    const report = { ...sampleReport(), verdict: null };
    const summary = runSummary({ report, outDir: '/tmp/run' });
    expect(summary.metrics.mttr_s).toBeNull();
    expect(summary.notMeasured.mttr_s).toBe('the run stopped before checking');
  });

  it('leads with payments (one idempotency key each); per-attempt figures come second', () => {
    const summary = runSummary({ report: sampleReport(), outDir: '/tmp/run' });
    expect(summary.metrics).toMatchObject({
      payments: 6000,
      payments_succeeded: 5900,
      payments_declined: 60,
      unresolved_payments: 40,
    });
    const lines = formatRunSummary(summary).split('\n');
    expect(lines[1]).toBe('  5900 of 6000 payments succeeded (98.33%) · 60 declined · 40 unresolved');
    expect(lines[3]).toBe('  attempt success 84.00% · 8000 attempts · 1.33 attempts per payment · dropped 0');
  });

  it('an unmeasured MTTR reads "not measured", never "n/a s"', () => {
    const report = sampleReport();
    report.verdict!.metrics.mttr_s = null;
    report.verdict!.notMeasured = { mttr_s: 'no fault in the scenario' };
    const text = formatRunSummary(runSummary({ report, outDir: '/tmp/run' }));
    expect(text).toContain('MTTR not measured ·');
    expect(text).not.toMatch(/n\/a/);
  });
});
