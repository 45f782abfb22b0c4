/**
 * Embedded Toxiproxy data path: added round-trip latency per proxy hop (ping-pong of small messages)
 * and bulk throughput through one proxy with no toxics.
 *
 * Every party runs in its own process, as in a real deployment: this process is the client, the
 * echo and bulk-source servers run in one child, each proxy in another. Sides measured:
 * - direct: client -> upstream process (the baseline);
 * - plainPipe: client -> a plain Node `c.pipe(u).pipe(c)` proxy process -> upstream (the reference:
 *   what one process hop costs on this machine, whatever the proxy's code);
 * - embedded: client -> our embedded Toxiproxy process -> upstream, with the options `chaosbank
 *   toxiproxy` uses by default (busy polling DEFAULT_BUSY_POLL_US while a core is spare);
 * - embeddedNoBusyPoll: the same with busy polling off (`--busy-poll-us 0`, the library's default).
 * Added latency per hop = proxied percentiles minus direct percentiles. `sameProcessDirect` is the
 * baseline before 2026-11 (echo server inside the client process: a round trip never wakes a
 * sleeping process, so it is unrealistically fast); it is kept, labelled, for comparison only.
 *
 * Env: BENCH_TOXIPROXY_ROUND_TRIPS (default 6000 per side and round, 10 rounds),
 * BENCH_TOXIPROXY_BYTES (default 1 GiB per bulk run), BENCH_TOXIPROXY_CPU_PROF_DIR (write --cpu-prof
 * profiles of the proxy processes there).
 *
 * `npm run bench -- toxiproxy-busy-core` runs the same with one more process spinning on a core for the
 * whole run (another workload on the machine), results in bench/results/toxiproxy-busy-core.json.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import net from 'node:net';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import * as hdr from 'hdr-histogram-js';
import { Toxiproxy } from 'toxiproxy-node-client';
import os from 'node:os';
import type { BenchResult } from './run.js';
import { measurePhase } from './_machine-load.js';
import { DEFAULT_BUSY_POLL_US } from '../src/toxiproxy/busy-poll.js';

const ROUND_TRIPS = Number(process.env.BENCH_TOXIPROXY_ROUND_TRIPS ?? 6_000);
const WARMUP = 2_000;
/** Many short latency rounds, so that bursts of other people's work hit every side alike. */
const LATENCY_ROUNDS = 10;
const BULK_ROUNDS = 3;
const BULK_BYTES = Number(process.env.BENCH_TOXIPROXY_BYTES ?? 1024 ** 3);
const CPU_PROF_DIR = process.env.BENCH_TOXIPROXY_CPU_PROF_DIR;
const MESSAGE = Buffer.alloc(32, 'p');

const here = dirname(fileURLToPath(import.meta.url));

interface Child<Info> {
  pid: number;
  info: Info;
  stop: () => Promise<void>;
}

/** Start `bench/<script>.js`, read the JSON line it prints when ready; stop() closes its stdin. */
async function startChild<Info>(
  script: string,
  args: string[],
  nodeArgs: string[] = [],
): Promise<Child<Info>> {
  const child = spawn(process.execPath, [...nodeArgs, join(here, `${script}.js`), ...args], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const lines = createInterface({ input: child.stdout });
  const [first] = (await once(lines, 'line')) as [string];
  return {
    pid: child.pid!,
    info: JSON.parse(first) as Info,
    stop: async () => {
      const exited = once(child, 'exit');
      child.stdin.end();
      await exited;
    },
  };
}

const profileArgs = (name: string): string[] =>
  CPU_PROF_DIR ? ['--cpu-prof', `--cpu-prof-dir=${CPU_PROF_DIR}`, `--cpu-prof-name=${name}.cpuprofile`] : [];

async function listen(server: net.Server): Promise<number> {
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return (server.address() as net.AddressInfo).port;
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

type Percentiles = ReturnType<typeof percentiles>;

const addedOver = (baseline: Percentiles, proxied: Percentiles) => ({
  p50: proxied.p50 - baseline.p50,
  p99: proxied.p99 - baseline.p99,
});

const round1 = (n: number): number => Math.round(n * 10) / 10;

/** Port pairs of one side: where the ping-pong and the bulk reads connect. */
interface Side {
  echoPort: number;
  sourcePort: number;
}

async function createEmbeddedProxies(url: string, upstream: Side): Promise<Side> {
  const api = new Toxiproxy(url);
  const portOf = (listen: string): number => Number(listen.split(':').pop());
  const echo = await api.createProxy({
    name: 'echo',
    listen: '127.0.0.1:0',
    upstream: `127.0.0.1:${upstream.echoPort}`,
  });
  const source = await api.createProxy({
    name: 'source',
    listen: '127.0.0.1:0',
    upstream: `127.0.0.1:${upstream.sourcePort}`,
  });
  return { echoPort: portOf(echo.listen), sourcePort: portOf(source.listen) };
}

const SIDES = ['direct', 'plainPipe', 'embedded', 'embeddedNoBusyPoll'] as const;
type SideName = (typeof SIDES)[number];

/** Ping-pong rounds alternate between the sides, so that machine noise hits them alike. */
async function measureLatency(sameProcessEchoPort: number, sides: Record<SideName, Side>) {
  const sameProcess = histogramOf();
  const histograms = Object.fromEntries(SIDES.map((name) => [name, histogramOf()])) as Record<
    SideName,
    hdr.Histogram
  >;
  await pingPong(sameProcessEchoPort, WARMUP);
  for (const name of SIDES) await pingPong(sides[name].echoPort, WARMUP);
  for (let round = 0; round < LATENCY_ROUNDS; round++) {
    await pingPong(sameProcessEchoPort, ROUND_TRIPS, sameProcess);
    for (const name of SIDES) await pingPong(sides[name].echoPort, ROUND_TRIPS, histograms[name]);
  }
  const of = Object.fromEntries(SIDES.map((name) => [name, percentiles(histograms[name])])) as Record<
    SideName,
    Percentiles
  >;
  return { ...of, sameProcessDirect: percentiles(sameProcess) };
}

/** Bulk runs alternate between the sides; MB/s of each run. */
async function measureThroughput(sides: Record<SideName, Side>): Promise<Record<SideName, number[]>> {
  const runs = Object.fromEntries(SIDES.map((name) => [name, [] as number[]])) as Record<SideName, number[]>;
  for (let round = 0; round < BULK_ROUNDS; round++) {
    for (const name of SIDES) runs[name].push(round1(await bulk(sides[name].sourcePort)));
  }
  return runs;
}

const loadAverage = (): number[] => os.loadavg().map((n) => Math.round(n * 100) / 100);

/**
 * A process that keeps one core busy (someone else's work on the machine) until its stdin closes, so it
 * also ends when this benchmark dies, however it dies.
 */
const SPINNER = `process.stdin.on('end', () => process.exit(0)).resume();
const spin = () => { const until = Date.now() + 50; while (Date.now() < until); setImmediate(spin); };
spin();`;

function startSpinner(): () => Promise<void> {
  const child = spawn(process.execPath, ['-e', SPINNER], { stdio: ['pipe', 'ignore', 'inherit'] });
  return async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = once(child, 'exit');
    child.stdin.end();
    await exited;
  };
}

export const run = (): Promise<BenchResult> => measure({ busyCoreElsewhere: false });

export async function measure(options: { busyCoreElsewhere: boolean }): Promise<BenchResult> {
  const loadAverageAtStart = loadAverage();
  const stops: (() => Promise<void>)[] = [];
  if (options.busyCoreElsewhere) stops.push(startSpinner());
  const sameProcessEcho = net.createServer({ noDelay: true }, (socket) => socket.pipe(socket));
  try {
    const sameProcessEchoPort = await listen(sameProcessEcho);
    const upstream = await startChild<Side>('_toxiproxy-upstream', [String(BULK_BYTES)]);
    stops.push(upstream.stop);
    const pipe = await startChild<{ ports: [number, number] }>(
      '_toxiproxy-pipe',
      [String(upstream.info.echoPort), String(upstream.info.sourcePort)],
      profileArgs('plain-pipe'),
    );
    stops.push(pipe.stop);
    const embedded = await startChild<{ url: string }>(
      '_toxiproxy-proxy',
      [String(DEFAULT_BUSY_POLL_US)],
      profileArgs('embedded'),
    );
    stops.push(embedded.stop);
    const noBusyPoll = await startChild<{ url: string }>(
      '_toxiproxy-proxy',
      ['0'],
      profileArgs('embedded-no-busy-poll'),
    );
    stops.push(noBusyPoll.stop);
    const pids = [upstream.pid, pipe.pid, embedded.pid, noBusyPoll.pid];

    const sides: Record<SideName, Side> = {
      direct: upstream.info,
      plainPipe: { echoPort: pipe.info.ports[0], sourcePort: pipe.info.ports[1] },
      embedded: await createEmbeddedProxies(embedded.info.url, upstream.info),
      embeddedNoBusyPoll: await createEmbeddedProxies(noBusyPoll.info.url, upstream.info),
    };

    const latency = await measurePhase(pids, () => measureLatency(sameProcessEchoPort, sides));
    const throughput = await measurePhase(pids, () => measureThroughput(sides));
    const lat = latency.result;
    const added = addedOver(lat.direct, lat.embedded);
    const best = (name: SideName): number => Math.max(...throughput.result[name]);
    const ours = best('embedded');

    return {
      description:
        'Round trips of 32-byte messages (µs) and bulk throughput with no toxics (MB/s = 10^6 B/s). Client, upstream servers and each proxy run in separate processes. direct = client -> upstream; plainPipe = through a plain Node socket pipe process (reference: the cost of a process hop); embedded = through our embedded Toxiproxy process with the options of `chaosbank toxiproxy` (busy polling ' +
        `${DEFAULT_BUSY_POLL_US} µs while a core is spare; the targets apply to it); embeddedNoBusyPoll = the same with --busy-poll-us 0. addedPerHop = proxied minus direct percentiles. sameProcessDirect is the old baseline (echo server inside the client process), kept for comparison only. machine: how busy the shared machine was during each phase, and how much of that was this benchmark. busyCoreElsewhere: one more process kept a core busy for the whole run.`,
      busyCoreElsewhere: options.busyCoreElsewhere,
      roundTripsPerSide: ROUND_TRIPS * LATENCY_ROUNDS,
      bulkBytes: BULK_BYTES,
      machine: {
        loadAverageAtStart,
        loadAverageAtEnd: loadAverage(),
        latencyPhase: latency.load,
        throughputPhase: throughput.load,
      },
      latencyMicros: {
        direct: lat.direct,
        plainPipe: lat.plainPipe,
        embedded: lat.embedded,
        embeddedNoBusyPoll: lat.embeddedNoBusyPoll,
        addedPerHop: {
          plainPipe: addedOver(lat.direct, lat.plainPipe),
          embedded: added,
          embeddedNoBusyPoll: addedOver(lat.direct, lat.embeddedNoBusyPoll),
        },
        embeddedOverPlainPipe: addedOver(lat.plainPipe, lat.embedded),
        sameProcessDirect: lat.sameProcessDirect,
      },
      throughputMBps: {
        runs: throughput.result,
        best: Object.fromEntries(SIDES.map((name) => [name, best(name)])),
        embeddedOverPlainPipe: Math.round((100 * ours) / best('plainPipe')) / 100,
      },
      targets: {
        added_latency_p50_us: { target: '<= 40', value: added.p50, met: added.p50 <= 40 },
        added_latency_p99_us: { target: '<= 150', value: added.p99, met: added.p99 <= 150 },
        throughput_MBps: { target: '>= 900', value: ours, met: ours >= 900 },
      },
    };
  } finally {
    for (const stop of stops.reverse()) await stop();
    sameProcessEcho.close();
  }
}
