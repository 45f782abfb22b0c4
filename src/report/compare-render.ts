/** compare.md, compare.html and compare.json from a Comparison. The HTML is self-contained (inline SVG). */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { COMPARED_METRICS, type Comparison, type ComparedMetric } from './compare.js';
import { formatNumber, formatPercent } from './format.js';
import { REPORT_CSS } from './html-reporter.js';
import { nameColor } from './region-colors.js';
import { escapeXml } from './xml.js';
import { renderChart, type Series } from './svg-chart.js';

const LABELS: Record<ComparedMetric, string> = {
  mttr_s: 'MTTR (s)',
  outage_s: 'outage (s)',
  rpo_s: 'RPO (s)',
  p99_ms: 'p99 (ms)',
  success_rate: 'success',
  anomalies: 'anomalies',
  lost_writes: 'lost writes',
  duplicates: 'duplicates',
};

const show = (metric: ComparedMetric, value: number | null): string =>
  metric === 'success_rate' ? formatPercent(value) : formatNumber(value);

function regressed(comparison: Comparison, runId: string, metric: string): boolean {
  return comparison.regressions.some((r) => r.runId === runId && r.metric === metric);
}

export function renderComparisonMarkdown(comparison: Comparison): string {
  const lines = [
    `## chaosbank comparison — ${comparison.rows.length} runs (baseline ${comparison.baseline})`,
    '',
    `| run | scenario | status | ${COMPARED_METRICS.map((m) => LABELS[m]).join(' | ')} | anomaly types |`,
    `|---|---|---|${COMPARED_METRICS.map(() => '---:').join('|')}|---|`,
  ];
  for (const row of comparison.rows) {
    const cells = COMPARED_METRICS.map((m) => {
      const text = show(m, row.metrics[m]);
      return regressed(comparison, row.runId, m) ? `**${text}** ⚠` : text;
    });
    const status = regressed(comparison, row.runId, 'status') ? `**${row.status}** ⚠` : row.status;
    const types = Object.entries(row.anomalyTypes)
      .map(([t, n]) => `${n} ${t}`)
      .join(', ');
    lines.push(
      `| ${row.runId}${row.runId === comparison.baseline ? ' (baseline)' : ''} | ${row.scenario} | ${status} | ${cells.join(' | ')} | ${types || '—'} |`,
    );
  }
  lines.push('');
  if (comparison.regressions.length === 0) lines.push('No regression against the baseline.');
  else {
    lines.push(`### Regressions against the baseline (${comparison.regressions.length})`, '');
    for (const r of comparison.regressions) lines.push(`- ${r.runId}: ${r.reason}`);
  }
  lines.push(
    '',
    '### Spread per scenario',
    '',
    '| scenario | metric | runs | p50 | p95 | max |',
    '|---|---|---:|---:|---:|---:|',
  );
  for (const [scenario, metrics] of Object.entries(comparison.distributions))
    for (const [metric, d] of Object.entries(metrics))
      lines.push(
        `| ${scenario} | ${metric} | ${d.n} | ${formatNumber(d.p50)} | ${formatNumber(d.p95)} | ${formatNumber(d.max)} |`,
      );
  return `${lines.join('\n')}\n`;
}

export function renderComparisonHtml(comparison: Comparison): string {
  const header = COMPARED_METRICS.map((m) => `<th>${escapeXml(LABELS[m])}</th>`).join('');
  const rows = comparison.rows
    .map((row) => {
      const cells = COMPARED_METRICS.map((m) => {
        const bad = regressed(comparison, row.runId, m);
        return `<td class="${bad ? 'regression' : ''}">${escapeXml(show(m, row.metrics[m]))}</td>`;
      }).join('');
      const statusBad = regressed(comparison, row.runId, 'status');
      const types = Object.entries(row.anomalyTypes)
        .map(([t, n]) => `${n} ${t}`)
        .join(', ');
      return `<tr><td>${escapeXml(row.runId)}${row.runId === comparison.baseline ? ' <em>(baseline)</em>' : ''}</td><td>${escapeXml(row.scenario)}</td><td class="status-${row.status}${statusBad ? ' regression' : ''}">${escapeXml(row.status)}</td>${cells}<td>${escapeXml(types || '—')}</td></tr>`;
    })
    .join('');
  const regressions =
    comparison.regressions.length === 0
      ? '<p class="pass">No regression against the baseline.</p>'
      : `<ul id="regressions">${comparison.regressions.map((r) => `<li class="fail">${escapeXml(`${r.runId}: ${r.reason}`)}</li>`).join('')}</ul>`;
  const spread = Object.entries(comparison.distributions)
    .flatMap(([scenario, metrics]) =>
      Object.entries(metrics).map(
        ([metric, d]) =>
          `<tr><td>${escapeXml(scenario)}</td><td>${escapeXml(metric)}</td><td>${d.n}</td><td>${escapeXml(formatNumber(d.p50))}</td><td>${escapeXml(formatNumber(d.p95))}</td><td>${escapeXml(formatNumber(d.max))}</td></tr>`,
      ),
    )
    .join('');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>chaosbank comparison (${comparison.rows.length} runs)</title><style>${REPORT_CSS}
.regression{background:#fee2e2;color:#b91c1c;font-weight:600}</style></head>
<body><main>
<h1>chaosbank comparison — ${comparison.rows.length} runs</h1>
<div class="meta">baseline ${escapeXml(comparison.baseline)} (the first run given); regressions are highlighted</div>
<h2>Runs</h2>
<table id="runs"><tr><th>run</th><th>scenario</th><th>status</th>${header}<th>anomaly types</th></tr>${rows}</table>
<h2>Regressions</h2>
${regressions}
<h2>Trend</h2>
${renderTrend(comparison)}
<h2>Spread per scenario</h2>
<table id="spread"><tr><th>scenario</th><th>metric</th><th>runs</th><th>p50</th><th>p95</th><th>max</th></tr>${spread}</table>
</main></body></html>
`;
}

/** MTTR and RPO of every run over time (one line per scenario). */
export function renderTrend(comparison: Comparison): string {
  const scenarios = [...new Set(comparison.rows.map((r) => r.scenario))];
  const seriesOf = (metric: ComparedMetric): Series[] =>
    scenarios.map((scenario) => ({
      name: scenario,
      color: nameColor(scenario),
      points: comparison.rows
        .filter((r) => r.scenario === scenario)
        .map((r) => ({ t: Date.parse(r.startedAt), v: r.metrics[metric] }))
        .sort((a, b) => a.t - b.t),
    }));
  return [
    renderChart({
      title: 'MTTR per run over time',
      yLabel: 's',
      series: seriesOf('mttr_s'),
      xAxis: { kind: 'date' },
    }),
    renderChart({
      title: 'p99 latency per run over time',
      yLabel: 'ms',
      series: seriesOf('p99_ms'),
      xAxis: { kind: 'date' },
    }),
  ].join('\n');
}

export async function writeComparison(comparison: Comparison, outDir: string): Promise<string[]> {
  await mkdir(outDir, { recursive: true });
  const files = {
    json: join(outDir, 'compare.json'),
    md: join(outDir, 'compare.md'),
    html: join(outDir, 'compare.html'),
  };
  await writeFile(files.json, `${JSON.stringify(comparison, null, 2)}\n`);
  await writeFile(files.md, renderComparisonMarkdown(comparison));
  await writeFile(files.html, renderComparisonHtml(comparison));
  return Object.values(files);
}
