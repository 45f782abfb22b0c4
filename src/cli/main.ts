/**
 * The chaosbank CLI: parses flags, calls the library, maps errors to exit codes. Command modules
 * import their library code lazily inside their actions so that `--help` starts fast.
 */
import { Command, CommanderError } from 'commander';
import { VERSION } from '../version.js';
import { ExitCode } from '../contract/errors.js';
import { printError, stderrColors } from './output.js';
import { registerValidate } from './commands/validate.js';
import { registerRun } from './commands/run.js';
import { registerUp } from './commands/up.js';
import { registerDown } from './commands/down.js';
import { registerStatus } from './commands/status.js';
import { registerFault } from './commands/fault.js';
import { registerHeal } from './commands/heal.js';
import { registerDrill } from './commands/drill.js';
import { registerReport } from './commands/report.js';
import { registerToxiproxy } from './commands/toxiproxy.js';

export function buildProgram(): Command {
  const program = new Command('chaosbank')
    .description(
      'Multi-region resilience and chaos testing for payment stacks: load, faults and money checks on one timeline.',
    )
    .version(VERSION, '-V, --version')
    .showHelpAfterError('(run with --help for usage)')
    .configureOutput({ outputError: (text) => printError(stderrColors.red(text.trimEnd())) })
    .exitOverride();
  for (const register of [
    registerRun,
    registerValidate,
    registerUp,
    registerDown,
    registerStatus,
    registerFault,
    registerHeal,
    registerDrill,
    registerReport,
    registerToxiproxy,
  ])
    register(program);
  return program;
}

async function main(): Promise<void> {
  const program = buildProgram();
  try {
    await program.parseAsync(process.argv);
  } catch (error) {
    if (error instanceof CommanderError) {
      // --help and --version exit 0; any other commander error is a bad flag or argument.
      process.exitCode =
        error.code === 'commander.helpDisplayed' || error.code === 'commander.version' || error.exitCode === 0
          ? ExitCode.ok
          : ExitCode.badInput;
      return;
    }
    throw error;
  }
}

await main();
