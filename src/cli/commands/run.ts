import type { Command } from 'commander';
import { DEFAULT_DRIVER, DRIVER_NAMES } from '../../../drivers/registry.js';
import { InputError, ExitCode } from '../../contract/errors.js';
import { action } from '../action.js';
import { HISTORY_FLAG_HELP, parseHistoryFlag } from '../history-flag.js';
import { reapOwnerlessStacks } from '../reap-ownerless.js';
import { shippedFileArgument } from '../shipped-file.js';
import { printError, printJson, printLine, stderrColors, stdoutColors } from '../output.js';

interface RunCliOptions {
  driver: string;
  out?: string;
  seed?: string;
  toxiproxyUrl?: string;
  load?: string;
  history?: string;
  quiet?: boolean;
  json?: boolean;
}

function parseSeed(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  if (!/^\d{1,15}$/.test(text))
    throw new InputError('BAD_FLAG', `--seed must be a non-negative integer, got "${text}"`, {
      details: ['e.g. --seed 42'],
    });
  return Number(text);
}

export function registerRun(program: Command): void {
  program
    .command('run <scenario>')
    .description('Run a scenario end to end: deploy, load, faults, heal, check, gate, report')
    .option('--driver <name>', `where the stack runs: ${DRIVER_NAMES.join(', ')}`, DEFAULT_DRIVER)
    .option('--out <dir>', 'report folder (default reports/<run-id>/)')
    .option('--seed <n>', 'seed for the workload, so a run can be reproduced (default: random, recorded)')
    .option('--toxiproxy-url <url>', 'use this real Toxiproxy API instead of the embedded server')
    .option('--load <engine>', 'load engine override: embedded or k6')
    .option('--history <format>', HISTORY_FLAG_HELP)
    .option('--quiet', 'no live progress on stderr')
    .option('--json', 'print the summary as one JSON object on stdout')
    .addHelpText(
      'after',
      '\nExit codes: 0 all gates passed · 1 a gate failed, an ungated anomaly or an abort condition · 2 bad scenario or flags · 3 infrastructure · 130 interrupted (partial report written)',
    )
    .action(
      action(async (scenarioPath: string, opts: RunCliOptions) => {
        if (opts.load !== undefined && opts.load !== 'embedded' && opts.load !== 'k6')
          throw new InputError('BAD_FLAG', `--load must be embedded or k6, got "${opts.load}"`);
        if (opts.toxiproxyUrl !== undefined && !/^https?:\/\/[^/]+/.test(opts.toxiproxyUrl))
          throw new InputError(
            'BAD_FLAG',
            `--toxiproxy-url must be an http:// URL, got "${opts.toxiproxyUrl}"`,
            {
              details: ['e.g. --toxiproxy-url http://127.0.0.1:8474'],
            },
          );
        const seed = parseSeed(opts.seed);
        const history = parseHistoryFlag(opts.history);
        await reapOwnerlessStacks();
        const { runScenario, runSummary, formatRunSummary } = await import('../../run/index.js');
        const { reportRenderers } = await import('../../report/renderers.js');
        const abort = new AbortController();
        const onSignal = (): void => {
          if (!abort.signal.aborted)
            printError(stderrColors.yellow('interrupted: tearing down (partial report follows)'));
          abort.abort();
        };
        process.on('SIGINT', onSignal);
        process.on('SIGTERM', onSignal);
        try {
          const result = await runScenario({
            scenarioPath: shippedFileArgument(scenarioPath, 'scenario'),
            driver: opts.driver,
            ...(opts.out === undefined ? {} : { out: opts.out }),
            ...(seed === undefined ? {} : { seed }),
            ...(opts.toxiproxyUrl === undefined ? {} : { toxiproxyUrl: opts.toxiproxyUrl }),
            ...(opts.load === undefined ? {} : { loadEngine: opts.load }),
            ...(history === undefined ? {} : { history }),
            signal: abort.signal,
            progress: process.stderr,
            quiet: opts.quiet === true,
            reporters: reportRenderers(
              process.env.GITHUB_STEP_SUMMARY ? { stepSummaryPath: process.env.GITHUB_STEP_SUMMARY } : {},
            ),
          });
          const summary = runSummary(result);
          if (opts.json === true) printJson(summary);
          else printLine(formatRunSummary(summary, stdoutColors));
          return abort.signal.aborted ? ExitCode.interrupted : result.exitCode;
        } finally {
          process.off('SIGINT', onSignal);
          process.off('SIGTERM', onSignal);
        }
      }),
    );
}
