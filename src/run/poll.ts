import { setTimeout as delay } from 'node:timers/promises';

/**
 * Evaluate `condition` every `intervalMs` until it returns true or `timeoutMs` passes (then false).
 * Polling a live system's state is the condition here, not a sleep standing in for one.
 */
export async function pollUntil(
  condition: () => Promise<boolean>,
  options: { timeoutMs: number; intervalMs?: number; signal?: AbortSignal },
): Promise<boolean> {
  const deadline = Date.now() + options.timeoutMs;
  for (;;) {
    options.signal?.throwIfAborted();
    if (await condition().catch(() => false)) return true;
    if (Date.now() >= deadline) return false;
    await delay(Math.min(options.intervalMs ?? 250, Math.max(1, deadline - Date.now())), undefined, {
      signal: options.signal,
    });
  }
}
