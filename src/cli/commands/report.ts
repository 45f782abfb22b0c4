import type { Command } from 'commander';
import { join, resolve } from 'node:path';
import { action } from '../action.js';
import { printJson, printLine, stdoutColors } from '../output.js';

interface ReportCliOptions {
  out?: string;
  json?: boolean;
}

export function registerReport(program: Command): void {
  program
    .command('report <run-dir...>')
    .description('Re-render reports of one or more run directories; compare several')
    .option(
      '--out <dir>',
      'one run: where to write its reports (default: the run folder); several: where compare.{html,md,json} go (default reports/compare-<time>/)',
    )
    .option('--json', 'print what was written (and the comparison) as JSON on stdout')
    .action(
      action(async (runDirs: string[], opts: ReportCliOptions) => {
        const { rerenderReports } = await import('../../report/rerender.js');
        const stamp = new Date().toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
        const result = await rerenderReports(runDirs, {
          ...(opts.out === undefined
            ? runDirs.length > 1
              ? { out: resolve(join('reports', `compare-${stamp}`)) }
              : {}
            : { out: resolve(opts.out) }),
        });
        if (opts.json === true) {
          printJson(result);
          return;
        }
        const c = stdoutColors;
        for (const run of result.runs) {
          if (run.rechecked === undefined) {
            printLine(`${c.green('rendered')} ${run.runId} (${run.status}) -> ${run.outDir}`);
            continue;
          }
          printLine(`${c.yellow('re-checked')} ${run.runId} (${c.red(run.status)}) -> ${run.outDir}`);
          printLine(`  ${run.rechecked.reason}`);
        }
        if (result.comparison) {
          const { regressions } = result.comparison;
          printLine(
            `${c.green('compared')} ${result.runs.length} runs -> ${result.comparisonDir}/compare.html` +
              (regressions.length > 0
                ? c.red(` (${regressions.length} regression(s) against the baseline)`)
                : ' (no regression)'),
          );
          for (const r of regressions) printLine(`  ${c.red('regression')} ${r.runId}: ${r.reason}`);
        }
      }),
    );
}
