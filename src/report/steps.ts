/**
 * A drill's steps (per-step timing against its target) in every format. Part of the one report model:
 * the Markdown, HTML and JUnit renderers show them whenever a report carries steps, so a drill's report
 * re-rendered by `chaosbank report <dir>` keeps its steps table.
 */
import type { DrillStepRecord } from '../run/run-report.js';
import { escapeXml } from './xml.js';

const secs = (ms: number | undefined): string => (ms === undefined ? '—' : `${(ms / 1000).toFixed(2)} s`);
const ICON: Record<DrillStepRecord['status'], string> = { passed: '✅', failed: '❌', skipped: '⏭️' };

/** The `## Drill steps` section, or '' when there are none. */
export function stepsMarkdown(steps: readonly DrillStepRecord[] | undefined): string {
  if (!steps || steps.length === 0) return '';
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
  return `${lines.join('\n')}\n\n`;
}

/** The steps table, or '' when there are none. */
export function stepsHtml(steps: readonly DrillStepRecord[] | undefined): string {
  if (!steps || steps.length === 0) return '';
  const rows = steps
    .map(
      (s) =>
        `<tr><td>${s.index}</td><td>${escapeXml(s.title)}</td><td>${escapeXml(s.kind)}</td><td>${secs(s.durationMs)}</td><td>${secs(s.targetMs)}</td><td class="${s.status === 'failed' ? 'fail' : 'pass'}">${s.status}</td><td>${escapeXml(s.detail ?? '')}</td></tr>`,
    )
    .join('');
  return `<h2>Drill steps</h2>\n<table id="steps"><tr><th>#</th><th>step</th><th>kind</th><th>time</th><th>target</th><th>result</th><th>detail</th></tr>${rows}</table>\n`;
}

export interface StepCase {
  name: string;
  timeSeconds: number;
  failure?: { message: string; body: string };
  skipped?: string;
}

/** One JUnit testcase per step: failed steps fail, skipped steps are skipped. */
export function stepCases(steps: readonly DrillStepRecord[] | undefined): StepCase[] {
  return (steps ?? []).map((s) => ({
    name: `step ${s.index}: ${s.title}`,
    timeSeconds: s.durationMs / 1000,
    ...(s.status === 'failed'
      ? {
          failure: {
            message: s.detail ?? 'failed',
            body: `${s.kind} step, target ${secs(s.targetMs)}, took ${secs(s.durationMs)}`,
          },
        }
      : {}),
    ...(s.status === 'skipped' ? { skipped: s.detail ?? '' } : {}),
  }));
}
