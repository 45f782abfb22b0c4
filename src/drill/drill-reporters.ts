/**
 * Drill reports: the run reporters' output plus the steps table (per-step timings against targets).
 * Composed from src/report's renderers so drills and runs look alike.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { jsonReporter } from '../run/json-reporter.js';
import { escapeXml, renderJunit } from '../report/junit-reporter.js';
import { renderHtml } from '../report/html-reporter.js';
import { renderMarkdown } from '../report/markdown-reporter.js';
import type { Reporter } from '../run/reporter.js';
import type { DrillStepRecord, RunReport } from '../run/run-report.js';

const secs = (ms: number | undefined): string => (ms === undefined ? '—' : `${(ms / 1000).toFixed(2)} s`);
const ICON: Record<DrillStepRecord['status'], string> = { passed: '✅', failed: '❌', skipped: '⏭️' };

export function renderStepsMarkdown(steps: readonly DrillStepRecord[]): string {
  const cell = (t: string) => t.replace(/\|/g, '\\|').replace(/\n/g, ' ');
  const lines = [
    '## Drill steps',
    '',
    '| # | step | kind | time | target | result | detail |',
    '|---|---|---|---|---|---|---|',
  ];
  for (const s of steps)
    lines.push(
      `| ${s.index} | ${cell(s.title)} | ${s.kind} | ${secs(s.durationMs)} | ${secs(s.targetMs)} | ${ICON[s.status]} ${s.status} | ${cell(s.detail ?? '')} |`,
    );
  return `${lines.join('\n')}\n`;
}

export function renderDrillMarkdown(report: RunReport): string {
  const base = renderMarkdown(report);
  const cut = base.indexOf('\n## ');
  const steps = renderStepsMarkdown(report.steps ?? []);
  // Steps right after the headline metrics: they are what a drill is about.
  return cut < 0 ? `${base}\n${steps}` : `${base.slice(0, cut + 1)}${steps}\n${base.slice(cut + 1)}`;
}

export function renderStepsHtml(steps: readonly DrillStepRecord[]): string {
  const rows = steps
    .map(
      (s) =>
        `<tr><td>${s.index}</td><td>${escapeXml(s.title)}</td><td>${escapeXml(s.kind)}</td><td>${secs(s.durationMs)}</td><td>${secs(s.targetMs)}</td><td class="${s.status === 'failed' ? 'fail' : 'pass'}">${s.status}</td><td>${escapeXml(s.detail ?? '')}</td></tr>`,
    )
    .join('');
  return `<h2>Drill steps</h2>\n<table id="steps"><tr><th>#</th><th>step</th><th>kind</th><th>time</th><th>target</th><th>result</th><th>detail</th></tr>${rows}</table>\n`;
}

export function renderDrillHtml(report: RunReport): string {
  const html = renderHtml(report);
  const at = html.indexOf('<h2>Over time</h2>');
  const steps = renderStepsHtml(report.steps ?? []);
  return at < 0
    ? html.replace('</main>', `${steps}</main>`)
    : `${html.slice(0, at)}${steps}${html.slice(at)}`;
}

export function renderDrillJunit(report: RunReport): string {
  const base = renderJunit(report);
  const steps = report.steps ?? [];
  const cases = steps
    .map((s) => {
      const open = `    <testcase name="${escapeXml(`step ${s.index}: ${s.title}`)}" classname="${escapeXml(`chaosbank.${report.run.scenario.name}.steps`)}" time="${(s.durationMs / 1000).toFixed(3)}"`;
      if (s.status === 'passed') return `${open}/>`;
      if (s.status === 'skipped')
        return `${open}>\n      <skipped message="${escapeXml(s.detail ?? '')}"/>\n    </testcase>`;
      return `${open}>\n      <failure message="${escapeXml(s.detail ?? 'failed')}">${escapeXml(`${s.kind} step, target ${secs(s.targetMs)}, took ${secs(s.durationMs)}`)}</failure>\n    </testcase>`;
    })
    .join('\n');
  const failures = steps.filter((s) => s.status === 'failed').length;
  const skipped = steps.filter((s) => s.status === 'skipped').length;
  const suite = `  <testsuite name="${escapeXml(`${report.run.scenario.name} steps`)}" tests="${steps.length}" failures="${failures}" errors="0" skipped="${skipped}" time="${(steps.reduce((n, s) => n + s.durationMs, 0) / 1000).toFixed(3)}">\n${cases}\n  </testsuite>\n`;
  return base.replace('</testsuites>', `${suite}</testsuites>`);
}

const fileReporter = (name: string, file: string, render: (r: RunReport) => string): Reporter => ({
  name,
  async write(report, outDir) {
    const path = join(outDir, file);
    await writeFile(path, render(report));
    return [path];
  },
});

export function drillReporters(options: { stepSummaryPath?: string } = {}): Reporter[] {
  const markdown = fileReporter('markdown', 'summary.md', renderDrillMarkdown);
  return [
    jsonReporter,
    options.stepSummaryPath === undefined
      ? markdown
      : {
          name: 'markdown',
          async write(report, outDir) {
            const files = await markdown.write(report, outDir);
            const { appendFile } = await import('node:fs/promises');
            await appendFile(options.stepSummaryPath!, renderDrillMarkdown(report));
            return files;
          },
        },
    fileReporter('html', 'report.html', renderDrillHtml),
    fileReporter('junit', 'junit.xml', renderDrillJunit),
  ];
}
