/**
 * The reference floor for bench/load.ts: the cheapest open-loop client undici allows, i.e. arrivals
 * at a fixed rate through `Pool.dispatch` with a handler that only keeps the status, no history, no
 * statistics. argv = JSON {url, rate, durationS}. Prints {requests, ok, cpuUs}.
 * The engine's CPU per request minus this is what chaosbank's own code costs.
 */
import { Pool } from 'undici';
import type { Dispatcher } from 'undici';

interface Args {
  url: string;
  rate: number;
  durationS: number;
}

const args = JSON.parse(process.argv[2] ?? '{}') as Args;
const pool = new Pool(args.url, { connections: 256, pipelining: 1, headersTimeout: 2000, bodyTimeout: 2000 });
const body = JSON.stringify({ from: 'acc-0001', to: 'acc-0002', amount: 100, currency: 'USD' });
const total = Math.round(args.rate * args.durationS);
let sent = 0;
let done = 0;
let ok = 0;
let allDone: (() => void) | undefined;

class StatusOnly implements Dispatcher.DispatchHandler {
  private status = 0;
  onConnect(): void {}
  onHeaders(statusCode: number): boolean {
    this.status = statusCode;
    return true;
  }
  onData(): boolean {
    return true;
  }
  onComplete(): void {
    if (this.status >= 200 && this.status < 300) ok++;
    finished();
  }
  onError(): void {
    finished();
  }
}

function finished(): void {
  if (++done === total) allDone?.();
}

const cpu = process.cpuUsage();
const startedAt = performance.now();
const complete = new Promise<void>((resolve) => (allDone = resolve));
const tick = (): void => {
  const due = Math.min(total, Math.floor(((performance.now() - startedAt) * args.rate) / 1000) + 1);
  for (; sent < due; sent++)
    pool.dispatch(
      {
        method: 'POST',
        path: '/v1/payments',
        headers: ['content-type', 'application/json', 'idempotency-key', `k${sent}`],
        body,
      },
      new StatusOnly(),
    );
  if (sent < total) setTimeout(tick, 1);
};
tick();
await complete;
const used = process.cpuUsage(cpu);
await pool.close();
process.stdout.write(`${JSON.stringify({ requests: done, ok, cpuUs: used.user + used.system })}\n`);
