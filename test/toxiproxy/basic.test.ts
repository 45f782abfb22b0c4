import { afterEach, describe, expect, it } from 'vitest';
import { Toxiproxy } from 'toxiproxy-node-client';
import { startToxiproxyServer, type RunningToxiproxyServer } from '../../src/toxiproxy/server.js';
import { connect, roundTrip, startEchoServer, waitFor, type TcpServerHandle } from './helpers.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

async function setup(): Promise<{
  server: RunningToxiproxyServer;
  echo: TcpServerHandle;
  client: Toxiproxy;
}> {
  const echo = await startEchoServer();
  cleanups.push(() => echo.close());
  const server = await startToxiproxyServer({ port: 0 });
  cleanups.push(() => server.close());
  return { server, echo, client: new Toxiproxy(server.url) };
}

describe('embedded toxiproxy: basics', () => {
  it('proxies bytes both ways and closes cleanly', async () => {
    const { server, echo, client } = await setup();
    const proxy = await client.createProxy({ name: 'p', listen: '127.0.0.1:0', upstream: echo.address });
    const port = Number(proxy.listen.split(':').pop());
    expect(port).toBeGreaterThan(0);
    const c = await connect(port);
    await roundTrip(c, 'hello');
    expect(c.text()).toBe('hello');
    expect(server.stats().connections).toBe(1);
    c.socket.end();
    await c.closed;
    await waitFor(() => server.stats().connections === 0, 'connection bookkeeping to empty');
  });

  it('applies latency to an already-open connection and removes it at once', async () => {
    const { echo, client } = await setup();
    const proxy = await client.createProxy({ name: 'p', listen: '127.0.0.1:0', upstream: echo.address });
    const c = await connect(Number(proxy.listen.split(':').pop()));
    expect(await roundTrip(c, 'a')).toBeLessThan(100);
    const toxic = await proxy.addToxic({
      type: 'latency',
      name: 'lat',
      stream: 'downstream',
      toxicity: 1,
      attributes: { latency: 200, jitter: 0 },
    });
    expect(await roundTrip(c, 'b')).toBeGreaterThanOrEqual(195);
    await toxic.remove();
    expect(await roundTrip(c, 'c')).toBeLessThan(150);
    c.socket.destroy();
  });

  it('an address that cannot be bound is an EnvironmentError naming it', async () => {
    await expect(startToxiproxyServer({ host: '192.0.2.1', port: 0 })).rejects.toMatchObject({
      code: 'TOXIPROXY_LISTEN_FAILED',
      exitCode: 3,
      message: expect.stringContaining('192.0.2.1:0'),
    });
  });

  it('config proxies start like /populate; invalid config is an InputError', async () => {
    const echo = await startEchoServer();
    cleanups.push(() => echo.close());
    const server = await startToxiproxyServer({
      port: 0,
      config: [{ name: 'db', listen: '127.0.0.1:0', upstream: echo.address }],
    });
    cleanups.push(() => server.close());
    const proxy = await new Toxiproxy(server.url).get('db');
    const c = await connect(Number(proxy.listen.split(':').pop()));
    await roundTrip(c, 'configured');
    c.socket.destroy();
    await expect(
      startToxiproxyServer({ port: 0, config: [{ name: '', upstream: 'x:1' }] }),
    ).rejects.toMatchObject({
      code: 'TOXIPROXY_CONFIG_INVALID',
      exitCode: 2,
      message: expect.stringContaining('missing required field: name at proxy 1'),
    });
  });

  it('port in use is an EnvironmentError naming the address', async () => {
    const { server } = await setup();
    await expect(startToxiproxyServer({ port: server.port })).rejects.toMatchObject({
      code: 'TOXIPROXY_LISTEN_FAILED',
      exitCode: 3,
      message: expect.stringContaining(`127.0.0.1:${server.port}`),
    });
  });
});
