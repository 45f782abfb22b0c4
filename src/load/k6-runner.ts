/**
 * Runs the payment workload with a real k6 binary (scenarios/k6/payments.ts) instead of the embedded
 * engine, writing k6's `--out json=FILE` NDJSON, which readHistory() turns into Attempts. k6 is not
 * installable from npm or Debian: when no `k6` is on PATH this throws EnvironmentError K6_NOT_FOUND.
 */
import { spawn } from 'node:child_process';
import { accessSync, constants, statSync } from 'node:fs';
import { delimiter, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { EnvironmentError, InterruptedError } from '../contract/errors.js';
import type { LoadSpec } from './spec.js';
import type { Attempt } from '../history/attempt.js';
import type { ExpectedStatuses } from '../contract/stack-http.js';
import type { LoadTargets } from './engine.js';
import { readHistory } from '../history/reader.js';

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
  script?: string;
  /** PATH to search for k6 (default process.env.PATH). */
  pathEnv?: string;
  signal?: AbortSignal;
  /** Where k6's own console output goes (default: discarded). */
  onOutput?: (chunk: string) => void;
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

export interface K6RunResult {
  exitCode: number;
  outFile: string;
  /** k6 exit 99: thresholds failed (the script sets none; kept for custom scripts). */
  thresholdsFailed: boolean;
}

/** Run k6 to completion. Exit codes other than 0/99 become errors; 105 (external abort) is an interruption. */
export async function runK6(options: K6RunOptions): Promise<K6RunResult> {
  const k6 = requireK6(options.pathEnv);
  const script = options.script ?? defaultK6Script();
  const argv = ['run', '--quiet', '--no-summary', '--out', `json=${options.outFile}`, script];
  const child = spawn(k6, argv, {
    env: { ...process.env, ...k6Environment(options), K6_NO_USAGE_REPORT: 'true' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const tail: string[] = [];
  const collect = (chunk: Buffer): void => {
    const text = chunk.toString('utf8');
    options.onOutput?.(text);
    tail.push(text);
    if (tail.length > 50) tail.shift();
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
        reject(new EnvironmentError('K6_START_FAILED', `could not start ${k6}: ${cause.message}`, { cause })),
      );
      child.once('close', (code, signal) => resolve(code ?? (signal !== null ? 128 : 1)));
    });
    if (exitCode === 0 || exitCode === 99)
      return { exitCode, outFile: options.outFile, thresholdsFailed: exitCode === 99 };
    if (exitCode === 105 || options.signal?.aborted === true)
      throw new InterruptedError('k6 run interrupted');
    throw new EnvironmentError('K6_FAILED', `k6 exited with code ${exitCode}`, {
      details: [`command: ${k6} ${argv.join(' ')}`, ...tail.join('').trim().split('\n').slice(-10)],
    });
  } finally {
    options.signal?.removeEventListener('abort', onAbort);
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
