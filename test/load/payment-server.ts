/**
 * A tiny in-memory payment API on loopback that speaks the stack's protocol (a test double at the
 * protocol boundary, for the engine's own tests; the real stack is tested in stack/ and test/e2e).
 * Several "regions" share one store, so cross-region duplicates meet the same idempotency keys.
 */
import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

interface StoredResponse {
  status: number;
  body: string;
  payload: string;
}

export interface PaymentServerOptions {
  regions?: string[];
  accounts?: number;
  funding?: number;
  currency?: string;
  /** Time a new payment stays "in flight" before it commits (makes concurrent duplicates meet a 409). */
  processingMs?: number;
  /** Answer 503 (without effect) to the first request of every key: forces retries. */
  failFirstAttempt?: boolean;
}

export interface PaymentServers extends AsyncDisposable {
  routerUrl: string;
  regionUrls: Record<string, string>;
  /** Every POST body received, per idempotency key, in arrival order. */
  received: Map<string, string[]>;
  /** Payments committed (one per key when idempotency holds). */
  committed: () => number;
  /** Stop answering: requests are held until resume(). */
  stall(): void;
  resume(): void;
  held(): number;
  close(): Promise<void>;
}

export async function startPaymentServers(options: PaymentServerOptions = {}): Promise<PaymentServers> {
  const regions = options.regions ?? ['us-east', 'eu-west'];
  const currency = options.currency ?? 'USD';
  const balances = new Map<string, number>();
  for (let i = 1; i <= (options.accounts ?? 100); i++)
    balances.set(`acc-${String(i).padStart(4, '0')}`, options.funding ?? 1_000_000);
  const completed = new Map<string, StoredResponse>();
  const inFlight = new Map<string, string>();
  const received = new Map<string, string[]>();
  const seenKeys = new Set<string>();
  let committed = 0;
  let nextId = 1;
  let stalled = false;
  let heldRequests: (() => void)[] = [];

  const handle = (region: string, req: IncomingMessage, res: ServerResponse, body: string): void => {
    const send = (status: number, payload: unknown, extra: Record<string, string> = {}): void => {
      const text = typeof payload === 'string' ? payload : JSON.stringify(payload);
      res.writeHead(status, {
        'content-type': 'application/json',
        'x-served-by-region': region,
        'x-primary-epoch': '1',
        ...extra,
      });
      res.end(text);
    };
    const url = req.url ?? '/';
    if (req.method === 'GET' && url.startsWith('/v1/accounts/')) {
      const id = url.slice('/v1/accounts/'.length);
      const balance = balances.get(id);
      if (balance === undefined) return send(404, { error: { type: 'not_found' } });
      return send(200, { id, currency, balance });
    }
    if (req.method !== 'POST' || url !== '/v1/payments') return send(404, { error: { type: 'not_found' } });
    const key = req.headers['idempotency-key'];
    if (typeof key !== 'string' || key === '')
      return send(400, { error: { type: 'missing_idempotency_key' } });
    const list = received.get(key) ?? [];
    list.push(body);
    received.set(key, list);
    if (options.failFirstAttempt === true && !seenKeys.has(key)) {
      seenKeys.add(key);
      return send(503, { error: { type: 'unavailable' } });
    }
    seenKeys.add(key);
    const stored = completed.get(key);
    if (stored !== undefined) {
      if (stored.payload !== body) return send(422, { error: { type: 'idempotency_key_reused' } });
      return send(stored.status, stored.body, { 'idempotent-replayed': 'true' });
    }
    const pending = inFlight.get(key);
    if (pending !== undefined) {
      if (pending !== body) return send(422, { error: { type: 'idempotency_key_reused' } });
      return send(409, { error: { type: 'idempotency_key_in_flight' } });
    }
    let parsed: { from?: unknown; to?: unknown; amount?: unknown; currency?: unknown };
    try {
      parsed = JSON.parse(body) as typeof parsed;
    } catch {
      return send(400, { error: { type: 'invalid_json' } });
    }
    const { from, to, amount } = parsed;
    if (typeof from !== 'string' || typeof to !== 'string' || typeof amount !== 'number' || from === to)
      return send(400, { error: { type: 'validation' } });
    inFlight.set(key, body);
    setTimeout(() => {
      inFlight.delete(key);
      const fromBalance = balances.get(from) ?? 0;
      let stored: StoredResponse;
      if (fromBalance < amount) {
        stored = {
          status: 402,
          body: JSON.stringify({ error: { type: 'insufficient_funds' } }),
          payload: body,
        };
      } else {
        balances.set(from, fromBalance - amount);
        balances.set(to, (balances.get(to) ?? 0) + amount);
        committed++;
        const payment = {
          id: `pay_${nextId++}`,
          from,
          to,
          amount,
          currency,
          status: 'succeeded',
          created_at: new Date().toISOString(),
          idempotency_key: key,
        };
        stored = { status: 201, body: JSON.stringify(payment), payload: body };
      }
      completed.set(key, stored);
      send(stored.status, stored.body);
    }, options.processingMs ?? 0);
  };

  const servers: Server[] = [];
  const listen = async (region: string): Promise<string> => {
    const server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const run = (): void => handle(region, req, res, Buffer.concat(chunks).toString('utf8'));
        if (stalled) heldRequests.push(run);
        else run();
      });
    });
    server.keepAliveTimeout = 60_000;
    servers.push(server);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  };

  const routerUrl = await listen(regions[0]!);
  const regionUrls: Record<string, string> = {};
  for (const region of regions) regionUrls[region] = await listen(region);

  const close = async (): Promise<void> => {
    stalled = false;
    heldRequests = [];
    await Promise.all(
      servers.map(
        (server) =>
          new Promise<void>((resolve) => {
            server.closeAllConnections();
            server.close(() => resolve());
          }),
      ),
    );
  };
  return {
    routerUrl,
    regionUrls,
    received,
    committed: () => committed,
    stall: () => {
      stalled = true;
    },
    resume: () => {
      stalled = false;
      const queued = heldRequests;
      heldRequests = [];
      for (const run of queued) run();
    },
    held: () => heldRequests.length,
    close,
    [Symbol.asyncDispose]: close,
  };
}
