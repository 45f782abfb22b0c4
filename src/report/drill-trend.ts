/**
 * Drill history: MTTR and RPO per drill over time, from several drill reports (kind 'drill').
 * `renderDrillTrend` gives Markdown and a self-contained HTML page with one chart per metric, a
 * series per drill. For `chaosbank report <dir...>` to call when the reports are drills.
 */
import { renderChart, type Series } from './svg-chart.js';
import { REPORT_CSS } from './html-reporter.js';
import { nameColor } from './region-colors.js';
import { escapeXml } from './xml.js';
import { formatNumber } from './format.js';
import type { RunReport } from '../run/run-report.js';

export interface DrillTrendPoint {
  drill: string;
  runId: string;
  time: number;
  status: string;
  mttrS: number | null;
  rpoS: number | null;
  stepsFailed: number;
}

export function drillTrendPoints(reports: readonly RunReport[]): DrillTrendPoint[] {
  return reports
    .filter((r) => r.kind === 'drill')
    .map((r) => ({
      drill: r.run.scenario.name,
      runId: r.run.id,
      time: Date.parse(r.run.startedAt),
      status: r.run.status,
      mttrS: r.verdict?.metrics.mttr_s ?? null,
      rpoS: r.verdict?.metrics.rpo_s ?? null,
      stepsFailed: (r.steps ?? []).filter((s) => s.status === 'failed').length,
    }))
    .sort((a, b) => a.time - b.time);
}

function seriesOf(points: DrillTrendPoint[], pick: (p: DrillTrendPoint) => number | null): Series[] {
  const drills = [...new Set(points.map((p) => p.drill))].sort();
  return drills.map((drill) => ({
    name: drill,
    color: nameColor(drill),
    points: points.filter((p) => p.drill === drill).map((p) => ({ t: p.time, v: pick(p) })),
  }));
}

export function renderDrillTrendMarkdown(reports: readonly RunReport[]): string {
  const points = drillTrendPoints(reports);
  const lines = [
    '# Drill history',
    '',
    '| when | drill | result | MTTR (s) | RPO (s) | failed steps | run |',
    '|---|---|---|---|---|---|---|',
  ];
  for (const p of points)
    lines.push(
      `| ${new Date(p.time).toISOString()} | ${p.drill} | ${p.status === 'passed' ? '✅' : '❌'} ${p.status} | ${formatNumber(p.mttrS)} | ${formatNumber(p.rpoS)} | ${p.stepsFailed} | \`${p.runId}\` |`,
    );
  return `${lines.join('\n')}\n`;
}

export function renderDrillTrendHtml(reports: readonly RunReport[]): string {
  const points = drillTrendPoints(reports);
  const charts =
    points.length === 0
      ? '<p>No drill reports.</p>'
      : [
          renderChart({
            title: 'MTTR per drill (s)',
            yLabel: 's',
            series: seriesOf(points, (p) => p.mttrS),
            xAxis: { kind: 'date' },
          }),
          renderChart({
            title: 'Observed RPO per drill (s)',
            yLabel: 's',
            series: seriesOf(points, (p) => p.rpoS),
            xAxis: { kind: 'date' },
          }),
        ].join('\n');
  const rows = points
    .map(
      (p) =>
        `<tr><td>${escapeXml(new Date(p.time).toISOString())}</td><td>${escapeXml(p.drill)}</td><td class="${p.status === 'passed' ? 'pass' : 'fail'}">${escapeXml(p.status)}</td><td>${formatNumber(p.mttrS)}</td><td>${formatNumber(p.rpoS)}</td><td>${p.stepsFailed}</td><td>${escapeXml(p.runId)}</td></tr>`,
    )
    .join('');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>chaosbank drill history</title><style>${REPORT_CSS}</style></head>
<body><main>
<h1>Drill history</h1>
<div class="meta">${points.length} drill run(s)</div>
${charts}
<h2>Runs</h2>
<table id="drill-runs"><tr><th>when</th><th>drill</th><th>result</th><th>MTTR (s)</th><th>RPO (s)</th><th>failed steps</th><th>run</th></tr>${rows}</table>
</main></body></html>
`;
}
