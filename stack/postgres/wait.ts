/** Wait on a condition (never a fixed sleep): poll until it returns a value, or time out. */
import { setTimeout as delay } from 'node:timers/promises';
import { EnvironmentError } from '../../src/contract/errors.js';

export interface WaitOptions {
  timeoutMs: number;
  intervalMs?: number;
  /** What we waited for, in the timeout error ("standby eu-west to stream"). */
  what: string;
  signal?: AbortSignal;
}

/** Resolve with the first non-undefined result of `probe`; errors from `probe` count as "not yet". */
export async function waitFor<T>(probe: () => Promise<T | undefined>, options: WaitOptions): Promise<T> {
  const deadline = Date.now() + options.timeoutMs;
  let lastError: unknown;
  for (;;) {
    options.signal?.throwIfAborted();
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch (error) {
      if (error instanceof EnvironmentError && error.code === 'POSTGRES_EXITED') throw error;
      lastError = error;
    }
    if (Date.now() >= deadline) {
      const reason = lastError instanceof Error ? ` (last error: ${lastError.message})` : '';
      throw new EnvironmentError(
        'WAIT_TIMEOUT',
        `timed out after ${options.timeoutMs} ms waiting for ${options.what}${reason}`,
        {
          cause: lastError,
        },
      );
    }
    await delay(options.intervalMs ?? 50, undefined, { signal: options.signal });
  }
}
