/**
 * Readiness as wait strategies (testcontainers style): poll a condition until it holds or a timeout
 * passes. Never a sleep as synchronisation: the only delay is the poll interval between two checks.
 */
import net from 'node:net';
import { setTimeout as delay } from 'node:timers/promises';
import { EnvironmentError, InterruptedError } from '../../src/contract/errors.js';

export interface WaitOptions {
  /** Give up after this many milliseconds. */
  timeout: number;
  /** Milliseconds between two checks (default 50). */
  interval?: number;
  /** What we wait for, for the error message: "db@us-east accepting connections on 127.0.1.1:5432". */
  description: string;
  signal?: AbortSignal;
  /** Extra lines for the timeout error (log path, last log lines). Called only on timeout. */
  details?: () => string[];
}

/** A condition returns a truthy value when met; throwing counts as "not yet" (the last error is kept). */
export type Condition<T> = () => Promise<T | false | null | undefined> | T | false | null | undefined;

export async function waitFor<T>(condition: Condition<T>, options: WaitOptions): Promise<T> {
  const interval = options.interval ?? 50;
  const deadline = Date.now() + options.timeout;
  let lastError: unknown;
  for (;;) {
    if (options.signal?.aborted)
      throw new InterruptedError(`interrupted while waiting for ${options.description}`);
    try {
      const value = await condition();
      if (value !== false && value !== null && value !== undefined) return value;
    } catch (error) {
      if (error instanceof EnvironmentError || error instanceof InterruptedError) throw error;
      lastError = error;
    }
    if (Date.now() >= deadline) break;
    try {
      await delay(Math.min(interval, Math.max(1, deadline - Date.now())), undefined, {
        signal: options.signal,
      });
    } catch {
      throw new InterruptedError(`interrupted while waiting for ${options.description}`);
    }
  }
  const last = lastError instanceof Error ? [`last error: ${lastError.message}`] : [];
  throw new EnvironmentError(
    'WAIT_TIMEOUT',
    `timed out after ${(options.timeout / 1000).toFixed(1)} s waiting for ${options.description}`,
    { cause: lastError, details: [...last, ...(options.details?.() ?? [])] },
  );
}

/** One TCP connect attempt: resolves true when something accepts on host:port. */
export function tryConnect(host: string, port: number, timeoutMs = 1000): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host, port });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

/** Strategy: a TCP port accepts connections. */
export const portOpen = (host: string, port: number) => () => tryConnect(host, port);

/** Strategy: an HTTP GET answers 200 (e.g. `/readyz`). */
export const httpOk =
  (url: string, timeoutMs = 2000) =>
  async () => {
    const response = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
    await response.body?.cancel();
    return response.status === 200;
  };
