/**
 * Runs one scenario through the real CLI (`node bin/chaosbank.js run ... --quiet --json`) in a child
 * process with a hard time limit, and reads back its summary and report.json. The child gets its own
 * CHAOSBANK_HOME so its stack never shows up in other engineers' `chaosbank status`.
 */
import { spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { RunReport } from '../../src/run/run-report.js';

export interface CliRun {
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  timedOut: boolean;
  stdout: string;
  stderr: string;
  wallMs: number;
  /** report.json, when the run wrote one. */
  report?: RunReport;
}

export async function runCli(options: {
  root: string;
  scenario: string;
  out: string;
  seed: number;
  home: string;
  timeoutMs: number;
}): Promise<CliRun> {
  const started = Date.now();
  const child = spawn(
    process.execPath,
    [
      'bin/chaosbank.js',
      'run',
      options.scenario,
      '--out',
      options.out,
      '--seed',
      String(options.seed),
      '--quiet',
      '--json',
    ],
    {
      cwd: options.root,
      env: { ...process.env, NO_COLOR: '1', CHAOSBANK_HOME: options.home },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  let timedOut = false;
  // SIGINT first: the CLI tears the stack down and writes a partial report; SIGKILL if it does not exit.
  const interrupt = setTimeout(() => {
    timedOut = true;
    child.kill('SIGINT');
  }, options.timeoutMs);
  const kill = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs + 30_000);
  const [exitCode, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code, sig) => resolve([code, sig]));
  }).finally(() => {
    clearTimeout(interrupt);
    clearTimeout(kill);
  });
  const run: CliRun = { exitCode, signal, timedOut, stdout, stderr, wallMs: Date.now() - started };
  try {
    run.report = JSON.parse(await readFile(join(options.out, 'report.json'), 'utf8')) as RunReport;
  } catch {
    // no report: the assertions show stderr
  }
  return run;
}
