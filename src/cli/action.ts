/**
 * Wraps every command action: library errors become a clear message on stderr and a documented exit
 * code, never a stack trace (set CHAOSBANK_DEBUG=1 to see one).
 */
import { ChaosbankError, ExitCode } from '../contract/errors.js';
import { printError, stderrColors } from './output.js';

export function reportError(error: unknown): number {
  const c = stderrColors;
  if (error instanceof ChaosbankError) {
    printError(`${c.red('error')} ${c.dim(`[${error.code}]`)} ${error.message}`);
    for (const line of error.details) printError(`  ${line}`);
    if (process.env.CHAOSBANK_DEBUG) printError(String(error.stack));
    return error.exitCode;
  }
  const message = error instanceof Error ? error.message : String(error);
  printError(`${c.red('internal error')} ${message}`);
  printError('  This is a bug in chaosbank; rerun with CHAOSBANK_DEBUG=1 and report the output.');
  if (process.env.CHAOSBANK_DEBUG && error instanceof Error) printError(String(error.stack));
  return ExitCode.environment;
}

/** Run an action; its resolved number (default 0) becomes the exit code. */
export function action<Args extends unknown[]>(
  fn: (...args: Args) => Promise<number | void>,
): (...args: Args) => Promise<void> {
  return async (...args: Args) => {
    try {
      const code = await fn(...args);
      process.exitCode = code ?? ExitCode.ok;
    } catch (error) {
      process.exitCode = reportError(error);
    }
  };
}
