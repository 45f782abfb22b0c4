import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import type { Attempt } from '../../src/history/attempt.js';
import { runLoad } from '../../src/load/engine.js';
import { loadSpec } from './helpers.js';

/** Requests seen by one loopback server, in arrival order, as "METHOD path". */
interface RecordingServer {
  url: string;
  seen: string[];
}

const servers: Server[] = [];
afterEach(async () => {
  for (const server of servers.splice(0)) {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
});

async function recordingServer(): Promise<RecordingServer> {
  const seen: string[] = [];
  const server = createServer((req, res) => {
    seen.push(`${req.method} ${req.url}`);
    req.resume();
    req.on('end', () => {
      const body = req.method === 'GET' ? '{"id":"acc-0001","balance":5}' : `{"id":"pay_${seen.length}"}`;
      res.writeHead(req.method === 'GET' ? 200 : 201, { 'content-type': 'application/json' }).end(body);
    });
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, seen };
}

describe('warm-up before the first arrival', () => {
  it('sends load.warmUp balance reads to every target before any payment, and records none', async () => {
    const router = await recordingServer();
    const east = await recordingServer();
    const west = await recordingServer();
    const attempts: Attempt[] = [];
    const summary = await runLoad({
      load: loadSpec({ rate: 100, duration: '300ms', warmUp: 40, mix: { crossRegionDuplicates: 0.5 } }),
      targets: { router: router.url, regions: { 'us-east': east.url, 'eu-west': west.url } },
      seed: 7,
      onAttempt: (attempt) => attempts.push(attempt),
    });
    expect(summary.warmUp).toMatchObject({ sent: 120, answered: 120 });
    for (const server of [router, east, west]) {
      const firstPost = server.seen.findIndex((line) => line.startsWith('POST'));
      expect(server.seen.slice(0, 40)).toEqual(Array(40).fill('GET /v1/accounts/acc-0001'));
      // the region servers only get cross-region duplicates, so they may see no payment at all
      if (firstPost >= 0) expect(firstPost).toBe(40);
    }
    expect(attempts.some((a) => a.kind === 'read')).toBe(false);
    expect(summary.requests).toBe(attempts.length);
    expect(summary.byKind.read).toBe(0);
  });

  it('gives up quickly on a target that refuses connections, and the run still happens', async () => {
    const { url } = await recordingServer();
    for (const server of servers.splice(0)) await new Promise((resolve) => server.close(resolve));
    const summary = await runLoad({
      load: loadSpec({ rate: 50, duration: '200ms', warmUp: 30, retry: { attempts: 1 } }),
      targets: { router: url },
      seed: 8,
    });
    expect(summary.warmUp.sent).toBe(30);
    expect(summary.warmUp.answered).toBe(0);
    expect(summary.requests).toBe(10);
    expect(summary.errors.ECONNREFUSED).toBe(10);
  });

  it('is skipped with warmUp: 0', async () => {
    const router = await recordingServer();
    const summary = await runLoad({
      load: loadSpec({ rate: 50, duration: '200ms', warmUp: 0 }),
      targets: { router: router.url },
      seed: 9,
    });
    expect(summary.warmUp.sent).toBe(0);
    expect(router.seen.every((line) => line.startsWith('POST'))).toBe(true);
    expect(router.seen).toHaveLength(10);
  });
});
