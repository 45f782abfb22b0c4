/**
 * Runs the payment workload with a real k6 binary (scenarios/k6/payments.ts) instead of the embedded
 * engine, writing k6's `--out json=FILE` NDJSON, which readHistory() turns into Attempts. k6 is not
 * installable from npm or Debian: when no `k6` is on PATH this throws EnvironmentError K6_NOT_FOUND,
 * and a k6 older than 1.0 (it cannot run TypeScript) K6_TOO_OLD. checkK6() runs both checks before a run starts.
 */
import { spawn } from 'node:child_process';
import { accessSync, constants, createWriteStream, statSync } from 'node:fs';
import { delimiter, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { EnvironmentError, InterruptedError } from '../contract/errors.js';
import type { LoadSpec } from './spec.js';
import type { Attempt } from '../history/attempt.js';
import type { ExpectedStatuses } from '../contract/stack-http.js';
import type { LoadTargets } from './engine.js';
import { readHistory } from '../history/reader.js';
import { checkK6Version, noSummaryArgs, type K6Version } from './k6-version.js';

/** scenarios/k6/payments.ts, found from both src/load (tests) and dist/src/load (built package). */
export function defaultK6Script(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 5; i++) {
    const candidate = join(dir, 'scenarios', 'k6', 'payments.ts');
    try {
      if (statSync(candidate).isFile()) return candidate;
    } catch {
      // not here: look one folder up
    }
    dir = dirname(dir);
  }
  return join(process.cwd(), 'scenarios', 'k6', 'payments.ts');
}

/** The k6 executable on `pathEnv` (default: PATH), or undefined. */
export function findK6(pathEnv: string | undefined = process.env.PATH): string | undefined {
  for (const dir of (pathEnv ?? '').split(delimiter)) {
    if (dir === '') continue;
    const candidate = join(dir, process.platform === 'win32' ? 'k6.exe' : 'k6');
    try {
      accessSync(candidate, constants.X_OK);
      if (statSync(candidate).isFile()) return candidate;
    } catch {
      // not in this folder
    }
  }
  return undefined;
}

export function requireK6(pathEnv?: string): string {
  const found = findK6(pathEnv);
  if (found === undefined)
    throw new EnvironmentError(
      'K6_NOT_FOUND',
      'load.engine is `k6` but no `k6` executable was found on PATH',
      {
        details: [
          'install k6 (https://grafana.com/docs/k6/latest/set-up/install-k6/) and make sure `k6 version` works,',
          'or set `load.engine: embedded` in the scenario to use the built-in load engine',
        ],
      },
    );
  return found;
}

export interface K6RunOptions {
  load: LoadSpec;
  targets: LoadTargets;
  seed: number;
  keyPrefix: string;
  /** Where k6 writes its NDJSON (`--out json=`). */
  outFile: string;
  /** Where k6's own console output (stdout and stderr) is kept: the run folder's k6.log. */
  logFile?: string;
  /** The k6 found before the run (checkK6()); checked here when absent. */
  k6?: K6Binary;
  script?: string;
  /** PATH to search for k6 (default process.env.PATH). */
  pathEnv?: string;
  signal?: AbortSignal;
  /** Where k6's own console output goes as it comes. */
  onOutput?: (chunk: string) => void;
}

export interface K6Binary {
  path: string;
  version: K6Version;
}

/** Find k6 on PATH and require a version that runs our script: call before provisioning anything. */
export async function checkK6(pathEnv?: string): Promise<K6Binary> {
  const path = requireK6(pathEnv);
  return { path, version: await checkK6Version(path) };
}

/** The environment the k6 script reads (see scenarios/k6/payments.ts). */
export function k6Environment(
  options: Pick<K6RunOptions, 'load' | 'targets' | 'seed' | 'keyPrefix'>,
): Record<string, string> {
  return {
    CHAOSBANK_ROUTER_URL: options.targets.router,
    CHAOSBANK_REGION_URLS: JSON.stringify(options.targets.regions ?? {}),
    CHAOSBANK_LOAD: JSON.stringify(options.load),
    CHAOSBANK_SEED: String(options.seed),
    CHAOSBANK_KEY_PREFIX: options.keyPrefix,
  };
}

/** `k6 run` argv for this k6 version. */
export function k6RunArgs(version: K6Version, outFile: string, script: string): string[] {
  return ['run', '--quiet', ...noSummaryArgs(version), '--out', `json=${outFile}`, script];
}

export interface K6RunResult {
  exitCode: number;
  outFile: string;
  /** k6 exit 99: thresholds failed (the script sets none; kept for custom scripts). */
  thresholdsFailed: boolean;
}

/** What k6's exit codes mean (k6 errext/exitcodes). */
const K6_EXIT_MEANINGS: Record<number, string> = {
  97: 'cloud test failed',
  98: 'k6 could not start the test',
  100: 'setup() timed out',
  101: 'teardown() timed out',
  103: 'generic timeout',
  104: 'invalid configuration',
  105: 'externally aborted',
  107: 'script exception',
  108: 'the script aborted the test',
  110: 'the script failed the test',
  255: 'bad command line (unknown flag or argument)',
};

/** k6's log lines for exceptions thrown by iterations (lib/executor: `source=stacktrace`). */
const SCRIPT_EXCEPTION = /level=error\b.*\bsource=stacktrace\b|"source":"stacktrace"/;

/**
 * Run k6 to completion. Exit codes other than 0/99 become errors that quote k6's last lines; 105
 * (external abort) is an interruption. Iterations that threw (k6 logs them and still exits 0) fail
 * the load phase: their requests never happened, so the history would under-count the load.
 */
export async function runK6(options: K6RunOptions): Promise<K6RunResult> {
  const k6 = options.k6 ?? (await checkK6(options.pathEnv));
  const script = options.script ?? defaultK6Script();
  const argv = k6RunArgs(k6.version, options.outFile, script);
  const log = options.logFile === undefined ? undefined : createWriteStream(options.logFile);
  const child = spawn(k6.path, argv, {
    env: { ...process.env, ...k6Environment(options), K6_NO_USAGE_REPORT: 'true' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const tail: string[] = [];
  const errors: string[] = [];
  let exceptions = 0;
  let partial = '';
  const collect = (chunk: Buffer): void => {
    const text = chunk.toString('utf8');
    options.onOutput?.(text);
    log?.write(text);
    const lines = (partial + text).split('\n');
    partial = lines.pop() ?? '';
    for (const line of lines) keep(line);
  };
  const keep = (line: string): void => {
    if (line.trim() === '') return;
    tail.push(line);
    if (tail.length > 50) tail.shift();
    if (SCRIPT_EXCEPTION.test(line)) {
      exceptions++;
      if (errors.length < 5) errors.push(line);
    }
  };
  child.stdout.on('data', collect);
  child.stderr.on('data', collect);
  const onAbort = (): void => {
    child.kill('SIGINT'); // k6 stops gracefully and flushes its output on SIGINT
  };
  options.signal?.addEventListener('abort', onAbort, { once: true });
  try {
    const exitCode = await new Promise<number>((resolve, reject) => {
      child.once('error', (cause) =>
        reject(
          new EnvironmentError('K6_START_FAILED', `could not start ${k6.path}: ${cause.message}`, { cause }),
        ),
      );
      child.once('close', (code, signal) => resolve(code ?? (signal !== null ? 128 : 1)));
    });
    keep(partial);
    const where = [
      `command: ${k6.path} ${argv.join(' ')} (k6 ${k6.version.text})`,
      ...(options.logFile === undefined ? [] : [`k6's full output: ${options.logFile}`]),
    ];
    if (exitCode === 105 || options.signal?.aborted === true)
      throw new InterruptedError('k6 run interrupted');
    if (exitCode !== 0 && exitCode !== 99) {
      const meaning = K6_EXIT_MEANINGS[exitCode];
      const last = tail.slice(-10);
      throw new EnvironmentError(
        'K6_FAILED',
        `k6 exited with code ${exitCode}${meaning === undefined ? '' : ` (${meaning})`}${last.length > 0 ? `: ${last.at(-1)!.trim()}` : ''}`,
        { details: [...where, ...last] },
      );
    }
    if (exceptions > 0)
      throw new EnvironmentError(
        'K6_SCRIPT_ERROR',
        `${exceptions} k6 iteration(s) threw an exception: the load did not run as planned (${errors[0]!.trim()})`,
        { details: [...where, ...errors] },
      );
    return { exitCode, outFile: options.outFile, thresholdsFailed: exitCode === 99 };
  } finally {
    options.signal?.removeEventListener('abort', onAbort);
    if (log !== undefined) await new Promise<void>((resolve) => log.end(resolve));
  }
}

/** Run k6, then stream its history as Attempts. */
export async function runK6Load(
  options: K6RunOptions & { expected?: ExpectedStatuses },
): Promise<{ result: K6RunResult; attempts: AsyncIterable<Attempt> }> {
  const result = await runK6(options);
  return {
    result,
    attempts: readHistory(
      result.outFile,
      options.expected === undefined ? {} : { expected: options.expected },
    ),
  };
}
