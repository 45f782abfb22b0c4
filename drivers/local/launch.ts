/**
 * `chaosbank up` without --foreground: start a detached supervisor that owns the stack, wait (on the
 * state file, never a sleep) until it reports ready or failed, and return — the stack keeps running
 * after this process exits. An abort (Ctrl-C) stops the supervisor and whatever it started within 5 s.
 */
import { spawn } from 'node:child_process';
import { closeSync, mkdirSync, openSync } from 'node:fs';
import os from 'node:os';
import { join, resolve } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import {
  ChaosbankError,
  EnvironmentError,
  InterruptedError,
  isErrorCode,
} from '../../src/contract/errors.js';
import type { Topology } from '../../src/contract/topology.js';
import type { HostSpec } from './host.js';
import { supervisorProgram } from './paths.js';
import { identify, isAlive, type ProcessIdentity } from './proc.js';
import { tailLines } from './process.js';
import { chaosbankHome, unregisterStack } from './registry.js';
import { readState, writeJsonAtomic, type StackState } from './state.js';
import { teardownState } from './teardown.js';

export interface LaunchOptions {
  topology: Topology;
  runDir?: string;
  toxiproxyUrl?: string;
  signal?: AbortSignal;
  /** Give up waiting for readiness after this long (the supervisor is then stopped). */
  timeoutMs?: number;
}

export interface Launched {
  state: StackState;
  supervisor: ProcessIdentity;
}

export const defaultRunDir = (runId: string): string => join(chaosbankHome(), 'runs', runId);

export async function launchDetached(options: LaunchOptions): Promise<Launched> {
  const runDir = resolve(options.runDir ?? defaultRunDir(options.topology.runId));
  mkdirSync(join(runDir, 'logs'), { recursive: true });
  const spec: HostSpec = { topology: options.topology, runDir, toxiproxyUrl: options.toxiproxyUrl };
  const specFile = join(runDir, 'supervisor.json');
  writeJsonAtomic(specFile, spec);
  const logPath = join(runDir, 'logs', 'supervisor.log');
  const logFd = openSync(logPath, 'a');
  const child = spawn(process.execPath, [supervisorProgram(), '--spec', specFile], {
    detached: true, // its own process group: a Ctrl-C in the terminal reaches only us, and we decide
    stdio: ['ignore', logFd, logFd],
    cwd: os.homedir(),
    env: process.env,
  });
  closeSync(logFd);
  const exit: { code: number | null } = { code: null };
  let exited = false;
  child.once('exit', (code) => {
    exited = true;
    exit.code = code;
  });
  await new Promise<void>((ok, fail) => {
    child.once('spawn', ok);
    child.once('error', fail);
  });
  const supervisor = identify(child.pid!);
  const deadline = Date.now() + (options.timeoutMs ?? 120_000);
  try {
    for (;;) {
      if (options.signal?.aborted) throw new InterruptedError('interrupted while starting the stack');
      const state = readState(runDir);
      if (state?.endpoints?.controlUrl && state.phase === 'ready') {
        child.unref();
        return { state, supervisor };
      }
      if (state?.failure) throw failureError(state.failure, logPath);
      if (exited) {
        throw new EnvironmentError(
          'STACK_START_FAILED',
          `the stack supervisor exited (code ${exit.code}) before the stack was ready`,
          {
            details: [`log: ${logPath}`, ...tailLines(logPath, 15).map((l) => `  | ${l}`)],
          },
        );
      }
      if (Date.now() > deadline)
        throw new EnvironmentError('STACK_START_TIMEOUT', 'the stack did not become ready in time', {
          details: [`log: ${logPath}`, ...tailLines(logPath, 15).map((l) => `  | ${l}`)],
        });
      // Poll interval of a wait-on-condition (the state file), not a sleep-as-synchronisation.
      await delay(20, undefined, { signal: options.signal }).catch(() => undefined);
    }
  } catch (error) {
    await stopSupervisor(supervisor, runDir, () => exited);
    throw error;
  }
}

/** SIGTERM the supervisor (it aborts and tears down), bounded; then clean from the state file whatever is left. */
async function stopSupervisor(
  supervisor: ProcessIdentity,
  runDir: string,
  exited: () => boolean,
): Promise<void> {
  if (!exited() && isAlive(supervisor)) process.kill(supervisor.pid, 'SIGTERM');
  const deadline = Date.now() + 3500;
  while (!exited() && isAlive(supervisor) && Date.now() < deadline) await delay(20);
  const state = readState(runDir);
  if (state) {
    await teardownState(state, { graceMs: 500, includeOwner: true });
    unregisterStack(state.runId);
  } else if (isAlive(supervisor)) process.kill(supervisor.pid, 'SIGKILL');
}

function failureError(failure: NonNullable<StackState['failure']>, logPath: string): ChaosbankError {
  if (failure.exitCode === 130) return new InterruptedError(failure.message);
  return new ChaosbankError(
    isErrorCode(failure.code) ? failure.code : 'STACK_START_FAILED',
    failure.message,
    {
      exitCode: failure.exitCode === 2 ? 2 : 3,
      details: [...failure.details, `supervisor log: ${logPath}`],
    },
  );
}
