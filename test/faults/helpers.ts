/**
 * Real-socket fixtures for the fault tests: the embedded Toxiproxy server with one proxy per link of a
 * small topology, each in front of a real loopback echo server, and clients that report what happened.
 */
import net from 'node:net';
import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Toxiproxy } from 'toxiproxy-node-client';
import { startToxiproxyServer, type RunningToxiproxyServer } from '../../src/toxiproxy/server.js';
import type { Topology } from '../../src/contract/topology.js';
import { planTopology } from '../../src/topology/plan.js';

export function smallTopology(regions: string[] = ['a', 'b'], primary = 'a'): Topology {
  return planTopology({
    runId: 'faults-test',
    regions,
    primary,
    replication: 'sync',
    stack: {
      bugs: [],
      failoverGraceMs: 1000,
      heartbeatIntervalMs: 100,
      routerHealthIntervalMs: 100,
      routerUnhealthyAfter: 2,
    },
    accounts: { count: 2, funding: 100, currency: 'USD' },
  });
}

export interface EchoServer {
  port: number;
  close(): Promise<void>;
}

export async function startEcho(): Promise<EchoServer> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => socket.destroy());
    socket.pipe(socket);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return {
    port: (server.address() as net.AddressInfo).port,
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

export interface FaultFixture extends AsyncDisposable {
  topology: Topology;
  server: RunningToxiproxyServer;
  toxiproxyUrl: string;
  /** link name -> the proxy's listen port */
  ports: Record<string, number>;
  dir: string;
  statePath: string;
}

/** The embedded server with a proxy per topology link, every proxy in front of one echo server. */
export async function startFixture(
  topology = smallTopology(),
  logger?: (record: object) => void,
): Promise<FaultFixture> {
  const dir = await mkdtemp(join(tmpdir(), 'chaosbank-faults-'));
  const echo = await startEcho();
  const server = await startToxiproxyServer({ port: 0, ...(logger === undefined ? {} : { logger }) });
  const client = new Toxiproxy(server.url);
  const created = await client.populate(
    topology.links.map((link) => ({
      name: link.name,
      listen: '127.0.0.1:0',
      upstream: `127.0.0.1:${echo.port}`,
    })),
  );
  const ports: Record<string, number> = {};
  for (const proxy of Object.values(created)) ports[proxy.name] = Number(proxy.listen.split(':').at(-1));
  const close = async (): Promise<void> => {
    await server.close();
    await echo.close();
    await rm(dir, { recursive: true, force: true });
  };
  return {
    topology,
    server,
    toxiproxyUrl: server.url,
    ports,
    dir,
    statePath: join(dir, 'faults.json'),
    [Symbol.asyncDispose]: close,
  };
}

export type EchoOutcome = { ok: true; ms: number } | { ok: false; error: string; ms: number };

/** Open a connection, send a line, wait for it to come back (or an error, or `timeoutMs`). */
export async function echoOnce(port: number, timeoutMs = 2000): Promise<EchoOutcome> {
  const started = performance.now();
  const socket = net.connect({ host: '127.0.0.1', port, noDelay: true });
  const payload = `ping ${Math.random()}\n`;
  let received = '';
  try {
    return await new Promise<EchoOutcome>((resolve) => {
      const done = (outcome: EchoOutcome): void => resolve(outcome);
      const timer = setTimeout(
        () => done({ ok: false, error: 'TIMEOUT', ms: performance.now() - started }),
        timeoutMs,
      );
      socket.on('connect', () => socket.write(payload));
      socket.on('data', (chunk: Buffer) => {
        received += chunk.toString('utf8');
        if (received === payload) {
          clearTimeout(timer);
          done({ ok: true, ms: performance.now() - started });
        }
      });
      socket.on('error', (error: NodeJS.ErrnoException) => {
        clearTimeout(timer);
        done({ ok: false, error: error.code ?? error.message, ms: performance.now() - started });
      });
      socket.on('close', () => {
        clearTimeout(timer);
        done({ ok: false, error: 'CLOSED', ms: performance.now() - started });
      });
    });
  } finally {
    socket.destroy();
  }
}

/** Wait for `condition` to hold, polling; fails with `what` after `timeoutMs`. */
export async function waitFor(what: string, condition: () => boolean | Promise<boolean>, timeoutMs = 5000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await condition()) return;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

export interface ProxyView {
  enabled: boolean;
  toxics: Array<{ name: string; type: string; stream: string }>;
}

/** What the server says about every proxy (raw GET /proxies). */
export async function proxiesOf(url: string): Promise<Record<string, ProxyView>> {
  const response = await fetch(`${url}/proxies`);
  return (await response.json()) as Record<string, ProxyView>;
}
