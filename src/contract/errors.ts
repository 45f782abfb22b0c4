/**
 * Every error chaosbank raises on purpose is a ChaosbankError: a stable `code`, an actionable message,
 * the process exit code the CLI maps it to, and the underlying `cause`.
 */
export const ExitCode = {
  ok: 0,
  gateFailed: 1,
  badInput: 2,
  environment: 3,
  interrupted: 130,
} as const;
export type ExitCodeValue = (typeof ExitCode)[keyof typeof ExitCode];

export class ChaosbankError extends Error {
  readonly code: string;
  readonly exitCode: ExitCodeValue;
  /** Extra lines shown under the message (examples, hints, log paths). */
  readonly details: string[];

  constructor(
    code: string,
    message: string,
    options: { exitCode: ExitCodeValue; cause?: unknown; details?: string[] },
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.exitCode = options.exitCode;
    this.details = options.details ?? [];
  }
}

/** Bad scenario, runbook, flag or request: exit 2. */
export class InputError extends ChaosbankError {
  constructor(code: string, message: string, options: { cause?: unknown; details?: string[] } = {}) {
    super(code, message, { ...options, exitCode: ExitCode.badInput });
  }
}

/** The environment or infrastructure failed (stack did not start, port in use, unreachable): exit 3. */
export class EnvironmentError extends ChaosbankError {
  constructor(code: string, message: string, options: { cause?: unknown; details?: string[] } = {}) {
    super(code, message, { ...options, exitCode: ExitCode.environment });
  }
}

/** The run was interrupted (Ctrl-C / SIGTERM) after cleanup: exit 130. */
export class InterruptedError extends ChaosbankError {
  constructor(message = 'interrupted', options: { cause?: unknown } = {}) {
    super('INTERRUPTED', message, { ...options, exitCode: ExitCode.interrupted });
  }
}

export function isChaosbankError(error: unknown): error is ChaosbankError {
  return error instanceof ChaosbankError;
}
