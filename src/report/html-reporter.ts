/**
 * report.html: one self-contained file (inline CSS and SVG, no script, no network) that renders offline:
 * success rate and p99 latency over time with fault windows shaded and failover events marked, traffic
 * share per region, the gate table, checker verdicts and anomalies with their evidence.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Reporter } from '../run/reporter.js';
import type { RunReport } from '../run/run-report.js';
import { escapeXml } from './xml.js';
import { renderChart, type Band, type Marker, type Series } from './svg-chart.js';
import { faultRows } from './fault-rows.js';
import { formatNumber, formatPercent, relativeSeconds, reportOrigin } from './format.js';
import { eventText } from './event-text.js';
import { ATTEMPT_COLUMNS, evidenceTables, LEDGER_COLUMNS, type EvidenceTables } from './evidence-table.js';
import { stepsHtml } from './steps.js';
import { nameColors } from './region-colors.js';
import { headline } from './headline.js';
import { notMeasuredReason } from '../checks/not-measured.js';
import type { MetricName } from '../checks/metrics-catalog.js';

export const REPORT_CSS = `
body{font:14px/1.45 system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:0;color:#111827;background:#f9fafb}
main{max-width:980px;margin:0 auto;padding:24px}
h1{font-size:22px;margin:0 0 4px} h2{font-size:17px;margin:28px 0 8px}
.meta{color:#4b5563} .headline{font-size:17px;font-weight:600;margin:12px 0 2px} .status-passed{color:#15803d} .status-failed,.status-aborted,.status-error,.status-interrupted,.status-incomplete{color:#b91c1c}
.cards{display:grid;grid-template-columns:repeat(5,1fr);gap:10px;margin-top:14px}
.card{background:#fff;border:1px solid #e5e7eb;border-radius:8px;padding:10px 14px;min-width:0}
.card b{display:block;font-size:18px} .card span{color:#6b7280;font-size:12px}
table{border-collapse:collapse;width:100%;background:#fff} th,td{border:1px solid #e5e7eb;padding:6px 8px;text-align:left;vertical-align:top}
th{background:#f3f4f6} .pass{color:#15803d} .fail{color:#b91c1c}
pre{background:#111827;color:#e5e7eb;padding:10px;border-radius:6px;overflow:auto;font-size:12px}
details{background:#fff;border:1px solid #e5e7eb;border-radius:6px;padding:6px 10px;margin:6px 0}
.chart{background:#fff;border:1px solid #e5e7eb;border-radius:8px;box-sizing:border-box;width:100%;height:auto;margin:6px 0;display:block}
.chart-title{font-weight:600;font-size:13px} .axis,.legend,.band-label{font-size:11px;fill:#4b5563}
.grid{stroke:#e5e7eb} .series{stroke-width:1.8} .fault-band{fill:#fecaca;fill-opacity:.55}
.event-marker{stroke:#7c3aed;stroke-width:1.5;stroke-dasharray:4 3}
`;

function faultBands(report: RunReport): Band[] {
  const end = Date.parse(report.run.endedAt);
  return report.faults
    .filter((f) => f.appliedAt !== null)
    .map((f) => ({
      start: f.appliedAt!,
      end: f.revertedAt ?? end,
      label: `${f.kind} ${Object.values(f.target).join(' ')}`,
    }));
}

function eventMarkers(report: RunReport): Marker[] {
  return report.events
    .filter((e) => e.type.startsWith('failover.') || e.type === 'router.switch')
    .map((e) => ({
      t: e.time,
      label: `${e.type}${e.region ? ` ${e.region}` : ''}${e.data ? ` ${JSON.stringify(e.data)}` : ''}`,
    }));
}

export function renderCharts(report: RunReport): string {
  const windows = report.verdict?.windows ?? [];
  if (windows.length === 0) return '<p>No load windows were recorded.</p>';
  const bands = faultBands(report);
  const markers = eventMarkers(report);
  const xAxis = { kind: 'seconds', origin: reportOrigin(report) } as const;
  const success: Series = {
    name: 'success rate',
    color: '#2563eb',
    points: windows.map((w) => ({ t: w.start, v: w.successRate })),
  };
  const latency: Series = {
    name: 'p99 latency',
    color: '#d97706',
    points: windows.map((w) => ({ t: w.start, v: w.p99Ms })),
  };
  const seen = [...new Set(windows.flatMap((w) => Object.keys(w.byRegion)))];
  const colors = nameColors([...report.topology.regions, ...seen]);
  const regions = [
    ...report.topology.regions.filter((r) => seen.includes(r)),
    ...seen.filter((r) => !report.topology.regions.includes(r)).sort(),
  ];
  const share: Series[] = regions.map((region) => ({
    name: region,
    color: colors.get(region)!,
    points: windows.map((w) => {
      const total = Object.values(w.byRegion).reduce((a, b) => a + b, 0);
      return { t: w.start, v: total > 0 ? (w.byRegion[region] ?? 0) / total : 0 };
    }),
  }));
  return [
    renderChart({
      title: 'Success rate per window',
      yLabel: 'success',
      series: [success],
      bands,
      markers,
      xAxis,
      yMin: 0,
      yMax: 1,
      formatY: (v) => `${(v * 100).toFixed(0)}%`,
    }),
    renderChart({
      title: 'p99 latency per window (from intended start)',
      yLabel: 'ms',
      series: [latency],
      bands,
      markers,
      xAxis,
    }),
    renderChart({
      title: 'Traffic share per serving region',
      yLabel: 'share',
      series: share,
      bands,
      markers,
      xAxis,
      stacked: true,
      yMin: 0,
      yMax: 1,
      formatY: (v) => `${(v * 100).toFixed(0)}%`,
    }),
  ].join('\n');
}

/** The metrics on the cards at the top. */
const CARD_METRICS: readonly MetricName[] = [
  'payments',
  'payments_succeeded',
  'payments_declined',
  'unresolved_payments',
  'mttr_s',
  'outage_s',
  'detection_s',
  'rpo_s',
  'success_rate',
  'p99_ms',
  'anomalies',
];

function evidenceHtml(tables: EvidenceTables): string {
  const table = (columns: string[], rows: string[][]) =>
    `<table class="evidence"><tr>${columns.map((c) => `<th>${escapeXml(c)}</th>`).join('')}</tr>${rows
      .map((r) => `<tr>${r.map((c) => `<td>${escapeXml(c)}</td>`).join('')}</tr>`)
      .join('')}</table>`;
  return [
    tables.facts.length > 0 ? `<p>${escapeXml(tables.facts.join(' · '))}</p>` : '',
    tables.attempts.length > 0 ? table(ATTEMPT_COLUMNS, tables.attempts) : '',
    tables.ledger.length > 0 ? table(LEDGER_COLUMNS, tables.ledger) : '',
    ...tables.other.map((o) => `<p><code>${escapeXml(o)}</code></p>`),
  ].join('');
}

export function renderHtml(report: RunReport): string {
  const { run, verdict } = report;
  const m = verdict?.metrics ?? {};
  const top = headline(report);
  const card = (label: string, value: string) =>
    `<div class="card"><b>${escapeXml(value)}</b><span>${escapeXml(label)}</span></div>`;
  const notMeasured = CARD_METRICS.flatMap((name) => {
    const why = verdict ? notMeasuredReason(verdict, name) : undefined;
    return why === undefined ? [] : [`<li><code>${name}</code> not measured: ${escapeXml(why)}</li>`];
  }).join('');
  const origin = reportOrigin(report);
  const gates = report.gates
    .map(
      (g) =>
        `<tr><td><code>${escapeXml(g.gate)}</code></td><td>${escapeXml(formatNumber(g.actual))}</td><td class="${g.passed ? 'pass' : 'fail'}">${g.passed ? 'pass' : escapeXml(`fail: ${g.reason}`)}</td></tr>`,
    )
    .join('');
  const checkers = (verdict?.checkers ?? [])
    .map(
      (c) =>
        `<tr><td>${escapeXml(c.name)}</td><td class="${c.passed ? 'pass' : 'fail'}">${c.passed ? 'pass' : 'fail'}</td><td>${escapeXml(c.summary)}</td></tr>`,
    )
    .join('');
  const anomalies = (verdict?.checkers ?? [])
    .flatMap((c) => c.anomalies)
    .filter((a) => a.count > 0)
    .map(
      (a) =>
        `<h3>${escapeXml(a.type)} (${a.count})</h3>` +
        a.examples
          .map(
            (e) =>
              `<details><summary>${escapeXml(e.message)}</summary>${evidenceHtml(evidenceTables(e.evidence, origin))}</details>`,
          )
          .join(''),
    )
    .join('');
  const timeline = [
    ...report.phases.map((p) => ({ time: p.start, text: `phase ${p.name}`, details: [] as string[] })),
    ...report.events
      .filter((e) => e.type !== 'phase')
      .map((e) => ({ time: e.time, ...eventText(e, origin) })),
  ]
    .sort((a, b) => a.time - b.time)
    .slice(0, 300)
    .map(
      (e) =>
        `<tr><td>${escapeXml(relativeSeconds(e.time, origin))}</td><td>${escapeXml(e.text)}${
          e.details.length > 0
            ? `<details><summary>details</summary>${e.details.map((d) => `<div>${escapeXml(d)}</div>`).join('')}</details>`
            : ''
        }</td></tr>`,
    )
    .join('');
  const faults = faultRows(report)
    .map(
      (f) =>
        `<tr>${[f.fault, f.scheduled, f.applied, f.late, f.reverted].map((c) => `<td>${escapeXml(c)}</td>`).join('')}</tr>`,
    )
    .join('');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>chaosbank ${escapeXml(run.scenario.name)} ${escapeXml(run.status)}</title><style>${REPORT_CSS}</style></head>
<body><main>
<h1>${escapeXml(run.scenario.name)} — <span class="status-${run.status}">${escapeXml(run.status.toUpperCase())}</span></h1>
<div class="meta">run ${escapeXml(run.id)} · ${escapeXml(run.startedAt)} · driver ${escapeXml(run.driver)} · seed ${run.seed} · ${escapeXml(report.topology.regions.join(', '))} (primary ${escapeXml(report.topology.primary)}, ${escapeXml(report.topology.replication)})${report.topology.bugs.length ? ` · seeded bugs: ${escapeXml(report.topology.bugs.join(', '))}` : ''}</div>
${run.reason ? `<p class="fail">${escapeXml(run.reason)}</p>` : ''}
<p id="headline" class="headline">${escapeXml(top.payments)}</p>
<p id="attempts" class="meta">${escapeXml(top.attempts)}</p>
<div class="cards">${card('payments succeeded', formatNumber(m.payments_succeeded))}${card('declined', formatNumber(m.payments_declined))}${card('unresolved', formatNumber(m.unresolved_payments))}${card('MTTR (s)', formatNumber(m.mttr_s))}${card('outage (s)', formatNumber(m.outage_s))}${card('detection (s)', formatNumber(m.detection_s))}${card('RPO (s)', formatNumber(m.rpo_s))}${card('attempt success', formatPercent(m.success_rate))}${card('p99 (ms)', formatNumber(m.p99_ms, 0))}${card('anomalies', formatNumber(m.anomalies))}</div>
${notMeasured ? `<ul id="not-measured">${notMeasured}</ul>` : ''}
${stepsHtml(report.steps)}<h2>Over time</h2>
${renderCharts(report)}
<h2>Gates</h2>
${gates ? `<table id="gates"><tr><th>gate</th><th>actual</th><th>result</th></tr>${gates}</table>` : '<p>No gates.</p>'}
<h2>Checkers</h2>
${checkers ? `<table id="checkers"><tr><th>checker</th><th>result</th><th>summary</th></tr>${checkers}</table>` : '<p>No verdict (the run stopped before checking).</p>'}
${anomalies ? `<h2>Anomalies</h2>${anomalies}` : ''}
${faults ? `<h2>Faults</h2><table id="faults"><tr><th>fault</th><th>scheduled</th><th>applied</th><th>late</th><th>reverted</th></tr>${faults}</table>` : ''}
<h2>Timeline</h2>
<p class="meta">t = 0 is the run's start (${escapeXml(run.startedAt)}); the charts use the same clock.</p>
<table id="timeline"><tr><th>time</th><th>event</th></tr>${timeline}</table>
</main></body></html>
`;
}

export const htmlReporter: Reporter = {
  name: 'html',
  async write(report, outDir) {
    const file = join(outDir, 'report.html');
    await writeFile(file, renderHtml(report));
    return [file];
  },
};
