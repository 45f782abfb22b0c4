/**
 * Embedded Toxiproxy data path: added round-trip latency through one proxy (small ping-pong, vs the
 * same echo server directly) and bulk throughput through one proxy with no toxics (vs direct).
 * The proxy runs in its own child process; the client, echo and sink servers run here.
 * Env: BENCH_TOXIPROXY_ROUND_TRIPS (default 20000 per side and round), BENCH_TOXIPROXY_BYTES (1 GiB).
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import net from 'node:net';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import * as hdr from 'hdr-histogram-js';
import { Toxiproxy } from 'toxiproxy-node-client';
import type { BenchResult } from './run.js';

const ROUND_TRIPS = Number(process.env.BENCH_TOXIPROXY_ROUND_TRIPS ?? 20_000);
const WARMUP = 2_000;
const ROUNDS = 3;
const BULK_BYTES = Number(process.env.BENCH_TOXIPROXY_BYTES ?? 1024 ** 3);
const MESSAGE = Buffer.alloc(32, 'p');

const childJs = join(dirname(fileURLToPath(import.meta.url)), '_toxiproxy-proxy.js');

async function listen(server: net.Server): Promise<number> {
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return (server.address() as net.AddressInfo).port;
}

async function startProxyProcess(): Promise<{ url: string; stop(): Promise<void> }> {
  const child = spawn(process.execPath, [childJs], { stdio: ['pipe', 'pipe', 'inherit'] });
  const lines = createInterface({ input: child.stdout });
  const [first] = (await once(lines, 'line')) as [string];
  const { url } = JSON.parse(first) as { url: string };
  return {
    url,
    stop: async () => {
      const exited = once(child, 'exit');
      child.stdin.end();
      await exited;
    },
  };
}

/** Ping-pong `count` small messages over one connection; round-trip times (µs) go into `histogram`. */
async function pingPong(port: number, count: number, histogram?: hdr.Histogram): Promise<void> {
  const socket = net.connect({ host: '127.0.0.1', port, noDelay: true });
  await once(socket, 'connect');
  await new Promise<void>((resolve, reject) => {
    let done = 0;
    let pending = MESSAGE.length;
    let start = 0;
    socket.on('error', reject);
    socket.on('data', (chunk: Buffer) => {
      pending -= chunk.length;
      if (pending > 0) return;
      histogram?.recordValue(Math.max(1, Math.round((performance.now() - start) * 1000)));
      done += 1;
      if (done === count) return resolve();
      pending = MESSAGE.length;
      start = performance.now();
      socket.write(MESSAGE);
    });
    start = performance.now();
    socket.write(MESSAGE);
  });
  socket.destroy();
}

/**
 * Read BULK_BYTES from `port` (a source server streams them to each client) and resolve with MB/s
 * (10^6 B/s). The reader reuses one buffer (`onread`) so the measuring side stays cheap.
 */
async function bulk(port: number): Promise<number> {
  const readBuffer = Buffer.alloc(1024 * 1024);
  let received = 0;
  let start = 0;
  let socket: net.Socket | undefined;
  await new Promise<void>((resolve, reject) => {
    socket = net.connect({
      host: '127.0.0.1',
      port,
      noDelay: true,
      onread: {
        buffer: readBuffer,
        callback: (bytes) => {
          received += bytes;
          if (received >= BULK_BYTES) resolve();
          return true;
        },
      },
    });
    socket.once('connect', () => (start = performance.now()));
    socket.on('error', reject);
  });
  const seconds = (performance.now() - start) / 1000;
  socket?.destroy();
  return BULK_BYTES / seconds / 1e6;
}

/** Streams BULK_BYTES (one reused 1 MiB buffer) to every client, respecting backpressure. */
function startSource(): net.Server {
  const chunk = Buffer.alloc(1024 * 1024, 'x');
  return net.createServer({ noDelay: true }, (socket) => {
    socket.on('error', () => socket.destroy());
    let sent = 0;
    const pump = (): void => {
      while (sent < BULK_BYTES) {
        const piece = Math.min(chunk.length, BULK_BYTES - sent);
        sent += piece;
        if (!socket.write(piece === chunk.length ? chunk : chunk.subarray(0, piece)))
          return void socket.once('drain', pump);
      }
    };
    pump();
  });
}

const histogramOf = (): hdr.Histogram =>
  hdr.build({
    lowestDiscernibleValue: 1,
    highestTrackableValue: 60_000_000,
    numberOfSignificantValueDigits: 3,
  });

const percentiles = (h: hdr.Histogram) => ({
  p50: h.getValueAtPercentile(50),
  p90: h.getValueAtPercentile(90),
  p99: h.getValueAtPercentile(99),
  p999: h.getValueAtPercentile(99.9),
  count: h.totalCount,
});

export async function run(): Promise<BenchResult> {
  const echo = net.createServer({ noDelay: true }, (socket) => socket.pipe(socket));
  const sinkServer = startSource();
  const echoPort = await listen(echo);
  const sinkPort = await listen(sinkServer);
  const proxyProcess = await startProxyProcess();
  try {
    const api = new Toxiproxy(proxyProcess.url);
    const echoProxy = await api.createProxy({
      name: 'echo',
      listen: '127.0.0.1:0',
      upstream: `127.0.0.1:${echoPort}`,
    });
    const sinkProxy = await api.createProxy({
      name: 'source',
      listen: '127.0.0.1:0',
      upstream: `127.0.0.1:${sinkPort}`,
    });
    const echoProxyPort = Number(echoProxy.listen.split(':').pop());
    const sinkProxyPort = Number(sinkProxy.listen.split(':').pop());

    // Latency: alternate direct and proxied rounds so machine noise hits both sides alike.
    const direct = histogramOf();
    const proxied = histogramOf();
    await pingPong(echoPort, WARMUP);
    await pingPong(echoProxyPort, WARMUP);
    for (let round = 0; round < ROUNDS; round++) {
      await pingPong(echoPort, ROUND_TRIPS, direct);
      await pingPong(echoProxyPort, ROUND_TRIPS, proxied);
    }
    const directP = percentiles(direct);
    const proxiedP = percentiles(proxied);
    const added = { p50: proxiedP.p50 - directP.p50, p99: proxiedP.p99 - directP.p99 };

    // Throughput: alternate direct and proxied runs; the best run of each side is reported.
    const directMBps: number[] = [];
    const proxiedMBps: number[] = [];
    for (let round = 0; round < 3; round++) {
      directMBps.push(await bulk(sinkPort));
      proxiedMBps.push(await bulk(sinkProxyPort));
    }
    const throughput = Math.max(...proxiedMBps);
    const round1 = (n: number): number => Math.round(n * 10) / 10;

    return {
      description:
        'Round trips of 32-byte messages through one embedded Toxiproxy proxy vs direct to the same echo server (µs), and bulk throughput (MB/s = 10^6 B/s) through one proxy with no toxics vs direct. Proxy in its own process.',
      roundTripsPerSide: ROUND_TRIPS * ROUNDS,
      bulkBytes: BULK_BYTES,
      latencyMicros: { direct: directP, proxied: proxiedP, addedPerHop: added },
      throughputMBps: {
        direct: directMBps.map(round1),
        proxied: proxiedMBps.map(round1),
        bestProxied: round1(throughput),
        bestDirect: round1(Math.max(...directMBps)),
      },
      targets: {
        added_latency_p50_us: { target: '<= 40', value: added.p50, met: added.p50 <= 40 },
        added_latency_p99_us: { target: '<= 150', value: added.p99, met: added.p99 <= 150 },
        throughput_MBps: { target: '>= 900', value: round1(throughput), met: throughput >= 900 },
      },
    };
  } finally {
    await proxyProcess.stop();
    echo.close();
    sinkServer.close();
  }
}
