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

/**
 * Every error code chaosbank raises: one closed set, each with its exit code and when it is raised.
 * docs/errors.md lists them (src/contract/errors.test.ts keeps it in step).
 */
export const ERROR_CODES = {
  ABORT_INVALID: {
    exitCode: 2,
    when: 'an abort condition is not `<metric> <op> <number> [for <duration>]` or a named condition',
  },
  ABORT_NOT_LIVE: { exitCode: 2, when: 'an abort condition names a metric that is only known after the run' },
  ABORT_UNKNOWN_METRIC: { exitCode: 2, when: 'an abort condition names an unknown metric' },
  API_CONFIG_FLAG: { exitCode: 2, when: 'reference stack API: `--config` without a file' },
  API_CONFIG_INVALID: { exitCode: 2, when: 'reference stack API: its config does not match the schema' },
  API_CONFIG_JSON: { exitCode: 2, when: 'reference stack API: its config is not valid JSON' },
  API_CONFIG_MISSING: { exitCode: 2, when: 'reference stack API: no config given' },
  API_CONFIG_UNREADABLE: { exitCode: 2, when: 'reference stack API: its config file cannot be read' },
  BAD_ACTION: { exitCode: 2, when: 'a process action request names no component or an unknown action' },
  BAD_FLAG: { exitCode: 2, when: 'a command-line flag has a bad value or is missing its companion flag' },
  BAD_SEED: { exitCode: 2, when: '`seed` is not a non-negative integer' },
  GATE_INVALID: { exitCode: 2, when: 'a gate is not `<metric> <op> <number>`' },
  GATE_UNKNOWN_METRIC: { exitCode: 2, when: 'a gate names an unknown metric' },
  CLUSTER_DUPLICATE_REGION: { exitCode: 2, when: 'database cluster: a region is named twice' },
  CLUSTER_NO_ADDRESS: { exitCode: 2, when: 'database cluster: a region has no database address' },
  CLUSTER_NO_REGIONS: { exitCode: 2, when: 'database cluster: no region given' },
  CLUSTER_UNKNOWN_PRIMARY: { exitCode: 2, when: 'database cluster: the primary is not one of the regions' },
  CONFIG_INVALID: { exitCode: 2, when: 'reference stack router/controller: its config is invalid' },
  CONFIG_MISSING: { exitCode: 2, when: 'reference stack router/controller: no config given' },
  CONFIG_UNREADABLE: {
    exitCode: 2,
    when: 'reference stack router/controller: its config file cannot be read',
  },
  CONFIRM_NEEDS_TTY: {
    exitCode: 2,
    when: 'a runbook has manual confirmation steps and there is no terminal (use `--auto`)',
  },
  FAULT_BAD_ID: {
    exitCode: 2,
    when: 'a fault id has characters other than letters, digits, `.`, `_` and `-`',
  },
  FAULT_BAD_PARAM: { exitCode: 2, when: 'a fault is given a parameter its kind does not take' },
  FAULT_BAD_TARGET: { exitCode: 2, when: 'a fault is given a target its kind does not take' },
  FAULT_ID_IN_USE: { exitCode: 2, when: 'a fault with this id is already active' },
  FAULT_MISSING_PARAM: { exitCode: 2, when: 'a fault lacks a parameter its kind needs' },
  FAULT_MISSING_TARGET: { exitCode: 2, when: 'a fault lacks the target its kind needs' },
  FAULT_UNKNOWN_KIND: { exitCode: 2, when: 'unknown fault kind' },
  FAULT_UNKNOWN_TARGET: {
    exitCode: 2,
    when: 'a fault names a region, link or component the topology does not have',
  },
  HISTORY_BAD_GZIP: { exitCode: 2, when: 'a history file ending in .gz is not gzip, corrupt or cut short' },
  HISTORY_BAD_LINE: { exitCode: 2, when: 'a history file has a line that is not JSON' },
  HISTORY_BAD_POINT: { exitCode: 2, when: 'a history file has a point chaosbank cannot read' },
  HISTORY_NOT_FOUND: { exitCode: 2, when: 'a history file does not exist' },
  LEDGER_ACCOUNTS: { exitCode: 2, when: 'reference stack ledger: bad account count' },
  LEDGER_EXPORT_MALFORMED: { exitCode: 2, when: 'a ledger export has a malformed line' },
  LEDGER_EXPORT_UNREADABLE: { exitCode: 2, when: 'a ledger export cannot be read' },
  LEDGER_FUNDING: { exitCode: 2, when: 'reference stack ledger: bad funding' },
  LOAD_AMOUNT_RANGE: { exitCode: 2, when: '`load.amount.min` is above `load.amount.max`' },
  LOAD_BAD_STAGE: { exitCode: 2, when: 'a load stage has a negative target or duration' },
  LOAD_BAD_TARGET: { exitCode: 2, when: 'a load target URL is not a URL' },
  LOAD_CROSS_REGION_TARGETS: { exitCode: 2, when: 'cross-region duplicates need at least two regions' },
  LOAD_MIX_OVER_ONE: { exitCode: 2, when: 'the load mix shares add up to more than 1' },
  LOAD_NO_RATE: { exitCode: 2, when: 'the load has neither `rate` with `duration` nor `stages`' },
  REPORT_INVALID: { exitCode: 2, when: 'a report.json is not valid JSON or not a chaosbank report' },
  REPORT_NOT_FOUND: {
    exitCode: 2,
    when: 'a folder holds neither report.json nor the run.json of a run to re-check',
  },
  REPORT_VERSION: { exitCode: 2, when: 'a report.json has another schema version' },
  RESTART_NEEDS_OWNER: {
    exitCode: 2,
    when: "a process restart needs the stack's supervisor, which is not running",
  },
  RUN_FOLDER_INCOMPLETE: {
    exitCode: 2,
    when: 'a run folder to re-check lacks its scenario.yaml (the run died before it started)',
  },
  RUN_FOLDER_INVALID: {
    exitCode: 2,
    when: "a run folder's scenario.yaml is not the scenario the run started with",
  },
  RUNBOOK_INVALID: { exitCode: 2, when: 'a runbook is malformed (every problem with `file:line`)' },
  RUNBOOK_NOT_FOUND: { exitCode: 2, when: 'a runbook file cannot be read' },
  SCENARIO_INVALID: { exitCode: 2, when: 'a scenario is malformed (every problem with `file:line:col`)' },
  SCENARIO_NOT_FOUND: { exitCode: 2, when: 'a scenario file does not exist' },
  SCENARIO_UNREADABLE: {
    exitCode: 2,
    when: 'a scenario path is a directory, too big, binary or not readable',
  },
  TOXIPROXY_CONFIG_INVALID: { exitCode: 2, when: 'a Toxiproxy config file is invalid' },
  TOXIPROXY_CONFIG_UNREADABLE: { exitCode: 2, when: 'a Toxiproxy config file cannot be read' },
  UNKNOWN_COMPONENT: { exitCode: 2, when: 'no such component in the running stack' },
  UNKNOWN_DRIVER: { exitCode: 2, when: 'unknown `--driver`' },
  UNKNOWN_PRIMARY: { exitCode: 2, when: '`--primary` is not one of `--regions`' },
  ACTION_FAILED: { exitCode: 3, when: "the stack's supervisor refused a process action without saying why" },
  BINARY_MISSING: { exitCode: 3, when: "a stack component's program file is missing (build first)" },
  CLUSTER_BOOTSTRAP: { exitCode: 3, when: 'the database cluster could not be set up' },
  COMPONENT_EXITED: { exitCode: 3, when: 'a stack component exited while starting or running' },
  CONTROLLER_LISTEN: { exitCode: 3, when: 'the failover controller cannot listen on its port' },
  DRIVER_NOT_AVAILABLE: {
    exitCode: 3,
    when: 'the driver exists but is not available yet (`docker`, `kubernetes`)',
  },
  FAULT_NO_PROCESS_CONTROL: {
    exitCode: 3,
    when: 'the stack gives no control over the process a fault acts on',
  },
  FAULT_NO_STATUS: { exitCode: 3, when: 'the stack status (the current primary) could not be read' },
  FAULT_REVERT_FAILED: { exitCode: 3, when: 'a fault could not be reverted' },
  FAULT_PROCESS_ACTION_FAILED: { exitCode: 3, when: 'a process action (kill, pause, restart) failed' },
  FAULTS_FILE_CORRUPT: { exitCode: 3, when: 'faults.json is not a valid faults file' },
  FAULTS_FILE_UNREADABLE: { exitCode: 3, when: 'faults.json cannot be read' },
  FAULTS_FILE_UNWRITABLE: { exitCode: 3, when: 'faults.json cannot be written' },
  HISTORY_WRITE_FAILED: { exitCode: 3, when: 'the history cannot be written' },
  HOME_NOT_A_DIRECTORY: {
    exitCode: 3,
    when: '`CHAOSBANK_HOME` (or `~/.chaosbank`) exists but is not a directory',
  },
  INTERNAL: { exitCode: 3, when: "an unexpected error in the stack's supervisor (a bug: please report it)" },
  K6_FAILED: { exitCode: 3, when: 'k6 exited with an error' },
  K6_NOT_FOUND: { exitCode: 3, when: '`load.engine: k6` and no `k6` on PATH' },
  K6_START_FAILED: { exitCode: 3, when: 'k6 could not be started' },
  K6_SCRIPT_ERROR: {
    exitCode: 3,
    when: 'the k6 script threw in an iteration (k6 logs it and still exits 0)',
  },
  K6_TOO_OLD: { exitCode: 3, when: 'k6 is older than 1.0 and cannot run the TypeScript script' },
  K6_VERSION_FAILED: { exitCode: 3, when: '`k6 version` failed' },
  K6_VERSION_UNKNOWN: { exitCode: 3, when: '`k6 version` printed no version chaosbank can read' },
  NO_RUNNING_STACK: { exitCode: 3, when: 'no running stack to act on' },
  OUT_DIR_UNWRITABLE: { exitCode: 3, when: 'the report folder cannot be created or written' },
  POSTGRES_BINARIES_MISSING: { exitCode: 3, when: 'the PostgreSQL binaries package is missing or broken' },
  POSTGRES_DATADIR_IN_USE: {
    exitCode: 3,
    when: 'a PostgreSQL data directory already exists where a new one goes',
  },
  POSTGRES_EXITED: { exitCode: 3, when: 'PostgreSQL exited while starting' },
  POSTGRES_INITDB: { exitCode: 3, when: 'initdb failed' },
  POSTGRES_OS_USER: {
    exitCode: 3,
    when: 'running as root and the OS user PostgreSQL must run as cannot be created',
  },
  POSTGRES_START: { exitCode: 3, when: 'PostgreSQL could not be started' },
  ROUTER_LISTEN: { exitCode: 3, when: 'the router cannot listen on its port' },
  SPAWN_FAILED: { exitCode: 3, when: 'a stack process (the watchdog) could not be started' },
  STACK_FILES_MISSING: { exitCode: 3, when: 'files of the reference stack are missing' },
  STACK_OWNER_UNREACHABLE: { exitCode: 3, when: "the stack's supervisor does not answer" },
  STACK_SQL_MISSING: { exitCode: 3, when: 'an SQL file of the reference stack is missing' },
  STACK_START_FAILED: { exitCode: 3, when: 'the stack did not start' },
  STACK_START_TIMEOUT: { exitCode: 3, when: 'the stack did not become ready in time' },
  STATUS_UNAVAILABLE: { exitCode: 3, when: 'the stack status cannot be read' },
  TOXIPROXY_LISTEN_FAILED: { exitCode: 3, when: 'the embedded Toxiproxy cannot listen or start its proxies' },
  TOXIPROXY_PROXY: { exitCode: 3, when: 'proxies cannot be created on Toxiproxy' },
  TOXIPROXY_REQUEST_FAILED: { exitCode: 3, when: 'the Toxiproxy API answered a request with an error' },
  TOXIPROXY_UNREACHABLE: { exitCode: 3, when: 'the Toxiproxy API does not answer' },
  TOXIPROXY_PROXY_NOT_FOUND: { exitCode: 3, when: 'Toxiproxy has no proxy of that name' },
  WAIT_TIMEOUT: { exitCode: 3, when: 'a readiness wait timed out' },
  INTERRUPTED: { exitCode: 130, when: 'interrupted (Ctrl-C / SIGTERM), after cleanup' },
} as const satisfies Record<string, { exitCode: ExitCodeValue; when: string }>;

export type ErrorCode = keyof typeof ERROR_CODES;
type CodeExitingWith<E extends ExitCodeValue> = {
  [C in ErrorCode]: (typeof ERROR_CODES)[C]['exitCode'] extends E ? C : never;
}[ErrorCode];
/** Codes of bad input (exit 2). */
export type InputErrorCode = CodeExitingWith<typeof ExitCode.badInput>;
/** Codes of environment and infrastructure errors (exit 3). */
export type EnvironmentErrorCode = CodeExitingWith<typeof ExitCode.environment>;

/** The code of `error` when it is an environment error, else `fallback` (for errors that wrap others). */
export function environmentCodeOf(error: unknown, fallback: EnvironmentErrorCode): EnvironmentErrorCode {
  if (error instanceof ChaosbankError && ERROR_CODES[error.code].exitCode === ExitCode.environment)
    return error.code as EnvironmentErrorCode;
  return fallback;
}

export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === 'string' && Object.hasOwn(ERROR_CODES, value);
}

export class ChaosbankError extends Error {
  readonly code: ErrorCode;
  readonly exitCode: ExitCodeValue;
  /** Extra lines shown under the message (examples, hints, log paths). */
  readonly details: string[];

  constructor(
    code: ErrorCode,
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
  constructor(code: InputErrorCode, message: string, options: { cause?: unknown; details?: string[] } = {}) {
    super(code, message, { ...options, exitCode: ExitCode.badInput });
  }
}

/** The environment or infrastructure failed (stack did not start, port in use, unreachable): exit 3. */
export class EnvironmentError extends ChaosbankError {
  constructor(
    code: EnvironmentErrorCode,
    message: string,
    options: { cause?: unknown; details?: string[] } = {},
  ) {
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
