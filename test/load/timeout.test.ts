/**
 * `load.timeout` is the client's deadline per attempt: with more latency than that on the way back, no
 * answer may be recorded as a success; the attempt is an unknown outcome (`info`, error `timeout`)
 * ended at the deadline, and the payment is retried with the same Idempotency-Key.
 * Real sockets: the payment double in a child process behind the embedded Toxiproxy's latency toxic.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { Toxiproxy } from 'toxiproxy-node-client';
import type { Attempt } from '../../src/history/attempt.js';
import { runLoad } from '../../src/load/engine.js';
import { startToxiproxyServer, type RunningToxiproxyServer } from '../../src/toxiproxy/server.js';
import { startPaymentServersProcess, type RemotePaymentServers } from './payment-server-process.js';
import { loadSpec } from './helpers.js';

const TIMEOUT_MS = 400;
/** How late past its deadline a timed-out attempt may end (timer granularity, a busy machine). */
const MARGIN_MS = 100;

let servers: RemotePaymentServers | undefined;
let toxiproxy: RunningToxiproxyServer | undefined;
afterEach(async () => {
  await toxiproxy?.close();
  await servers?.close();
  toxiproxy = undefined;
  servers = undefined;
});

/** The payment double behind a proxy whose answers are `latencyMs` late; returns the proxy's URL. */
async function slowRouter(latencyMs: number): Promise<string> {
  servers = await startPaymentServersProcess();
  toxiproxy = await startToxiproxyServer({ port: 0 });
  const proxy = await new Toxiproxy(toxiproxy.url).createProxy({
    name: 'client->router',
    listen: '127.0.0.1:0',
    upstream: new URL(servers.routerUrl).host,
  });
  await proxy.addToxic({
    name: 'slow',
    type: 'latency',
    stream: 'downstream',
    toxicity: 1,
    attributes: { latency: latencyMs, jitter: 0 },
  });
  return `http://${proxy.listen}`;
}

async function paymentsThrough(
  router: string,
): Promise<{ attempts: Attempt[]; unknown: number; total: number }> {
  const attempts: Attempt[] = [];
  const summary = await runLoad({
    load: loadSpec({
      rate: 20,
      duration: '1s',
      timeout: `${TIMEOUT_MS}ms`,
      warmUp: 0,
      retry: { attempts: 3, backoff: '20ms', maxBackoff: '40ms', sameKey: true },
    }),
    targets: { router },
    seed: 6,
    onAttempt: (attempt) => attempts.push(attempt),
  });
  return { attempts, unknown: summary.payments.unknown, total: summary.payments.total };
}

describe('load.timeout', () => {
  it('records an answer later than the timeout as an unknown outcome and retries it with the same key', async () => {
    const { attempts, unknown, total } = await paymentsThrough(await slowRouter(700));
    expect(attempts.length).toBeGreaterThan(0);
    const late = attempts.filter((a) => a.outcome === 'ok' && a.end - a.start > TIMEOUT_MS + MARGIN_MS);
    expect(
      late.map((a) => `${a.kind} ${a.key} ${a.status} after ${(a.end - a.start).toFixed(0)} ms`),
    ).toEqual([]);
    for (const attempt of attempts) {
      expect(attempt).toMatchObject({ outcome: 'info', status: 0, error: 'timeout' });
      expect(attempt.end - attempt.start).toBeGreaterThanOrEqual(TIMEOUT_MS - 1);
      expect(attempt.end - attempt.start).toBeLessThanOrEqual(TIMEOUT_MS + MARGIN_MS);
    }
    // Every payment: the first attempt and two retries, all with its key; the effect stays unknown.
    const byKey = new Map<string, Attempt[]>();
    for (const attempt of attempts) byKey.set(attempt.key!, [...(byKey.get(attempt.key!) ?? []), attempt]);
    expect(byKey.size).toBe(total);
    for (const chain of byKey.values()) expect(chain.map((a) => a.kind)).toEqual(['first', 'retry', 'retry']);
    expect(unknown).toBe(total);
    // The server did take them (the outcome is unknown, not failed): timed out is not "no effect".
    expect(await servers!.committed()).toBe(total);
  });

  it('keeps answers that arrive within the timeout', async () => {
    const { attempts, total } = await paymentsThrough(await slowRouter(100));
    expect(attempts).toHaveLength(total);
    for (const attempt of attempts) {
      expect(attempt.outcome).toBe('ok');
      expect(attempt.end - attempt.start).toBeLessThan(TIMEOUT_MS);
    }
  });
});
