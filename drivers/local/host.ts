/**
 * Host a stack in this process until told to stop: used by the detached supervisor (`chaosbank up`)
 * and by `chaosbank up --foreground`. Starts the stack, opens the control API, records its URL in the
 * state file (that is the "ready" signal a waiting CLI looks for), and tears down on SIGINT/SIGTERM or
 * a control-API `down`.
 */
import { InterruptedError, isChaosbankError } from '../../src/contract/errors.js';
import type { Topology } from '../../src/contract/topology.js';
import { startControlServer } from './control.js';
import { startLocalStack } from './driver.js';
import { readState, writeJsonAtomic, statePath } from './state.js';
import type { LocalStack } from './stack.js';

export interface HostSpec {
  topology: Topology;
  runDir: string;
  toxiproxyUrl?: string;
}

export interface HostHooks {
  log: (message: string) => void;
  /** Called once the stack is ready and the control API listens. */
  onReady?: (stack: LocalStack) => void;
}

/** Resolves with how it ended: 'down' (asked to stop) or 'signal' (SIGINT/SIGTERM). Rejects if up fails. */
export async function hostStack(spec: HostSpec, hooks: HostHooks): Promise<'down' | 'signal'> {
  const abort = new AbortController();
  let stopReason: 'down' | 'signal' | null = null;
  let wake: () => void = () => undefined;
  const stopped = new Promise<void>((resolve) => (wake = resolve));
  const stop = (reason: 'down' | 'signal') => {
    if (stopReason !== null) return;
    stopReason = reason;
    abort.abort();
    wake();
  };
  const onSignal = () => stop('signal');
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  process.on('SIGHUP', onSignal);
  let stack: LocalStack | null = null;
  try {
    try {
      stack = await startLocalStack(spec.topology, {
        runDir: spec.runDir,
        toxiproxyUrl: spec.toxiproxyUrl,
        signal: abort.signal,
        log: hooks.log,
      });
    } catch (error) {
      recordFailure(spec.runDir, error);
      throw error;
    }
    const control = await startControlServer(stack, () => stop('down'));
    stack.state.update((s) => {
      if (s.endpoints) s.endpoints.controlUrl = control.url;
    });
    hooks.onReady?.(stack);
    hooks.log(`ready: router ${stack.routerUrl}`);
    await stopped;
    hooks.log(`stopping (${stopReason})`);
    await stack.down();
    await control.close();
    hooks.log('stopped');
    return stopReason ?? 'down';
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    process.off('SIGHUP', onSignal);
  }
}

function recordFailure(runDir: string, error: unknown): void {
  const state = readState(runDir);
  if (!state) return;
  state.failure = isChaosbankError(error)
    ? { code: error.code, message: error.message, details: error.details, exitCode: error.exitCode }
    : { code: 'STACK_START_FAILED', message: String(error), details: [], exitCode: 3 };
  if (error instanceof InterruptedError) state.failure.exitCode = 130;
  writeJsonAtomic(statePath(runDir), state);
}
