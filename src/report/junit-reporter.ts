/**
 * junit.xml: a testcase per gate and per checker, failures carrying their evidence. Read by GitHub
 * Actions (test-reporting actions), GitLab (`artifacts:reports:junit`) and Jenkins.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Reporter } from '../run/reporter.js';
import type { RunReport } from '../run/run-report.js';
import { anomalyText } from './format.js';
import { stepCases } from './steps.js';
import { escapeXml } from './xml.js';

interface TestCase {
  name: string;
  classname: string;
  timeSeconds: number;
  failure?: { message: string; body: string };
  error?: { message: string; body: string };
  skipped?: string;
}

function suite(name: string, cases: TestCase[]): string {
  const failures = cases.filter((c) => c.failure).length;
  const errors = cases.filter((c) => c.error).length;
  const skipped = cases.filter((c) => c.skipped !== undefined).length;
  const time = cases.reduce((sum, c) => sum + c.timeSeconds, 0);
  const body = cases
    .map((c) => {
      const open = `    <testcase name="${escapeXml(c.name)}" classname="${escapeXml(c.classname)}" time="${c.timeSeconds.toFixed(3)}"`;
      const problem = c.failure ?? c.error;
      if (!problem && c.skipped !== undefined)
        return `${open}>\n      <skipped message="${escapeXml(c.skipped)}"/>\n    </testcase>`;
      if (!problem) return `${open}/>`;
      const tag = c.failure ? 'failure' : 'error';
      return `${open}>\n      <${tag} message="${escapeXml(problem.message)}">${escapeXml(problem.body)}</${tag}>\n    </testcase>`;
    })
    .join('\n');
  return `  <testsuite name="${escapeXml(name)}" tests="${cases.length}" failures="${failures}" errors="${errors}"${skipped > 0 ? ` skipped="${skipped}"` : ''} time="${time.toFixed(3)}">\n${body}\n  </testsuite>`;
}

export function renderJunit(report: RunReport): string {
  const classname = `chaosbank.${report.run.scenario.name}`;
  const runSeconds = report.run.durationMs / 1000;
  const runCases: TestCase[] = [];
  if (report.run.status !== 'passed' && report.run.status !== 'failed')
    runCases.push({
      name: 'run completed',
      classname,
      timeSeconds: runSeconds,
      error: { message: `run ${report.run.status}`, body: report.run.reason ?? '' },
    });
  const gateCases: TestCase[] = report.gates.map((g) => ({
    name: `gate: ${g.gate}`,
    classname: `${classname}.gates`,
    timeSeconds: 0,
    ...(g.passed
      ? {}
      : {
          failure: {
            message: g.reason,
            body: `actual: ${g.actual === null ? 'not measured' : String(g.actual)}\nthreshold: ${g.op} ${g.threshold}`,
          },
        }),
  }));
  const checkerCases: TestCase[] = (report.verdict?.checkers ?? []).map((c) => ({
    name: `checker: ${c.name}`,
    classname: `${classname}.checkers`,
    timeSeconds: 0,
    ...(c.passed
      ? {}
      : {
          failure: {
            message: c.summary,
            body: c.anomalies
              .map((a) => `${a.type}: ${a.count}\n\n${a.examples.map(anomalyText).join('\n\n')}`)
              .join('\n\n'),
          },
        }),
  }));
  const suites = [
    runCases.length > 0 ? suite(`${report.run.scenario.name} run`, runCases) : '',
    suite(`${report.run.scenario.name} gates`, gateCases),
    suite(`${report.run.scenario.name} checkers`, checkerCases),
    ...(report.steps && report.steps.length > 0
      ? [
          suite(
            `${report.run.scenario.name} steps`,
            stepCases(report.steps).map((c) => ({ ...c, classname: `${classname}.steps` })),
          ),
        ]
      : []),
  ].filter(Boolean);
  return `<?xml version="1.0" encoding="UTF-8"?>\n<testsuites name="chaosbank ${escapeXml(report.run.id)}" time="${runSeconds.toFixed(3)}">\n${suites.join('\n')}\n</testsuites>\n`;
}

export const junitReporter: Reporter = {
  name: 'junit',
  async write(report, outDir) {
    const file = join(outDir, 'junit.xml');
    await writeFile(file, renderJunit(report));
    return [file];
  },
};
