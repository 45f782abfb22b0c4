import { describe, expect, it } from 'vitest';
import { renderDrillTrendHtml, renderDrillTrendMarkdown, drillTrendPoints } from './drill-trend.js';
import type { RunReport } from '../run/run-report.js';

function drill(
  name: string,
  startedAt: string,
  mttr: number | null,
  rpo: number,
  status: 'passed' | 'failed',
): RunReport {
  return {
    schemaVersion: 1,
    kind: 'drill',
    run: {
      id: `drill-${name}-${startedAt}`,
      scenario: { name, file: `runbooks/${name}.md`, sha256: 'x' },
      seed: 1,
      driver: 'local',
      startedAt,
      endedAt: startedAt,
      durationMs: 1,
      status,
      exitCode: status === 'passed' ? 0 : 1,
      versions: {},
      host: { hostname: 'h', platform: 'linux', arch: 'x64', cpus: 2 },
    },
    topology: { regions: ['us-east'], primary: 'us-east', replication: 'sync', bugs: [] },
    load: null,
    phases: [],
    faults: [],
    events: [],
    verdict: {
      passed: true,
      checkers: [],
      metrics: { mttr_s: mttr, rpo_s: rpo },
      windows: [],
      recovery: {
        tFault: null,
        tImpact: null,
        tRecovered: null,
        baseline: null,
        threshold: null,
        recovered: true,
      },
    },
    gates: [],
    artifacts: {},
    steps: [
      {
        index: 1,
        title: 's',
        kind: 'wait',
        startedAt: 0,
        durationMs: 1,
        status: status === 'passed' ? 'passed' : 'failed',
      },
    ],
  };
}

describe('drill trend', () => {
  const reports = [
    drill('failback', '2026-01-14T03:00:00Z', 9.5, 0, 'passed'),
    drill('primary-db-loss', '2026-01-07T03:00:00Z', 4.25, 0, 'passed'),
    drill('primary-db-loss', '2026-01-14T03:00:00Z', null, 0.5, 'failed'),
    { ...drill('not-a-drill', '2026-01-01T00:00:00Z', 1, 0, 'passed'), kind: 'run' as const },
  ];

  it('keeps drills only, in time order, with MTTR, RPO and failed steps', () => {
    const points = drillTrendPoints(reports);
    expect(points.map((p) => [p.drill, p.mttrS, p.rpoS, p.stepsFailed])).toEqual([
      ['primary-db-loss', 4.25, 0, 0],
      ['failback', 9.5, 0, 0],
      ['primary-db-loss', null, 0.5, 1],
    ]);
  });

  it('renders a Markdown table and an HTML page with one series per drill', () => {
    const md = renderDrillTrendMarkdown(reports);
    expect(md).toContain('| 2026-01-07T03:00:00.000Z | primary-db-loss | ✅ passed | 4.25 | 0 | 0 |');
    expect(md).not.toContain('not-a-drill');
    const html = renderDrillTrendHtml(reports);
    expect(html).toContain('MTTR per drill (s)');
    expect(html).toContain('Observed RPO per drill (s)');
    expect((html.match(/<svg/g) ?? []).length).toBe(2);
    expect(html).toContain('failback');
  });
});
