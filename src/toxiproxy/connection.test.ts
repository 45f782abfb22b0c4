import { once } from 'node:events';
import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { ProxyConnection, SOCKET_HIGH_WATER } from './connection.js';
import { ToxicDefinition } from './toxic-definition.js';

const cleanups: (() => void)[] = [];
afterEach(() => {
  while (cleanups.length) cleanups.pop()!();
});

async function listen(server: net.Server): Promise<number> {
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  cleanups.push(() => server.close());
  return (server.address() as net.AddressInfo).port;
}

async function until(condition: () => boolean): Promise<void> {
  const deadline = performance.now() + 10_000;
  while (!condition()) {
    if (performance.now() > deadline) throw new Error('condition not met within 10 s');
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
}

describe('ProxyConnection', () => {
  // Through a toxic chain the proxy writes without waiting for the kernel (up to the high-water
  // mark), so it can read the end of the stream while still holding data for the client. (Without a
  // toxic, the downstream link stops reading the upstream until its writes are flushed.)
  it("the end of the upstream's stream does not cut off data a slow client has not read yet", async () => {
    let upstreamSide: net.Socket | undefined;
    const upstreamPort = await listen(
      net.createServer((socket) => {
        upstreamSide = socket;
        socket.on('error', () => socket.destroy());
      }),
    );
    // The proxy's side of the client connection, accepted like Proxy does.
    const accepting = net.createServer({
      allowHalfOpen: true,
      pauseOnConnect: true,
      noDelay: true,
      highWaterMark: SOCKET_HIGH_WATER,
    });
    const client = net.connect({ host: '127.0.0.1', port: await listen(accepting) });
    cleanups.push(() => client.destroy());
    client.pause(); // a client that does not read for now
    const [proxySide] = (await once(accepting, 'connection')) as [net.Socket];
    const toxics = [new ToxicDefinition('n', 'noop', 'downstream', 'downstream', 1, {})];
    const connection = new ProxyConnection(
      proxySide,
      `127.0.0.1:${upstreamPort}`,
      () => toxics,
      { log: () => undefined, closed: () => undefined },
      undefined,
    );
    cleanups.push(() => connection.destroy());
    await until(() => upstreamSide !== undefined);

    // Send until the proxy holds data the kernel would not take, then end the stream.
    const piece = Buffer.alloc(64 * 1024, 'x');
    let sent = 0;
    while (proxySide.writableLength === 0 && sent < 256 * 1024 * 1024) {
      upstreamSide!.write(piece);
      sent += piece.length;
      await until(() => proxySide.bytesWritten === sent || proxySide.writableLength > 0);
    }
    expect(proxySide.writableLength).toBeGreaterThan(0);
    upstreamSide!.end();
    await once(upstreamSide!, 'close'); // the proxy has closed its upstream socket

    let received = 0;
    client.on('data', (chunk: Buffer) => (received += chunk.length));
    client.resume();
    await once(client, 'end');
    expect(received).toBe(sent);
  });
});
