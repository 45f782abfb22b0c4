import type { Command } from 'commander';
import type { DownResult } from '../../../drivers/driver.js';
import { availableDrivers } from '../../../drivers/registry.js';
import { action } from '../action.js';
import { printJson, printLine, stdoutColors } from '../output.js';

export function registerDown(program: Command): void {
  program
    .command('down')
    .description('Stop a stack started by up and reap what a crashed run left behind')
    .option('--run-id <id>', 'stop only this stack (default: every stack registered in $CHAOSBANK_HOME)')
    .option('--json', 'print the result as JSON')
    .action(
      action(async (opts: { runId?: string; json?: boolean }) => {
        const results: DownResult[] = [];
        for (const driver of await availableDrivers()) results.push(...(await driver.down(opts.runId)));
        if (opts.json) {
          printJson({ stopped: results });
          return results.some((r) => r.report.problems.length > 0) ? 3 : 0;
        }
        const c = stdoutColors;
        if (results.length === 0) printLine('no stack is running; nothing to stop');
        for (const r of results) {
          const what =
            r.outcome === 'reaped'
              ? 'reaped leftovers of crashed stack'
              : r.outcome === 'gone'
                ? 'cleared stale entry'
                : 'stopped';
          printLine(`${c.green('down')} ${what} ${c.bold(r.runId)} (run dir kept: ${r.runDir})`);
          for (const p of r.report.problems) printLine(c.red(`  problem: ${p}`));
        }
        return results.some((r) => r.report.problems.length > 0) ? 3 : 0;
      }),
    );
}
