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
});
