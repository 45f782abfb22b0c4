/**
 * Robustness: random and malformed API requests never crash the server and always get a valid
 * status with a JSON error body; 10,000 proxied connections leave no bookkeeping or sockets behind.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import net from 'node:net';
import v8 from 'node:v8';
import { runInNewContext } from 'node:vm';
import fc from 'fast-check';
import { request } from 'undici';
import { startToxiproxyServer, type RunningToxiproxyServer } from '../../src/toxiproxy/server.js';
import { startEchoServer, waitFor, type TcpServerHandle } from './helpers.js';

let server: RunningToxiproxyServer;
let echo: TcpServerHandle;

beforeAll(async () => {
  echo = await startEchoServer();
  server = await startToxiproxyServer({ port: 0 });
});
afterAll(async () => {
  await server?.close();
  await echo?.close();
});

const method = fc.constantFrom('GET', 'POST', 'PATCH', 'DELETE', 'PUT', 'OPTIONS');
const segment = fc.oneof(
  fc.constantFrom(
    'proxies',
    'toxics',
    'populate',
    'reset',
    'version',
    'fz',
    'fz_toxic',
    '',
    '..',
    '%',
    '%2F',
    '%E0%A4%A',
  ),
  fc.stringMatching(/^[A-Za-z0-9_.~-]{1,12}$/),
);
const path = fc.array(segment, { minLength: 0, maxLength: 5 }).map((parts) => `/${parts.join('/')}`);
const attributeValue = fc.oneof(
  fc.integer({ min: -5, max: 5 }),
  fc.double(),
  fc.string(),
  fc.constant(null),
  fc.boolean(),
);
const jsonish = fc.oneof(
  fc
    .record(
      {
        name: fc.oneof(fc.constantFrom('fz', 'fz_toxic', ''), fc.string(), fc.integer()),
        // no random host names: they would be resolved through DNS (traffic stays on loopback)
        listen: fc.constantFrom(
          '127.0.0.1:0',
          'localhost:0',
          'nocolon',
          '[::1',
          '[::1]:0',
          '127.0.0.1:x',
          '',
        ),
        upstream: fc.oneof(fc.constant(`127.0.0.1:1`), fc.string()),
        enabled: fc.oneof(fc.boolean(), fc.string(), fc.constant(null)),
        type: fc.constantFrom(
          'latency',
          'bandwidth',
          'slow_close',
          'timeout',
          'reset_peer',
          'slicer',
          'limit_data',
          'noop',
          'down',
          '',
        ),
        stream: fc.constantFrom('upstream', 'downstream', 'DOWNSTREAM', 'sideways', ''),
        toxicity: fc.oneof(fc.double(), fc.string()),
        attributes: fc.oneof(
          fc.dictionary(
            fc.constantFrom(
              'latency',
              'jitter',
              'rate',
              'delay',
              'timeout',
              'average_size',
              'size_variation',
              'bytes',
              'x',
            ),
            attributeValue,
          ),
          fc.string(),
          fc.constant(null),
        ),
      },
      { requiredKeys: [] },
    )
    .map((value) => JSON.stringify(value)),
  fc.jsonValue().map((value) => JSON.stringify(value)),
  fc.string(),
  fc.constantFrom(
    '',
    '{',
    '[',
    'null',
    '[{"name":"fz"}]',
    '{"name":"fz","upstream":"127.0.0.1:1","listen":"127.0.0.1:0"}',
  ),
);

describe('API fuzzing', () => {
  it('answers every request with a valid status, a JSON body for errors, plain text for unknown paths', async () => {
    await fc.assert(
      fc.asyncProperty(method, path, fc.option(jsonish, { nil: undefined }), async (verb, url, body) => {
        const response = await request(`${server.url}${url}`, { method: verb as 'GET', body });
        const text = await response.body.text();
        expect(response.statusCode).toBeGreaterThanOrEqual(200);
        expect(response.statusCode).toBeLessThan(600);
        if (response.statusCode === 404 && text === '404 page not found\n') {
          expect(response.headers['content-type']).toBe('text/plain; charset=utf-8');
        } else if (response.statusCode >= 400) {
          const parsed = JSON.parse(text) as { error?: unknown; status?: unknown };
          expect(typeof parsed.error).toBe('string');
          expect(parsed.status).toBe(response.statusCode);
          // the only 500s are listen failures, never internal errors
          if (response.statusCode === 500) expect(parsed.error).toMatch(/^listen tcp /);
        } else if (response.statusCode !== 204) {
          expect(() => JSON.parse(text) as unknown).not.toThrow();
        }
      }),
      { numRuns: 1500 },
    );
    // Still alive and consistent.
    const proxies = await request(`${server.url}/proxies`);
    expect(proxies.statusCode).toBe(200);
    await proxies.body.json();
  });
});

/** `gc()` even without --expose-gc (the flag can be turned on at run time for new contexts). */
function exposeGc(): () => void {
  v8.setFlagsFromString('--expose-gc');
  return runInNewContext('gc') as () => void;
}

describe('connection churn', () => {
  it('10,000 connections opened and closed through a proxy leave nothing behind', async () => {
    const created = await request(`${server.url}/proxies`, {
      method: 'POST',
      body: JSON.stringify({ name: 'churn', listen: '127.0.0.1:0', upstream: echo.address }),
    });
    const { listen } = (await created.body.json()) as { listen: string };
    const port = Number(listen.split(':').pop());
    const total = 10_000;
    const parallel = 50;
    const gc = exposeGc();
    gc();
    const heapBefore = process.memoryUsage().heapUsed;
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < total) {
        const index = next++;
        await new Promise<void>((resolve, reject) => {
          const socket = net.connect({ host: '127.0.0.1', port });
          socket.on('error', reject);
          socket.once('connect', () => socket.write('x'));
          socket.once('data', () => (index % 2 === 0 ? socket.end() : socket.destroy()));
          socket.once('close', () => resolve());
        });
      }
    };
    await Promise.all(Array.from({ length: parallel }, worker));
    await waitFor(() => server.stats().connections === 0, 'proxy connection bookkeeping to empty', 20_000);
    await waitFor(() => echo.sockets.size === 0, 'upstream sockets to close', 20_000);
    const listener = await request(`${server.url}/proxies/churn`);
    expect(((await listener.body.json()) as { enabled: boolean }).enabled).toBe(true);
    gc();
    // Nothing per connection survives: growth stays far below 10,000 × a socket's footprint.
    expect(process.memoryUsage().heapUsed - heapBefore).toBeLessThan(20 * 1024 * 1024);
  }, 120_000);
});
