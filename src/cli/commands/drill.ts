import type { Command } from 'commander';
import { DEFAULT_DRIVER, DRIVER_NAMES } from '../../../drivers/registry.js';
import { ExitCode, InputError } from '../../contract/errors.js';
import { action } from '../action.js';
import { HISTORY_FLAG_HELP, parseHistoryFlag } from '../history-flag.js';
import { shippedFileArgument } from '../shipped-file.js';
import { printError, printJson, printLine, stderrColors, stdoutColors } from '../output.js';

interface DrillCliOptions {
  auto?: boolean;
  driver: string;
  out?: string;
  seed?: string;
  history?: string;
  json?: boolean;
}

/** Asks on the terminal: the prompt goes to stderr, the answer comes from stdin. */
async function terminalConfirm(prompt: string): Promise<boolean> {
  const { createInterface } = await import('node:readline/promises');
  const rl = createInterface({ input: process.stdin, output: process.stderr, terminal: true });
  try {
    const answer = await rl.question(`${stderrColors.bold('CONFIRM')} ${prompt} [y/N] `);
    return /^\s*y(es)?\s*$/i.test(answer);
  } finally {
    rl.close();
  }
}

export function registerDrill(program: Command): void {
  program
    .command('drill <runbook>')
    .description('Execute a DR runbook against the stack and write a drill report')
    .option('--auto', 'skip manual confirmations (for schedulers); they are recorded as skipped-by-auto')
    .option('--driver <name>', `where the stack runs: ${DRIVER_NAMES.join(', ')}`, DEFAULT_DRIVER)
    .option('--out <dir>', 'report directory (default reports/<run-id>/)')
    .option('--seed <n>', 'seed of the background payment load (default random, recorded in the report)')
    .option('--history <format>', HISTORY_FLAG_HELP)
    .option('--json', 'print report.json on stdout instead of the summary')
    .action(
      action(async (runbookPath: string, opts: DrillCliOptions) => {
        let seed: number | undefined;
        if (opts.seed !== undefined) {
          seed = Number(opts.seed);
          if (!Number.isInteger(seed) || seed < 0)
            throw new InputError('BAD_FLAG', `--seed must be a non-negative integer, got "${opts.seed}"`);
        }
        const history = parseHistoryFlag(opts.history);
        const { runDrill } = await import('../../drill/run-drill.js');
        const interactive = opts.auto !== true && process.stdin.isTTY === true;
        const abort = new AbortController();
        let signals = 0;
        const onSignal = () => {
          signals++;
          if (signals === 1)
            printError(
              stderrColors.yellow('interrupted: rolling back and tearing down (Ctrl-C again to force)'),
            );
          else process.exit(ExitCode.interrupted);
          abort.abort();
        };
        process.on('SIGINT', onSignal);
        process.on('SIGTERM', onSignal);
        try {
          const result = await runDrill({
            runbookPath: shippedFileArgument(runbookPath, 'runbook'),
            auto: opts.auto === true,
            driver: opts.driver,
            ...(opts.out !== undefined ? { out: opts.out } : {}),
            ...(seed !== undefined ? { seed } : {}),
            ...(history !== undefined ? { history } : {}),
            ...(interactive ? { confirm: terminalConfirm } : {}),
            signal: abort.signal,
            log: (line) => printError(stderrColors.dim(line)),
            ...(process.env.GITHUB_STEP_SUMMARY ? { stepSummaryPath: process.env.GITHUB_STEP_SUMMARY } : {}),
          });
          for (const r of result.reporters.filter((o) => o.error !== undefined))
            printError(stderrColors.yellow(`reporter ${r.reporter} failed: ${r.error}`));
          if (opts.json) printJson(result.report);
          else {
            const c = stdoutColors;
            const { run, steps, gates } = result.report;
            const head = run.status === 'passed' ? c.green('PASSED') : c.red(run.status.toUpperCase());
            printLine(
              `${head} drill ${c.bold(run.scenario.name)} in ${(run.durationMs / 1000).toFixed(1)} s`,
            );
            for (const g of gates)
              printLine(
                `  ${g.passed ? c.green('✓') : c.red('✗')} target ${g.gate} (${g.actual === null ? g.reason : `actual ${g.actual}`})`,
              );
            const failed = (steps ?? []).filter((s) => s.status === 'failed');
            for (const s of failed)
              printLine(`  ${c.red('✗')} step #${s.index} ${s.title}: ${s.detail ?? ''}`);
            if (run.reason) printLine(`  ${run.reason}`);
            printLine(`  report: ${result.outDir}/summary.md, report.html, report.json, junit.xml`);
          }
          return result.exitCode;
        } finally {
          process.off('SIGINT', onSignal);
          process.off('SIGTERM', onSignal);
        }
      }),
    );
}
