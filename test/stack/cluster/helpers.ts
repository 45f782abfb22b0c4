/** Shared helpers of the cluster tests: free loopback ports, temp dirs, a bootstrapped cluster, a TCP relay. */
import { mkdtemp, rm } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { handoverPort } from '../../../drivers/local/handover-port.js';
import { bootstrapCluster, type BootstrapOptions, type Cluster } from '../../../stack/postgres/index.js';

export const HOST = '127.0.0.1';

/** A port PostgreSQL can be handed (outside the ephemeral range: see handover-port.ts). */
export const freePort = (): Promise<number> => handoverPort(HOST);

export async function tempDir(prefix: string): Promise<string> {
  return mkdtemp(path.join(os.tmpdir(), `chaosbank-${prefix}-`));
}

export async function removeDir(dir: string | undefined): Promise<void> {
  if (dir) await rm(dir, { recursive: true, force: true });
}

export const REGIONS = ['us-east', 'eu-west', 'ap-south'];

/** Bootstrap a cluster on fresh handover ports; retries (new ports, new dir) when a port was taken meanwhile. */
export async function startTestCluster(
  baseDir: string,
  options: Partial<BootstrapOptions> & Pick<BootstrapOptions, 'replication'>,
): Promise<Cluster> {
  const regions = options.regions ?? REGIONS;
  let lastError: unknown;
  for (let attempt = 0; attempt < 3; attempt++) {
    const addresses: BootstrapOptions['addresses'] = {};
    for (const region of regions) addresses[region] = { host: HOST, port: await freePort() };
    try {
      return await bootstrapCluster({
        runId: 'test',
        regions,
        primary: regions[0]!,
        leaseMs: 60_000,
        addresses,
        ...options,
        baseDir: path.join(baseDir, `cluster-${attempt}`),
      });
    } catch (error) {
      lastError = error;
      if (!String((error as Error).message).match(/exited while starting|address already in use/i))
        throw error;
    }
  }
  throw lastError;
}

export interface Relay {
  port: number;
  /** Stop accepting and cut every open connection (a partition). */
  cut(): Promise<void>;
  /** Accept and forward again. */
  restore(): Promise<void>;
  /** Delay every chunk by `ms` in both directions (0: forward at once) — a slow link or server. */
  setLatency(ms: number): void;
  close(): Promise<void>;
}

/**
 * A plain TCP relay to `target` on a fixed loopback port, to cut and restore a link in tests (the local
 * driver uses Toxiproxy for this; here a dozen lines of net do).
 */
export async function startRelay(target: { host: string; port: number }): Promise<Relay> {
  const sockets = new Set<net.Socket>();
  let server: net.Server | undefined;
  let port = 0;
  let latencyMs = 0;
  const forward = (from: net.Socket, to: net.Socket) =>
    from.on('data', (chunk: Buffer) => {
      if (latencyMs === 0) to.write(chunk);
      else setTimeout(() => to.writable && to.write(chunk), latencyMs);
    });
  const listen = async () => {
    const srv = net.createServer((client) => {
      const upstream = net.connect(target.port, target.host);
      sockets.add(client).add(upstream);
      const drop = () => {
        client.destroy();
        upstream.destroy();
        sockets.delete(client);
        sockets.delete(upstream);
      };
      client.on('error', drop).on('close', drop);
      upstream.on('error', drop).on('close', drop);
      forward(client, upstream);
      forward(upstream, client);
    });
    await new Promise<void>((resolve, reject) => {
      srv.once('error', reject);
      srv.listen(port, HOST, resolve);
    });
    port = (srv.address() as net.AddressInfo).port;
    server = srv;
  };
  const cut = async () => {
    const srv = server;
    server = undefined;
    for (const socket of sockets) socket.destroy();
    sockets.clear();
    if (srv) await new Promise<void>((resolve) => srv.close(() => resolve()));
  };
  await listen();
  return {
    get port() {
      return port;
    },
    cut,
    setLatency: (ms: number) => {
      latencyMs = ms;
    },
    restore: async () => {
      if (!server) await listen();
    },
    close: cut,
  };
}
