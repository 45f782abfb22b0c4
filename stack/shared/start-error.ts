/**
 * How a stack program (payments API, router, controller) reports an error that stops it from starting:
 * the message, its stable code and details on stderr, never a stack trace (CHAOSBANK_DEBUG=1 adds one),
 * and the exit code the error carries (3 for anything unexpected). The driver shows these lines.
 */
import { ExitCode, isChaosbankError } from '../../src/contract/errors.js';

export function reportStartError(program: string, error: unknown): number {
  const write = (line: string): void => void process.stderr.write(`${line}\n`);
  if (isChaosbankError(error)) {
    write(`${program}: ${error.message} [${error.code}]`);
    for (const line of error.details) write(`  ${line}`);
  } else write(`${program}: cannot start: ${error instanceof Error ? error.message : String(error)}`);
  if (process.env.CHAOSBANK_DEBUG && error instanceof Error) write(String(error.stack));
  return isChaosbankError(error) ? error.exitCode : ExitCode.environment;
}
