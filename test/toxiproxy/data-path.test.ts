/**
 * The TCP data path with real sockets: every toxic on new and on already-open connections,
 * disable/enable and /reset. Times are measured with tolerances; waits are on conditions.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import net from 'node:net';
import { Toxiproxy, type Proxy } from 'toxiproxy-node-client';
import { startToxiproxyServer, type RunningToxiproxyServer } from '../../src/toxiproxy/server.js';
import {
  connect,
  roundTrip,
  startEchoServer,
  waitFor,
  type Client,
  type TcpServerHandle,
} from './helpers.js';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

interface Fixture {
  server: RunningToxiproxyServer;
  echo: TcpServerHandle;
  proxy: Proxy;
  port: number;
  open(): Promise<Client>;
}

async function fixture(): Promise<Fixture> {
  const echo = await startEchoServer();
  cleanups.push(() => echo.close());
  const server = await startToxiproxyServer({ port: 0 });
  cleanups.push(() => server.close());
  const proxy = await new Toxiproxy(server.url).createProxy({
    name: 'p',
    listen: '127.0.0.1:0',
    upstream: echo.address,
  });
  const port = Number(proxy.listen.split(':').pop());
  return {
    server,
    echo,
    proxy,
    port,
    open: async () => {
      const client = await connect(port);
      cleanups.push(() => void client.socket.destroy());
      // the upstream is dialled (so both links exist) once the echo server holds one more socket
      const before = echo.sockets.size;
      await waitFor(() => echo.sockets.size > before, 'the upstream connection');
      return client;
    },
  };
}

/** `upstream` listening on a free port, an embedded server, and a proxy in front; all closed after the test. */
async function proxyInFrontOf(upstream: net.Server, name: string): Promise<{ proxy: Proxy; port: number }> {
  await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve));
  cleanups.push(() => new Promise<void>((resolve) => upstream.close(() => resolve())));
  const server = await startToxiproxyServer({ port: 0 });
  cleanups.push(() => server.close());
  const proxy = await new Toxiproxy(server.url).createProxy({
    name,
    listen: '127.0.0.1:0',
    upstream: `127.0.0.1:${(upstream.address() as net.AddressInfo).port}`,
  });
  return { proxy, port: Number(proxy.listen.split(':').pop()) };
}

/** Open a client before (existing) or after (new) adding the toxic, then hand it to `check`. */
function onBoth(
  title: string,
  toxic: {
    type: string;
    stream?: 'upstream' | 'downstream';
    toxicity?: number;
    attributes: Record<string, number>;
  },
  check: (client: Client, f: Fixture, when: 'new' | 'existing') => Promise<void>,
): void {
  for (const when of ['new', 'existing'] as const) {
    it(`${title} (${when} connection)`, async () => {
      const f = await fixture();
      const early = when === 'existing' ? await f.open() : undefined;
      await f.proxy.addToxic({ name: 't', stream: 'downstream', toxicity: 1, ...toxic } as never);
      await check(early ?? (await f.open()), f, when);
    });
  }
}

describe('toxics on the data path', () => {
  onBoth(
    'latency delays each chunk',
    { type: 'latency', attributes: { latency: 150, jitter: 0 } },
    async (client) => {
      for (let i = 0; i < 3; i++) {
        const elapsed = await roundTrip(client, `x${i}`);
        expect(elapsed).toBeGreaterThanOrEqual(145);
        expect(elapsed).toBeLessThan(400);
      }
    },
  );

  onBoth(
    'latency jitter stays within latency ± jitter',
    { type: 'latency', attributes: { latency: 100, jitter: 60 } },
    async (client) => {
      const samples: number[] = [];
      for (let i = 0; i < 12; i++) samples.push(await roundTrip(client, `j${i}`));
      expect(Math.min(...samples)).toBeGreaterThanOrEqual(38);
      expect(Math.max(...samples)).toBeLessThan(160 + 100);
      expect(Math.max(...samples) - Math.min(...samples)).toBeGreaterThan(10);
    },
  );

  it('latency toxics stack and do not cap throughput', async () => {
    const f = await fixture();
    await f.proxy.addToxic({
      name: 'a',
      type: 'latency',
      stream: 'upstream',
      toxicity: 1,
      attributes: { latency: 100, jitter: 0 },
    });
    await f.proxy.addToxic({
      name: 'b',
      type: 'latency',
      stream: 'downstream',
      toxicity: 1,
      attributes: { latency: 100, jitter: 0 },
    });
    await f.proxy.addToxic({
      name: 'c',
      type: 'latency',
      stream: 'downstream',
      toxicity: 1,
      attributes: { latency: 100, jitter: 0 },
    });
    const client = await f.open();
    expect(await roundTrip(client, 'stack')).toBeGreaterThanOrEqual(295);
    // 4 MB in many chunks still arrives in about one delay, not one delay per chunk.
    const payload = Buffer.alloc(4 * 1024 * 1024, 7);
    const elapsed = await roundTrip(client, payload.toString('latin1'), payload.length);
    expect(elapsed).toBeLessThan(3000);
  });

  onBoth(
    'bandwidth limits the rate (KB/s = 1000 B/s)',
    { type: 'bandwidth', attributes: { rate: 100 } },
    async (client) => {
      const elapsed = await roundTrip(client, 'b'.repeat(50_000));
      // 50,000 B at 100,000 B/s = 500 ms
      expect(elapsed).toBeGreaterThan(400);
      expect(elapsed).toBeLessThan(1100);
    },
  );

  onBoth(
    'bandwidth rate 0 stalls until the toxic is removed',
    { type: 'bandwidth', attributes: { rate: 0 } },
    async (client, f) => {
      client.socket.write('stalled');
      await new Promise((resolve) => setTimeout(resolve, 200)); // observation window, not synchronisation
      expect(client.bytes()).toBe(0);
      await (await f.proxy.getToxic('t')).remove();
      await waitFor(() => client.text() === 'stalled', 'stalled data after removal');
    },
  );

  onBoth(
    'timeout drops data and closes after the timeout',
    { type: 'timeout', attributes: { timeout: 300 } },
    async (client, _f, when) => {
      const start = performance.now();
      client.socket.write('dropped');
      await client.closed;
      const elapsed = performance.now() - start;
      expect(client.bytes()).toBe(0);
      // the timer starts when the toxic starts on the link (at add for existing connections)
      expect(elapsed).toBeLessThan(1500);
      if (when === 'new') expect(elapsed).toBeGreaterThan(150);
    },
  );

  onBoth(
    'timeout 0 holds until removed, removal closes the connection',
    { type: 'timeout', attributes: { timeout: 0 } },
    async (client, f) => {
      client.socket.write('held');
      await new Promise((resolve) => setTimeout(resolve, 200)); // observation window
      expect(client.events).not.toContain('close');
      await (await f.proxy.getToxic('t')).remove();
      await client.closed;
      expect(client.bytes()).toBe(0);
    },
  );

  it('reset_peer on a new connection: the client sees ECONNRESET after the timeout', async () => {
    const f = await fixture();
    await f.proxy.addToxic({
      name: 't',
      type: 'reset_peer',
      stream: 'upstream',
      toxicity: 1,
      attributes: { timeout: 100 },
    });
    const client = await connect(f.port);
    cleanups.push(() => void client.socket.destroy());
    const start = performance.now();
    client.socket.write('boom');
    const { error } = await client.closed;
    expect(error?.code).toBe('ECONNRESET');
    expect(performance.now() - start).toBeGreaterThanOrEqual(90);
  });

  it('reset_peer added to an open connection closes it on the next data (RST only for toxics present at accept)', async () => {
    const f = await fixture();
    const client = await f.open();
    await f.proxy.addToxic({
      name: 't',
      type: 'reset_peer',
      stream: 'upstream',
      toxicity: 1,
      attributes: { timeout: 0 },
    });
    client.socket.write('boom');
    await client.closed;
    expect(client.bytes()).toBe(0);
  });

  it('slow_close delays the close after EOF', async () => {
    for (const when of ['new', 'existing'] as const) {
      const f = await fixture();
      const early = when === 'existing' ? await f.open() : undefined;
      await f.proxy.addToxic({
        name: 't',
        type: 'slow_close',
        stream: 'upstream',
        toxicity: 1,
        attributes: { delay: 300 },
      });
      const client = early ?? (await f.open());
      const start = performance.now();
      client.socket.end();
      await client.closed;
      expect(performance.now() - start, when).toBeGreaterThanOrEqual(290);
      while (cleanups.length) await cleanups.pop()!();
    }
  });

  onBoth(
    'slicer splits data into small delayed pieces',
    { type: 'slicer', attributes: { average_size: 10, size_variation: 3, delay: 20_000 } },
    async (client) => {
      await roundTrip(client, 's'.repeat(100));
      expect(client.text()).toBe('s'.repeat(100));
      expect(client.received.length).toBeGreaterThanOrEqual(5);
      expect(Math.max(...client.received.map((chunk) => chunk.length))).toBeLessThanOrEqual(26);
    },
  );

  onBoth(
    'limit_data passes at most N bytes then closes',
    { type: 'limit_data', attributes: { bytes: 10 } },
    async (client) => {
      client.socket.write('0123456789abcdefghij');
      await client.closed;
      expect(client.text()).toBe('0123456789');
    },
  );

  onBoth(
    'toxicity 0 never applies',
    { type: 'latency', toxicity: 0, attributes: { latency: 1000 } },
    async (client) => {
      for (let i = 0; i < 5; i++) expect(await roundTrip(client, `z${i}`)).toBeLessThan(500);
    },
  );

  onBoth('noop passes data untouched', { type: 'noop', attributes: {} }, async (client) => {
    await roundTrip(client, 'untouched');
    expect(client.text()).toBe('untouched');
  });

  it('a toxic updated on an open connection applies at once', async () => {
    const f = await fixture();
    const client = await f.open();
    const toxic = await f.proxy.addToxic({
      name: 't',
      type: 'latency',
      stream: 'downstream',
      toxicity: 1,
      attributes: { latency: 50, jitter: 0 },
    });
    expect(await roundTrip(client, 'a')).toBeLessThan(300);
    await toxic.update({ ...toxic.toJson(), attributes: { latency: 400, jitter: 0 } });
    expect(await roundTrip(client, 'b')).toBeGreaterThanOrEqual(395);
  });
});

describe('proxy state on the data path', () => {
  it('disabling closes open connections and refuses new ones; enabling listens again on the same address', async () => {
    const f = await fixture();
    const client = await f.open();
    const disabled = await f.proxy.update({
      enabled: false,
      listen: f.proxy.listen,
      upstream: f.proxy.upstream,
    });
    await client.closed;
    await waitFor(() => f.server.stats().connections === 0, 'connections to be dropped');
    const refused = await new Promise<string>((resolve) => {
      const socket = net.connect(f.port, '127.0.0.1');
      socket.on('connect', () => (socket.destroy(), resolve('connected')));
      socket.on('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? 'error'));
    });
    expect(refused).toBe('ECONNREFUSED');
    await disabled.update({ enabled: true, listen: disabled.listen, upstream: disabled.upstream });
    const again = await f.open();
    await roundTrip(again, 'back');
    expect(again.text()).toBe('back');
  });

  it('a dial failure closes the client', async () => {
    const f = await fixture();
    await f.proxy.update({ enabled: true, listen: f.proxy.listen, upstream: '127.0.0.1:1' });
    const client = await connect(f.port);
    await client.closed;
    await waitFor(() => f.server.stats().connections === 0, 'bookkeeping after dial failure');
  });

  it('/reset removes toxics: connections stay open except those under a timeout toxic', async () => {
    const f = await fixture();
    const plain = await f.open();
    await f.proxy.addToxic({
      name: 'lat',
      type: 'latency',
      stream: 'downstream',
      toxicity: 1,
      attributes: { latency: 300, jitter: 0 },
    });
    const other = await new Toxiproxy(f.server.url).createProxy({
      name: 'q',
      listen: '127.0.0.1:0',
      upstream: f.echo.address,
    });
    const timedOut = await connect(Number(other.listen.split(':').pop()));
    cleanups.push(() => void timedOut.socket.destroy());
    await roundTrip(timedOut, '.');
    await other.addToxic({
      name: 'to',
      type: 'timeout',
      stream: 'downstream',
      toxicity: 1,
      attributes: { timeout: 0 },
    });
    await new Toxiproxy(f.server.url).reset();
    await timedOut.closed;
    expect(await roundTrip(plain, 'fast')).toBeLessThan(250);
    expect(plain.events).not.toContain('close');
  });
});

describe('backpressure', () => {
  for (const mode of ['fast path', 'toxic chain'] as const) {
    it(`a client that does not read stalls the upstream sender (${mode})`, async () => {
      const chunk = Buffer.alloc(256 * 1024, 'f');
      let sent = 0;
      let blocked = false;
      const flood = net.createServer((socket) => {
        socket.on('error', () => socket.destroy());
        const pump = (): void => {
          while (sent < 200 * 1024 * 1024) {
            sent += chunk.length;
            if (!socket.write(chunk)) {
              blocked = true;
              return void socket.once('drain', pump);
            }
          }
        };
        pump();
      });
      const { proxy, port } = await proxyInFrontOf(flood, 'f');
      if (mode === 'toxic chain') {
        await proxy.addToxic({
          name: 'l',
          type: 'latency',
          stream: 'downstream',
          toxicity: 1,
          attributes: { latency: 1, jitter: 0 },
        });
      }
      const client = await connect(port);
      cleanups.push(() => void client.socket.destroy());
      client.socket.pause();
      // wait until the sender has been stuck for a while (buffers along the path are full)
      let last = -1;
      let stableSince = performance.now();
      await waitFor(() => {
        if (sent !== last || !blocked) {
          last = sent;
          stableSince = performance.now();
        }
        return performance.now() - stableSince > 300;
      }, 'the sender to stall');
      const plateau = sent;
      // kernel buffers + the proxy's bounded buffers, far below the 200 MB the sender wants to push
      expect(plateau).toBeLessThan(64 * 1024 * 1024);
      client.socket.resume();
      await waitFor(() => sent > plateau + 16 * 1024 * 1024, 'the sender to continue once the client reads');
    });
  }
});

describe('data integrity', () => {
  it('a bulk download through a slow reader arrives intact, also while a toxic comes and goes', async () => {
    // Every 4-byte word is distinct, so a read buffer reused too early cannot go unnoticed.
    const payload = Buffer.allocUnsafe(48 * 1024 * 1024);
    for (let word = 0; word < payload.length / 4; word++) payload.writeUInt32BE(word, word * 4);
    const source = net.createServer((socket) => {
      socket.on('error', () => socket.destroy());
      let offset = 0;
      let size = 1;
      // One uneven piece per turn of the event loop: the proxy's reads stay smaller than its
      // buffers, so its writes back up without ever refusing more data.
      const pump = (): void => {
        if (offset === payload.length) return void socket.end();
        size = (size * 7 + 12_345) % (200 * 1024);
        const piece = payload.subarray(offset, offset + size + 1);
        offset += piece.length;
        if (socket.write(piece)) setImmediate(pump);
        else socket.once('drain', pump);
      };
      pump();
    });
    const { proxy, port } = await proxyInFrontOf(source, 'bulk');

    const socket = net.connect({ host: '127.0.0.1', port });
    cleanups.push(() => void socket.destroy());
    const hash = createHash('sha256');
    let received = 0;
    let toxic: 'none' | 'adding' | 'added' | 'removed' = 'none';
    const toxicChanges: Promise<unknown>[] = [];
    socket.on('data', (chunk: Buffer) => {
      hash.update(chunk);
      const before = received;
      received += chunk.length;
      // A slow reader: stop for a moment every 4 MiB, so the proxy's writes back up.
      if (Math.floor(before / (4 << 20)) !== Math.floor(received / (4 << 20))) {
        socket.pause();
        setTimeout(() => socket.resume(), 20);
      }
      if (toxic === 'none' && received > payload.length / 3) {
        toxic = 'adding';
        const add = proxy.addToxic({
          name: 'l',
          type: 'latency',
          stream: 'downstream',
          toxicity: 1,
          attributes: { latency: 0, jitter: 0 },
        });
        toxicChanges.push(add.then(() => (toxic = 'added')));
      } else if (toxic === 'added' && received > (2 * payload.length) / 3) {
        toxic = 'removed';
        toxicChanges.push(proxy.getToxic('l').then((added) => added.remove()));
      }
    });
    await new Promise<void>((resolve, reject) => {
      socket.once('end', resolve);
      socket.once('error', reject);
    });
    await Promise.all(toxicChanges);
    expect(received).toBe(payload.length);
    expect(hash.digest('hex')).toBe(createHash('sha256').update(payload).digest('hex'));
    expect(toxic).toBe('removed');
  });
});

describe('end of stream', () => {
  const SIZE = 24 * 1024 * 1024;

  /** Counts what `socket` receives until its end, stopping for a while after every MiB. */
  function readSlowly(socket: net.Socket): Promise<number> {
    let received = 0;
    socket.on('data', (chunk: Buffer) => {
      const before = received;
      received += chunk.length;
      if (before >> 20 !== received >> 20) {
        socket.pause();
        setTimeout(() => socket.resume(), 30);
      }
    });
    return new Promise((resolve, reject) => {
      socket.once('end', () => resolve(received));
      socket.once('error', reject);
    });
  }

  async function slowReaderCase(direction: 'download' | 'upload', toxic: boolean): Promise<number> {
    let serverReceived: Promise<number> | undefined;
    const upstream = net.createServer((socket) => {
      socket.on('error', () => socket.destroy());
      if (direction === 'download') socket.end(Buffer.alloc(SIZE, 'd'));
      else serverReceived = readSlowly(socket);
    });
    const { proxy, port } = await proxyInFrontOf(upstream, 'eos');
    if (toxic) {
      await proxy.addToxic({
        name: 'l',
        type: 'latency',
        stream: direction === 'download' ? 'downstream' : 'upstream',
        toxicity: 1,
        attributes: { latency: 0, jitter: 0 },
      });
    }
    const client = net.connect({ host: '127.0.0.1', port });
    cleanups.push(() => void client.destroy());
    if (direction === 'download') return readSlowly(client);
    client.on('error', () => undefined);
    client.end(Buffer.alloc(SIZE, 'u'));
    await waitFor(() => serverReceived !== undefined, 'the upstream connection');
    return serverReceived!;
  }

  // The proxy reads the end of the stream while it still holds data for a slow reader; closing the
  // other socket must not cut that data off.
  for (const direction of ['download', 'upload'] as const) {
    for (const toxic of [false, true]) {
      it(`a slow reader gets every byte of a ${direction} that ends (${toxic ? 'toxic chain' : 'fast path'})`, async () => {
        expect(await slowReaderCase(direction, toxic)).toBe(SIZE);
      });
    }
  }
});
