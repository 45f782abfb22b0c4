/**
 * The regional payments API of the reference stack: node:http, JSON, integer minor units.
 * `startApi(config)` is the library entry (tests run it in-process); main.ts is the process entry.
 */
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type pg from 'pg';
import { STACK_HEADERS, STACK_PATHS } from '../../src/contract/stack-http.js';
import { createLogger, type Logger } from '../shared/log.js';
import { parseApiConfig, type ApiConfig, type ApiConfigInput } from './config.js';
import { classifyDbError, createPool, errorMessage } from './db.js';
import { PrimaryDiscovery } from './discovery.js';
import { streamLedgerExport } from './export.js';
import { ApiMetrics } from './metrics.js';
import { MAX_KEY_LENGTH, parsePayment } from './payment-request.js';
import { errorBody, PaymentService } from './payments.js';

export interface StartedApi {
  url: string;
  port: number;
  close(): Promise<void>;
}

export interface StartApiOptions {
  /** Where JSON log lines go (default: stdout). */
  writeLog?: (line: string) => void;
}

const MAX_BODY_BYTES = 64 * 1024;
/** node:http gives request header names in lower case. */
const IDEMPOTENCY_KEY = STACK_HEADERS.idempotencyKey.toLowerCase();

const PAYMENT_BY_ID = `
  SELECT json_build_object('id', id, 'from', from_account, 'to', to_account, 'amount', amount,
    'currency', currency, 'status', 'succeeded', 'created_at', chaosbank_iso(created_at),
    'idempotency_key', idempotency_key)::text AS body
  FROM transactions WHERE id = $1 AND idempotency_key IS NOT NULL`;
const ACCOUNTS = `
  SELECT json_build_object('accounts', coalesce(json_agg(json_build_object('id', id, 'currency', currency,
    'balance', balance) ORDER BY id), '[]'::json))::text AS body
  FROM accounts WHERE NOT system`;
const ACCOUNT_BY_ID = `
  SELECT json_build_object('id', id, 'currency', currency, 'balance', balance)::text AS body
  FROM accounts WHERE id = $1 AND NOT system`;

export async function startApi(input: ApiConfigInput, options: StartApiOptions = {}): Promise<StartedApi> {
  const config = parseApiConfig(input, 'startApi');
  const log = createLogger(
    { runId: config.runId, component: `api@${config.region}`, region: config.region },
    options.writeLog,
  );
  const discovery = new PrimaryDiscovery(config.dbs, config.localDb, config.discoveryIntervalMs, log);
  const localPool = createPool(
    config.localDb,
    { max: 4, statementTimeoutMs: config.statementTimeoutMs, name: `chaosbank-api-${config.region}-reads` },
    log,
  );
  const payments = new PaymentService(config, discovery, log);
  const metrics = new ApiMetrics();
  const server = http.createServer({ keepAlive: true }, (req, res) => {
    const started = process.hrtime.bigint();
    const route = routeOf(req);
    res.setHeader(STACK_HEADERS.servedByRegion, config.region);
    res.on('finish', () =>
      metrics.observe(route, res.statusCode, Number(process.hrtime.bigint() - started) / 1e9),
    );
    handle({ req, res, route, config, discovery, localPool, payments, metrics, log }).catch(
      (error: unknown) => {
        log.error('request failed', { route, error: errorMessage(error) });
        if (!res.headersSent)
          send(res, 500, errorBody('internal', 'internal error'), discovery.primary?.epoch ?? null);
        else res.destroy();
      },
    );
  });
  server.keepAliveTimeout = 65_000;

  discovery.start();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.port, config.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  const host = config.host.includes(':') ? `[${config.host}]` : config.host;
  const url = `http://${host}:${port}`;
  log.info('listening', { url, host: config.host, port });

  let closing: Promise<void> | undefined;
  return {
    url,
    port,
    close: () =>
      (closing ??= (async () => {
        const stopped = new Promise<void>((resolve) => server.close(() => resolve()));
        server.closeIdleConnections();
        await payments.close();
        server.closeAllConnections();
        await stopped;
        await Promise.all([discovery.close(), localPool.end()]);
      })()),
  };
}

interface Context {
  req: IncomingMessage;
  res: ServerResponse;
  route: string;
  config: ApiConfig;
  discovery: PrimaryDiscovery;
  localPool: pg.Pool;
  payments: PaymentService;
  metrics: ApiMetrics;
  log: Logger;
}

function routeOf(req: IncomingMessage): string {
  const path = (req.url ?? '/').split('?')[0]!;
  if (path.startsWith(`${STACK_PATHS.payments}/`)) return '/v1/payments/:id';
  if (path.startsWith(`${STACK_PATHS.accounts}/`)) return '/v1/accounts/:id';
  const routes: string[] = [
    STACK_PATHS.payments,
    STACK_PATHS.accounts,
    STACK_PATHS.ledgerExport,
    '/healthz',
    '/readyz',
    '/metrics',
  ];
  if (routes.includes(path)) return path;
  return 'other';
}

async function handle(ctx: Context): Promise<void> {
  const { req, res, route, config, discovery } = ctx;
  const method = req.method ?? 'GET';
  const epoch = discovery.primary?.epoch ?? null;
  const expect = (m: string): boolean => {
    if (method === m) return true;
    res.setHeader('Allow', m);
    send(res, 405, errorBody('method_not_allowed', `${method} ${route} is not supported; use ${m}`), epoch);
    return false;
  };
  switch (route) {
    case STACK_PATHS.payments:
      if (expect('POST')) await postPayment(ctx);
      return;
    case '/healthz':
      if (expect('GET')) send(res, 200, '{"status":"ok"}', epoch);
      return;
    case '/readyz': {
      if (!expect('GET')) return;
      const reason = discovery.notReadyReason();
      const primary = discovery.primary;
      if (reason === null)
        send(res, 200, JSON.stringify({ status: 'ready', primary: primary?.region, epoch }), epoch);
      else send(res, 503, JSON.stringify({ status: 'not ready', reason }), epoch);
      return;
    }
    case '/metrics': {
      if (!expect('GET')) return;
      const text = ctx.metrics.render({
        region: config.region,
        primaryRegion: discovery.primary?.region ?? null,
        epoch,
        ready: discovery.notReadyReason() === null,
      });
      send(res, 200, text, epoch, 'text/plain; version=0.0.4');
      return;
    }
    case STACK_PATHS.ledgerExport:
      if (!expect('GET')) return;
      res.setHeader(STACK_HEADERS.primaryEpoch, String(epoch ?? 0));
      try {
        await streamLedgerExport(ctx.localPool, config.region, res);
      } catch (error) {
        if (res.headersSent) throw error;
        send(res, 503, errorBody('unavailable', `local database: ${errorMessage(error)}`), epoch);
      }
      return;
    case STACK_PATHS.accounts:
      if (expect('GET')) await readOne(ctx, ACCOUNTS, [], 'accounts');
      return;
    case '/v1/accounts/:id':
      if (expect('GET'))
        await readOne(ctx, ACCOUNT_BY_ID, [idOf(req, `${STACK_PATHS.accounts}/`)], 'account');
      return;
    case '/v1/payments/:id':
      if (expect('GET'))
        await readOne(ctx, PAYMENT_BY_ID, [idOf(req, `${STACK_PATHS.payments}/`)], 'payment');
      return;
    default:
      send(res, 404, errorBody('not_found', `no route ${method} ${req.url ?? ''}`), epoch);
  }
}

function idOf(req: IncomingMessage, prefix: string): string {
  return decodeURIComponent((req.url ?? '').split('?')[0]!.slice(prefix.length));
}

async function readOne(ctx: Context, sql: string, values: unknown[], what: string): Promise<void> {
  const epoch = ctx.discovery.primary?.epoch ?? null;
  let rows: { body: string }[];
  try {
    rows = (await ctx.localPool.query<{ body: string }>(sql, values)).rows;
  } catch (error) {
    if (classifyDbError(error) === 'bug') throw error;
    send(ctx.res, 503, errorBody('unavailable', `local database: ${errorMessage(error)}`), epoch);
    return;
  }
  const row = rows[0];
  if (row === undefined)
    send(ctx.res, 404, errorBody('not_found', `no such ${what}: ${String(values[0])}`), epoch);
  else send(ctx.res, 200, row.body, epoch);
}

async function postPayment(ctx: Context): Promise<void> {
  const { req, res, config, discovery, payments } = ctx;
  const epoch = discovery.primary?.epoch ?? null;
  const raw = await readBody(req);
  if (raw === null) {
    send(res, 413, errorBody('invalid_request', `body larger than ${MAX_BODY_BYTES} bytes`), epoch);
    return;
  }
  const key = req.headers[IDEMPOTENCY_KEY];
  if (typeof key !== 'string' || key === '' || key.length > MAX_KEY_LENGTH) {
    const message = `the Idempotency-Key header is required (1..${MAX_KEY_LENGTH} characters)`;
    send(res, config.statuses.missingKey, errorBody('idempotency_key_missing', message), epoch);
    return;
  }
  const parsed = parsePayment(raw);
  if (!parsed.ok) {
    send(res, 400, errorBody('invalid_request', parsed.message), epoch);
    return;
  }
  const result = await payments.pay(key, parsed.payload, parsed.hash);
  if (result.replayed) res.setHeader(STACK_HEADERS.idempotentReplayed, 'true');
  send(res, result.status, result.body, result.epoch);
  if (result.afterResponse !== undefined) {
    const after = result.afterResponse;
    // the seeded bugs' post-ack work starts once the response is on the wire
    const work = new Promise<void>((resolve) => res.once('finish', resolve)).then(after);
    payments.track(work);
  }
}

function readBody(req: IncomingMessage): Promise<string | null> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_BODY_BYTES) chunks.push(chunk);
    });
    req.on('end', () => resolve(size > MAX_BODY_BYTES ? null : Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function send(
  res: ServerResponse,
  status: number,
  body: string,
  epoch: number | null,
  type = 'application/json',
): void {
  res.writeHead(status, {
    'content-type': type,
    'content-length': Buffer.byteLength(body),
    [STACK_HEADERS.primaryEpoch]: String(epoch ?? 0),
  });
  res.end(body);
}
