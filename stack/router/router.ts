/**
 * The global router: the single client entry point. It health-checks every region's API and forwards
 * each request to the highest-priority healthy region, failing over and back as health changes.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Pool, request as undiciRequest } from 'undici';
import { EnvironmentError } from '../../src/contract/errors.js';
import { STACK_PATHS } from '../../src/contract/stack-http.js';
import { createLogger, type Logger } from '../shared/log.js';
import { routerConfigSchema, type RouterConfigInput } from './config.js';
import { validateConfig } from './program-config.js';
import {
  errorCode,
  forward,
  gatewayStatus,
  notSent,
  requestBody,
  requestHeaders,
  type RequestBody,
} from './forward.js';
import { RegionHealth, type HealthChange } from './health.js';

export interface RouterStatus {
  active: string | null;
  regions: { name: string; healthy: boolean; consecutiveFailures: number; lastError: string | null }[];
}

export interface StartedRouter extends AsyncDisposable {
  readonly url: string;
  readonly host: string;
  readonly port: number;
  status(): RouterStatus;
  close(): Promise<void>;
}

const json = (
  res: http.ServerResponse,
  status: number,
  body: unknown,
  headers: http.OutgoingHttpHeaders = {},
) => {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(text),
    ...headers,
  });
  res.end(text);
};

export async function startRouter(
  input: RouterConfigInput,
  options: { logger?: Logger } = {},
): Promise<StartedRouter> {
  const config = validateConfig(routerConfigSchema, input, 'router config');
  const log = options.logger ?? createLogger({ runId: config.runId, component: 'router' });
  const health = new RegionHealth(
    config.regions.map((r) => r.name),
    config,
  );
  const pools = new Map(
    config.regions.map((r) => [
      r.name,
      new Pool(r.url, {
        connections: config.connections,
        keepAliveTimeout: 30_000,
        headersTimeout: config.requestTimeoutMs,
        bodyTimeout: config.requestTimeoutMs,
        connectTimeout: Math.min(config.requestTimeoutMs, 5_000),
      }),
    ]),
  );

  const report = (changes: HealthChange[]) => {
    for (const change of changes) {
      if (change.type === 'router.switch') {
        log.event('router.switch', `traffic now goes to ${change.to ?? 'no region (none healthy)'}`, {
          from: change.from,
          to: change.to,
        });
      } else if (change.type === 'router.region-unhealthy') {
        log.event('router.region-unhealthy', `region ${change.region} is unhealthy`, {
          region: change.region,
          consecutiveFailures: change.consecutiveFailures,
          error: change.error,
        });
      } else {
        log.event('router.region-healthy', `region ${change.region} is healthy again`, {
          region: change.region,
        });
      }
    }
  };

  const check = async (region: { name: string; url: string }) => {
    try {
      const { statusCode, body } = await undiciRequest(new URL('/readyz', region.url), {
        signal: AbortSignal.timeout(config.healthTimeoutMs),
      });
      await body.dump();
      report(
        health.record(
          region.name,
          statusCode < 300 ? { ok: true } : { ok: false, error: `HTTP ${statusCode}` },
        ),
      );
    } catch (error) {
      report(health.record(region.name, { ok: false, error: errorCode(error) }));
    }
  };
  let checking = false;
  const timer = setInterval(() => {
    if (checking) return; // a slow round (timeouts) never overlaps the next
    checking = true;
    void Promise.all(config.regions.map(check)).finally(() => (checking = false));
  }, config.healthIntervalMs);

  const status = (): RouterStatus => ({
    active: health.active,
    regions: health.regions.map(({ name, healthy, consecutiveFailures, lastError }) => ({
      name,
      healthy,
      consecutiveFailures,
      lastError,
    })),
  });

  const handle = async (req: http.IncomingMessage, res: http.ServerResponse) => {
    if (req.url === STACK_PATHS.routerStatus && req.method === 'GET') return json(res, 200, status());
    if (req.url === '/router/healthz' && req.method === 'GET') return json(res, 200, { ok: true });
    const candidates = health.healthyRegions();
    if (candidates.length === 0) {
      return json(res, 503, { error: 'no_healthy_region', message: 'no region passes its health check' });
    }
    const headers = requestHeaders(req);
    let body: RequestBody;
    try {
      body = await requestBody(req);
    } catch (error) {
      if (res.destroyed) return; // the client is gone: nobody to answer
      throw error;
    }
    for (const [index, region] of candidates.entries()) {
      const pool = pools.get(region) as Pool;
      try {
        await forward(pool, region, req, res, headers, body);
        return;
      } catch (error) {
        if (res.headersSent || res.destroyed) return;
        // Only a connection that was refused before anything was sent may be retried elsewhere: once a
        // request (a POST payment) has left, it may have taken effect in that region, and sending it again
        // to another region would turn one client attempt into two executions. The client owns retries
        // (with the same Idempotency-Key); we answer 502/504, which it classifies as "unknown outcome".
        const next = candidates[index + 1];
        if (notSent(error) && next !== undefined && body.resendable()) {
          log.warn('connect failed before sending; trying the next region', {
            region,
            next,
            code: errorCode(error),
          });
          continue;
        }
        return json(
          res,
          gatewayStatus(error),
          { error: 'upstream_failed', region, code: errorCode(error) },
          { 'x-routed-to': region },
        );
      }
    }
  };

  const server = http.createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      log.error('request handling failed', { error: (error as Error).message });
      if (!res.headersSent) json(res, 500, { error: 'router_internal' });
      else res.destroy();
    });
  });
  server.keepAliveTimeout = 65_000;
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(config.port, config.host, () => resolve());
    });
  } catch (cause) {
    clearInterval(timer);
    await Promise.all([...pools.values()].map((p) => p.close()));
    throw new EnvironmentError('ROUTER_LISTEN', `router cannot listen on ${config.host}:${config.port}`, {
      cause,
    });
  }
  const port = (server.address() as AddressInfo).port;
  const host = config.host.includes(':') ? `[${config.host}]` : config.host;
  const url = `http://${host}:${port}`;
  log.info('listening', { url, host: config.host, port });
  let closing: Promise<void> | undefined;
  const close = () => {
    closing ??= (async () => {
      clearInterval(timer);
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await Promise.all([...pools.values()].map((p) => p.destroy()));
    })();
    return closing;
  };
  return { url, host: config.host, port, status, close, [Symbol.asyncDispose]: close };
}
