/** summary.md: the run at a glance for people and for `$GITHUB_STEP_SUMMARY`. */
import { appendFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Reporter } from '../run/reporter.js';
import type { RunReport } from '../run/run-report.js';
import { notMeasuredReason } from '../checks/not-measured.js';
import { faultRows } from './fault-rows.js';
import { formatNumber, formatPercent, NOT_MEASURED, relativeSeconds, reportOrigin } from './format.js';
import { eventText } from './event-text.js';
import { ATTEMPT_COLUMNS, evidenceTables, LEDGER_COLUMNS, type EvidenceTables } from './evidence-table.js';
import { stepsMarkdown } from './steps.js';
import { headline } from './headline.js';

const HEADLINE_METRICS = [
  'payments',
  'payments_succeeded',
  'payments_declined',
  'unresolved_payments',
  'attempts_per_payment',
  'mttr_s',
  'outage_s',
  'detection_s',
  'rpo_s',
  'success_rate',
  'p99_ms',
  'anomalies',
] as const;

function cell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}

function evidenceMarkdown(tables: EvidenceTables): string[] {
  const lines: string[] = [];
  const table = (columns: string[], rows: string[][]) => [
    `| ${columns.join(' | ')} |`,
    `|${columns.map(() => '---').join('|')}|`,
    ...rows.map((r) => `| ${r.map(cell).join(' | ')} |`),
    '',
  ];
  if (tables.facts.length > 0) lines.push(cell(tables.facts.join(' · ')), '');
  if (tables.attempts.length > 0) lines.push(...table(ATTEMPT_COLUMNS, tables.attempts));
  if (tables.ledger.length > 0) lines.push(...table(LEDGER_COLUMNS, tables.ledger));
  for (const other of tables.other) lines.push(`- ${cell(other)}`);
  if (tables.other.length > 0) lines.push('');
  return lines;
}

export function renderMarkdown(report: RunReport): string {
  const { run, verdict } = report;
  const icon = run.status === 'passed' ? '✅' : '❌';
  const lines: string[] = [
    `# ${icon} ${run.scenario.name}: ${run.status.toUpperCase()}`,
    '',
    `Run \`${run.id}\` · driver ${run.driver} · seed ${run.seed} · ${(run.durationMs / 1000).toFixed(1)} s · ` +
      `${report.topology.regions.join(', ')} (primary ${report.topology.primary}, ${report.topology.replication} replication)` +
      (report.topology.bugs.length > 0 ? ` · seeded bugs: ${report.topology.bugs.join(', ')}` : ''),
    '',
  ];
  if (report.topology.network !== undefined) lines.push(`Network: ${report.topology.network}`, '');
  if (run.reason) lines.push(`> ${run.reason}`, '');

  const top = headline(report);
  lines.push(`**${top.payments}**`, '', top.attempts, '');
  if (verdict) {
    lines.push('| metric | value |', '|---|---|');
    for (const name of HEADLINE_METRICS) {
      const value = verdict.metrics[name];
      const why = notMeasuredReason(verdict, name);
      const text =
        why !== undefined
          ? `${NOT_MEASURED}: ${why}`
          : name === 'success_rate'
            ? formatPercent(value)
            : formatNumber(value);
      lines.push(`| ${name} | ${cell(text)} |`);
    }
    lines.push('');
  }
  const steps = stepsMarkdown(report.steps);
  if (steps !== '') lines.push(steps.trimEnd(), '');

  if (report.gates.length > 0) {
    lines.push('## Gates', '', '| gate | actual | result |', '|---|---|---|');
    for (const g of report.gates)
      lines.push(
        `| \`${cell(g.gate)}\` | ${formatNumber(g.actual)} | ${g.passed ? '✅ pass' : `❌ ${cell(g.reason)}`} |`,
      );
    lines.push('');
  }

  if (verdict) {
    lines.push('## Checkers', '', '| checker | result | summary |', '|---|---|---|');
    for (const c of verdict.checkers)
      lines.push(`| ${c.name} | ${c.passed ? '✅' : '❌'} | ${cell(c.summary)} |`);
    lines.push('');
    const anomalies = verdict.checkers.flatMap((c) => c.anomalies).filter((a) => a.count > 0);
    if (anomalies.length > 0) {
      lines.push('## Anomalies', '');
      for (const a of anomalies) {
        lines.push(`### ${a.type} (${a.count})`, '');
        a.examples.slice(0, 3).forEach((example, n) => {
          lines.push(`**Example ${n + 1}.** ${cell(example.message)}`, '');
          lines.push(...evidenceMarkdown(evidenceTables(example.evidence, reportOrigin(report))));
        });
      }
    }
  }

  if (report.faults.length > 0) {
    lines.push('## Faults', '', '| fault | scheduled | applied | late | reverted |', '|---|---|---|---|---|');
    for (const f of faultRows(report))
      lines.push(`| ${cell(f.fault)} | ${f.scheduled} | ${f.applied} | ${f.late} | ${f.reverted} |`);
    lines.push('');
  }

  const origin = reportOrigin(report);
  if (report.faults.length > 0 || report.events.length > 0) {
    lines.push('## Timeline', '', `t = 0 is the run's start (${run.startedAt}).`, '');
    const entries = [
      ...report.phases.map((p) => ({ time: p.start, text: `phase **${p.name}**` })),
      ...report.events
        .filter((e) => e.type !== 'phase')
        .map((e) => ({ time: e.time, text: eventText(e, origin).text })),
    ].sort((a, b) => a.time - b.time);
    for (const e of entries.slice(0, 200)) lines.push(`- ${relativeSeconds(e.time, origin)} ${cell(e.text)}`);
    lines.push('');
  }
  return `${lines.join('\n')}\n`;
}

export function markdownReporter(options: { stepSummaryPath?: string } = {}): Reporter {
  return {
    name: 'markdown',
    async write(report, outDir) {
      const file = join(outDir, 'summary.md');
      const text = renderMarkdown(report);
      await writeFile(file, text);
      if (options.stepSummaryPath) await appendFile(options.stepSummaryPath, text);
      return [file];
    },
  };
}
