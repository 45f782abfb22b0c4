/** The global router against two small HTTP servers standing in for regional payments APIs. */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { request } from 'undici';
import type { ComponentLogLine } from '../../../src/contract/events.js';
import { createLogger } from '../../../stack/shared/log.js';
import { startRouter, type StartedRouter } from '../../../stack/router/router.js';
import { waitFor } from '../../../stack/postgres/wait.js';
import { HOST } from './helpers.js';

interface FakeRegion {
  name: string;
  url: string;
  ready: boolean;
  received: { method: string; url: string; headers: http.IncomingHttpHeaders; body: string }[];
  /** Drop the connection as soon as a request arrives (after it was sent). */
  dropRequests: boolean;
  close: () => Promise<void>;
}

async function fakeRegion(name: string, port = 0): Promise<FakeRegion> {
  const region: FakeRegion = {
    name,
    url: '',
    ready: true,
    received: [],
    dropRequests: false,
    close: async () => {},
  };
  const server = http.createServer((req, res) => {
    if (req.url === '/readyz') {
      res.writeHead(region.ready ? 200 : 503).end();
      return;
    }
    if (region.dropRequests) {
      req.socket.destroy();
      return;
    }
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString();
      region.received.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body });
      res.writeHead(201, {
        'content-type': 'application/json',
        'x-served-by-region': name,
        'x-primary-epoch': '7',
      });
      res.end(JSON.stringify({ region: name, body }));
    });
  });
  await new Promise<void>((resolve) => server.listen(port, HOST, resolve));
  region.url = `http://${HOST}:${(server.address() as AddressInfo).port}`;
  region.close = async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  };
  return region;
}

describe('router', () => {
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  async function setup(options: { unhealthyAfter?: number } = {}) {
    const a = await fakeRegion('us-east');
    const b = await fakeRegion('eu-west');
    cleanups.push(a.close, b.close);
    const lines: ComponentLogLine[] = [];
    const logger = createLogger({ runId: 'test', component: 'router' }, (line) =>
      lines.push(JSON.parse(line) as ComponentLogLine),
    );
    const router: StartedRouter = await startRouter(
      {
        runId: 'test',
        host: HOST,
        port: 0,
        regions: [
          { name: 'us-east', url: a.url },
          { name: 'eu-west', url: b.url },
        ],
        healthIntervalMs: 20,
        unhealthyAfter: options.unhealthyAfter ?? 2,
      },
      { logger },
    );
    cleanups.push(() => router.close());
    return { a, b, router, lines };
  }

  const pay = (router: StartedRouter, key: string) =>
    request(`${router.url}/v1/payments`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'idempotency-key': key, 'x-custom': 'yes' },
      body: JSON.stringify({ amount: 5 }),
    });

  it('forwards to the first region with every header and body, and passes the answer through', async () => {
    const { a, b, router, lines } = await setup();
    const res = await pay(router, 'k1');
    expect(res.statusCode).toBe(201);
    expect(res.headers['x-routed-to']).toBe('us-east');
    expect(res.headers['x-served-by-region']).toBe('us-east');
    expect(res.headers['x-primary-epoch']).toBe('7');
    expect(await res.body.json()).toEqual({ region: 'us-east', body: '{"amount":5}' });
    expect(a.received).toHaveLength(1);
    expect(a.received[0]).toMatchObject({ method: 'POST', url: '/v1/payments', body: '{"amount":5}' });
    expect(a.received[0]!.headers).toMatchObject({ 'idempotency-key': 'k1', 'x-custom': 'yes' });
    expect(b.received).toHaveLength(0);
    expect(lines.find((l) => l.msg === 'listening')).toMatchObject({ url: router.url, port: router.port });
  });

  it('fails over when the active region turns unhealthy and back when it recovers', async () => {
    const { a, b, router, lines } = await setup();
    a.ready = false;
    await waitFor(() => Promise.resolve(router.status().active === 'eu-west' ? true : undefined), {
      timeoutMs: 5_000,
      what: 'switch to eu-west',
    });
    expect(router.status().regions[0]).toMatchObject({ name: 'us-east', healthy: false });
    const res = await pay(router, 'k2');
    expect(res.headers['x-routed-to']).toBe('eu-west');
    await res.body.dump();
    expect(b.received.map((r) => r.headers['idempotency-key'])).toEqual(['k2']);

    a.ready = true;
    await waitFor(() => Promise.resolve(router.status().active === 'us-east' ? true : undefined), {
      timeoutMs: 5_000,
      what: 'switch back to us-east',
    });
    const events = lines.filter((l) => l.event).map((l) => [l.event, l.from ?? l.region, l.to]);
    expect(events).toEqual([
      ['router.region-unhealthy', 'us-east', undefined],
      ['router.switch', 'us-east', 'eu-west'],
      ['router.region-healthy', 'us-east', undefined],
      ['router.switch', 'eu-west', 'us-east'],
    ]);
    expect(lines.filter((l) => l.event).every((l) => typeof l.eventTime === 'number')).toBe(true);
  });

  it('retries a POST on the next region only when the connection was refused before sending', async () => {
    const { a, b, router } = await setup({ unhealthyAfter: 1_000 });
    await a.close(); // nothing listens there any more: connect is refused
    const res = await pay(router, 'k3');
    expect(res.statusCode).toBe(201);
    expect(res.headers['x-routed-to']).toBe('eu-west');
    await res.body.dump();
    expect(b.received.map((r) => r.body)).toEqual(['{"amount":5}']);
  });

  it('answers 502 and never re-sends a POST that may have reached the region', async () => {
    const { a, b, router } = await setup({ unhealthyAfter: 1_000 });
    a.dropRequests = true;
    const res = await pay(router, 'k4');
    expect(res.statusCode).toBe(502);
    expect(res.headers['x-routed-to']).toBe('us-east');
    expect(await res.body.json()).toMatchObject({ error: 'upstream_failed', region: 'us-east' });
    expect(b.received).toHaveLength(0);
  });

  it('answers 503 when no region is healthy, and reports its status', async () => {
    const { a, b, router } = await setup({ unhealthyAfter: 1 });
    a.ready = false;
    b.ready = false;
    await waitFor(() => Promise.resolve(router.status().active === null ? true : undefined), {
      timeoutMs: 5_000,
      what: 'no active',
    });
    const res = await pay(router, 'k5');
    expect(res.statusCode).toBe(503);
    await res.body.dump();
    const status = await request(`${router.url}/router/status`);
    expect(await status.body.json()).toMatchObject({
      active: null,
      regions: [
        { name: 'us-east', healthy: false },
        { name: 'eu-west', healthy: false },
      ],
    });
  });

  it('rejects a bad config with the offending path', async () => {
    await expect(
      startRouter({ runId: 'x', regions: [{ name: 'a', url: 'not a url' }] }),
    ).rejects.toMatchObject({
      code: 'CONFIG_INVALID',
      details: [expect.stringMatching(/^regions\.0\.url/)],
    });
  });
});
