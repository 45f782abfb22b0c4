import { describe, expect, it } from 'vitest';
import { compareReports, distribution } from './compare.js';
import { renderComparisonHtml, renderComparisonMarkdown } from './compare-render.js';
import { sampleReport } from './sample-report.js';
import type { RunReport } from '../run/run-report.js';

function runWith(
  id: string,
  metrics: Record<string, number | null>,
  status: RunReport['run']['status'] = 'passed',
) {
  const report = sampleReport();
  report.run.id = id;
  report.run.status = status;
  report.verdict!.metrics = { ...report.verdict!.metrics, ...metrics };
  return report;
}

describe('compareReports', () => {
  it('flags regressions against the first run, beyond noise', () => {
    const base = runWith('a', { mttr_s: 10, rpo_s: 0, p99_ms: 100, success_rate: 0.99, anomalies: 0 });
    const same = runWith('b', { mttr_s: 11, rpo_s: 0, p99_ms: 110, success_rate: 0.989, anomalies: 0 });
    const worse = runWith(
      'c',
      { mttr_s: 20, rpo_s: 1.2, p99_ms: 400, success_rate: 0.9, anomalies: 3 },
      'failed',
    );
    const comparison = compareReports([base, same, worse]);
    expect(comparison.baseline).toBe('a');
    expect(comparison.regressions.filter((r) => r.runId === 'b')).toEqual([]);
    expect(
      comparison.regressions
        .filter((r) => r.runId === 'c')
        .map((r) => r.metric)
        .sort(),
    ).toEqual(['anomalies', 'mttr_s', 'p99_ms', 'rpo_s', 'status', 'success_rate'].sort());
    expect(comparison.distributions['region-outage']!.mttr_s).toEqual({ n: 3, p50: 11, p95: 20, max: 20 });
    const md = renderComparisonMarkdown(comparison);
    expect(md).toContain('**20** ⚠');
    expect(md).toContain('c: mttr_s 10 -> 20');
    const html = renderComparisonHtml(comparison);
    expect(html.match(/class="regression"/g)?.length).toBe(5);
    expect(html).toContain('<svg');
  });

  it('calls a lost recovery a regression of MTTR', () => {
    const comparison = compareReports([runWith('a', { mttr_s: 5 }), runWith('b', { mttr_s: null })]);
    expect(comparison.regressions).toMatchObject([{ runId: 'b', metric: 'mttr_s' }]);
  });

  it('computes nearest-rank percentiles over measured values', () => {
    expect(distribution([3, null, 1, 2, 4])).toEqual({ n: 4, p50: 2, p95: 4, max: 4 });
    expect(distribution([null])).toEqual({ n: 0, p50: null, p95: null, max: null });
  });
});
