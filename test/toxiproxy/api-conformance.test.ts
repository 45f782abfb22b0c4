/**
 * The HTTP API against shared/specs/toxiproxy.md: every endpoint, status, error message and JSON
 * shape, through raw HTTP (undici) and through toxiproxy-node-client.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import net from 'node:net';
import { request } from 'undici';
import { Toxiproxy } from 'toxiproxy-node-client';
import { startToxiproxyServer, type RunningToxiproxyServer } from '../../src/toxiproxy/server.js';
import { startEchoServer, type TcpServerHandle } from './helpers.js';

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
beforeEach(async () => {
  // Start every test from an empty server.
  for (const name of Object.keys((await api('GET', '/proxies')).json as object))
    await api('DELETE', `/proxies/${name}`);
});

interface Reply {
  status: number;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- response shapes are asserted field by field
  json: any;
  text: string;
  headers: Record<string, string | string[] | undefined>;
}

async function api(
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<Reply> {
  const response = await request(`${server.url}${path}`, {
    method: method as 'GET',
    headers,
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await response.body.text();
  let json: unknown;
  try {
    json = text === '' ? undefined : JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: response.statusCode, json, text, headers: response.headers };
}

function expectError(reply: Reply, status: number, message: string): void {
  expect(reply.status).toBe(status);
  expect(reply.json).toEqual({ error: message, status });
  expect(reply.text.endsWith('\n')).toBe(true);
}

const proxy = (name = 'p', extra: Record<string, unknown> = {}) => ({
  name,
  listen: '127.0.0.1:0',
  upstream: echo.address,
  ...extra,
});

describe('general', () => {
  it('GET /version reports our version in the Toxiproxy shape', async () => {
    const reply = await api('GET', '/version');
    expect(reply.status).toBe(200);
    expect(reply.headers['content-type']).toBe('application/json');
    expect(reply.json).toEqual({ version: expect.stringMatching(/^\d+\.\d+\.\d+/) });
  });

  it("unknown path is gorilla/mux's plain-text 404, byte for byte, with no request id (no route ran)", async () => {
    for (const path of ['/nope', '/proxies/p/toxics/t/extra', '/', '/proxies/']) {
      const missing = await api('GET', path);
      expect(missing.status, path).toBe(404);
      expect(missing.text, path).toBe('404 page not found\n');
      expect(missing.headers['content-type'], path).toBe('text/plain; charset=utf-8');
      expect(missing.headers['x-content-type-options'], path).toBe('nosniff');
      expect(missing.headers['x-toxiproxy-request-id'], path).toBeUndefined();
    }
    const browser = await api('DELETE', '/nope', undefined, { 'user-agent': 'Mozilla/5.0 (X11)' });
    expect([browser.status, browser.text]).toEqual([404, '404 page not found\n']);
  });

  it('wrong method on a known path is 405, a JSON error with a request id', async () => {
    for (const [method, path] of [
      ['DELETE', '/proxies'],
      ['GET', '/populate'],
      ['GET', '/reset'],
      ['POST', '/version'],
      ['PUT', '/proxies/p'],
      ['PUT', '/proxies/p/toxics'],
      ['PUT', '/proxies/p/toxics/t'],
    ] as const) {
      const reply = await api(method, path);
      expect(reply.status, `${method} ${path}`).toBe(405);
      expect(reply.json).toMatchObject({ status: 405 });
      expect(reply.headers['x-toxiproxy-request-id']).toBeTruthy();
    }
  });

  it('every routed response carries a distinct X-Toxiproxy-Request-Id', async () => {
    const a = await api('GET', '/proxies');
    const b = await api('GET', '/proxies');
    expect(a.headers['x-toxiproxy-request-id']).toBeTruthy();
    expect(a.headers['x-toxiproxy-request-id']).not.toBe(b.headers['x-toxiproxy-request-id']);
  });

  it('browsers are refused (CSRF guard)', async () => {
    const reply = await api('GET', '/proxies', undefined, { 'user-agent': 'Mozilla/5.0 (X11)' });
    expectError(reply, 403, 'User agent not allowed');
  });

  it('bodies are JSON whatever the content type; keys are case-insensitive; unknown keys ignored', async () => {
    const reply = await api(
      'POST',
      '/proxies',
      JSON.stringify({ NAME: 'p', Listen: '127.0.0.1:0', UpStream: echo.address, bogus: 1 }),
      {
        'content-type': 'text/plain',
      },
    );
    expect(reply.status).toBe(201);
    expect(reply.json).toMatchObject({ name: 'p', upstream: echo.address, enabled: true });
  });
});

describe('proxies', () => {
  it('GET /proxies is {} when empty, else keyed by name and sorted', async () => {
    expect((await api('GET', '/proxies')).json).toEqual({});
    await api('POST', '/proxies', proxy('b'));
    await api('POST', '/proxies', proxy('a'));
    const reply = await api('GET', '/proxies');
    expect(reply.status).toBe(200);
    expect(Object.keys(reply.json)).toEqual(['a', 'b']);
    expect(reply.json.a).toMatchObject({ name: 'a', enabled: true, toxics: [] });
  });

  it('POST /proxies answers 201 with the bound listen address', async () => {
    const reply = await api('POST', '/proxies', proxy());
    expect(reply.status).toBe(201);
    expect(reply.json).toEqual({
      name: 'p',
      listen: expect.stringMatching(/^127\.0\.0\.1:\d+$/),
      upstream: echo.address,
      enabled: true,
      toxics: [],
    });
    expect(reply.json.listen).not.toBe('127.0.0.1:0');
  });

  it('localhost:0 binds 127.0.0.1; a disabled proxy keeps the listen string as given', async () => {
    expect((await api('POST', '/proxies', proxy('l', { listen: 'localhost:0' }))).json.listen).toMatch(
      /^127\.0\.0\.1:\d+$/,
    );
    const disabled = await api('POST', '/proxies', proxy('d', { listen: 'localhost:0', enabled: false }));
    expect(disabled.status).toBe(201);
    expect(disabled.json).toMatchObject({ listen: 'localhost:0', enabled: false });
  });

  it('create errors in order: body, name, upstream, duplicate, listen', async () => {
    expectError(await api('POST', '/proxies', ''), 400, 'bad request body: EOF');
    const garbage = await api('POST', '/proxies', '{nope');
    expect(garbage.status).toBe(400);
    expect(garbage.json.error).toMatch(/^bad request body: /);
    expect((await api('POST', '/proxies', { name: 5, upstream: 'x:1' })).json.error).toMatch(
      /^bad request body: /,
    );
    expectError(await api('POST', '/proxies', { upstream: 'x:1' }), 400, 'missing required field: name');
    expectError(await api('POST', '/proxies', { name: 'p' }), 400, 'missing required field: upstream');
    await api('POST', '/proxies', proxy());
    expectError(await api('POST', '/proxies', proxy()), 409, 'proxy already exists');
    const taken = await api('GET', '/proxies/p');
    const clash = await api('POST', '/proxies', proxy('q', { listen: taken.json.listen }));
    expectError(clash, 500, `listen tcp ${taken.json.listen}: bind: address already in use`);
    expect((await api('GET', '/proxies/q')).status).toBe(404);
    const badListen = await api('POST', '/proxies', proxy('r', { listen: 'nocolon' }));
    expect(badListen.status).toBe(500);
    expect(badListen.json.error).toBe('listen tcp nocolon: address nocolon: missing port in address');
  });

  it('GET /proxies/{p}: 200 or 404', async () => {
    await api('POST', '/proxies', proxy());
    expect((await api('GET', '/proxies/p')).json).toMatchObject({ name: 'p', toxics: [] });
    expectError(await api('GET', '/proxies/zz'), 404, 'proxy not found');
  });

  it('POST and PATCH /proxies/{p} update only the given fields; name is ignored', async () => {
    const created = (await api('POST', '/proxies', proxy())).json;
    const disabled = await api('POST', '/proxies/p', { enabled: false, name: 'other' });
    expect(disabled.status).toBe(200);
    expect(disabled.json).toEqual({ ...created, enabled: false });
    const enabled = await api('PATCH', '/proxies/p', { enabled: true });
    expect(enabled.json).toMatchObject({ name: 'p', listen: created.listen, enabled: true });
    const moved = await api('PATCH', '/proxies/p', { upstream: '127.0.0.1:1' });
    expect(moved.json).toMatchObject({ upstream: '127.0.0.1:1', enabled: true });
    expectError(await api('POST', '/proxies/zz', { enabled: false }), 404, 'proxy not found');
    expectError(await api('POST', '/proxies/p', ''), 400, 'bad request body: EOF');
    expect((await api('POST', '/proxies/p', { enabled: 'yes' })).status).toBe(400);
  });

  it('re-enabling listens again on the same address; a listen clash is 500', async () => {
    const created = (await api('POST', '/proxies', proxy())).json;
    await api('POST', '/proxies/p', { enabled: false });
    const port = Number(created.listen.split(':').pop());
    const squatter = net.createServer();
    await new Promise<void>((resolve) => squatter.listen(port, '127.0.0.1', resolve));
    try {
      expectError(
        await api('POST', '/proxies/p', { enabled: true }),
        500,
        `listen tcp ${created.listen}: bind: address already in use`,
      );
    } finally {
      await new Promise((resolve) => squatter.close(resolve));
    }
    expect((await api('POST', '/proxies/p', { enabled: true })).json).toMatchObject({
      listen: created.listen,
      enabled: true,
    });
  });

  it('DELETE /proxies/{p}: 204 then 404', async () => {
    await api('POST', '/proxies', proxy());
    const reply = await api('DELETE', '/proxies/p');
    expect(reply.status).toBe(204);
    expect(reply.text).toBe('');
    expectError(await api('DELETE', '/proxies/p'), 404, 'proxy not found');
  });
});

describe('toxics', () => {
  beforeEach(async () => {
    await api('POST', '/proxies', proxy());
  });

  it('create defaults: name <type>_<stream>, stream downstream, toxicity 1, missing attributes 0, unknown dropped', async () => {
    const reply = await api('POST', '/proxies/p/toxics', {
      type: 'latency',
      attributes: { latency: 5, bogus: 3 },
    });
    expect(reply.status).toBe(200);
    expect(reply.json).toEqual({
      name: 'latency_downstream',
      type: 'latency',
      stream: 'downstream',
      toxicity: 1,
      attributes: { latency: 5, jitter: 0 },
    });
  });

  it('each type has its attributes', async () => {
    const expected: Record<string, Record<string, number>> = {
      latency: { latency: 0, jitter: 0 },
      bandwidth: { rate: 0 },
      slow_close: { delay: 0 },
      timeout: { timeout: 0 },
      reset_peer: { timeout: 0 },
      slicer: { average_size: 10, size_variation: 0, delay: 0 },
      limit_data: { bytes: 0 },
      noop: {},
    };
    for (const [type, attributes] of Object.entries(expected)) {
      const reply = await api('POST', '/proxies/p/toxics', {
        type,
        stream: 'upstream',
        attributes: type === 'slicer' ? { average_size: 10 } : {},
      });
      expect(reply.status, type).toBe(200);
      expect(reply.json.attributes, type).toEqual(attributes);
    }
  });

  it('lists upstream toxics first, then downstream, each in insertion order', async () => {
    await api('POST', '/proxies/p/toxics', { type: 'noop', name: 'd1' });
    await api('POST', '/proxies/p/toxics', { type: 'noop', name: 'u1', stream: 'upstream' });
    await api('POST', '/proxies/p/toxics', { type: 'noop', name: 'd2', stream: 'downstream' });
    await api('POST', '/proxies/p/toxics', { type: 'noop', name: 'u2', stream: 'UPSTREAM' });
    const names = (await api('GET', '/proxies/p/toxics')).json.map((t: { name: string }) => t.name);
    expect(names).toEqual(['u1', 'u2', 'd1', 'd2']);
    expect((await api('GET', '/proxies/p')).json.toxics.map((t: { name: string }) => t.name)).toEqual(names);
  });

  it('create errors: 404, body, stream, type, duplicate name across streams, non-integers, [fix] cases', async () => {
    expectError(await api('POST', '/proxies/zz/toxics', { type: 'noop' }), 404, 'proxy not found');
    expectError(await api('POST', '/proxies/p/toxics', ''), 400, 'bad request body: EOF');
    expectError(
      await api('POST', '/proxies/p/toxics', { type: 'noop', stream: 'sideways' }),
      400,
      'stream was invalid, can be either upstream or downstream',
    );
    expectError(await api('POST', '/proxies/p/toxics', { type: 'down' }), 400, 'invalid toxic type');
    expectError(await api('POST', '/proxies/p/toxics', {}), 400, 'invalid toxic type');
    await api('POST', '/proxies/p/toxics', { type: 'noop', name: 'x', stream: 'upstream' });
    expectError(
      await api('POST', '/proxies/p/toxics', { type: 'noop', name: 'x', stream: 'downstream' }),
      409,
      'toxic already exists',
    );
    const fractional = await api('POST', '/proxies/p/toxics', {
      type: 'latency',
      attributes: { latency: 1.5 },
    });
    expect(fractional.status).toBe(400);
    expect(fractional.json.error).toMatch(/^bad request body: .*latency/);
    expect(
      (await api('POST', '/proxies/p/toxics', { type: 'latency', attributes: { latency: '10' } })).status,
    ).toBe(400);
    expect((await api('POST', '/proxies/p/toxics', { type: 'latency', toxicity: 'all' })).status).toBe(400);
    const negative = await api('POST', '/proxies/p/toxics', { type: 'bandwidth', attributes: { rate: -1 } });
    expect(negative.status).toBe(400);
    expect(negative.json.error).toMatch(/rate/);
    const zeroSlice = await api('POST', '/proxies/p/toxics', {
      type: 'slicer',
      attributes: { average_size: 0 },
    });
    expect(zeroSlice.status).toBe(400);
    expect(zeroSlice.json.error).toMatch(/average_size/);
  });

  it('GET a toxic: 200, or 404 proxy not found / toxic not found', async () => {
    await api('POST', '/proxies/p/toxics', { type: 'timeout', attributes: { timeout: 100 } });
    expect((await api('GET', '/proxies/p/toxics/timeout_downstream')).json).toMatchObject({
      attributes: { timeout: 100 },
    });
    expectError(await api('GET', '/proxies/zz/toxics/timeout_downstream'), 404, 'proxy not found');
    expectError(await api('GET', '/proxies/p/toxics/zz'), 404, 'toxic not found');
    expectError(await api('GET', '/proxies/zz/toxics'), 404, 'proxy not found');
  });

  it('update merges attributes and changes toxicity only (POST and PATCH)', async () => {
    await api('POST', '/proxies/p/toxics', {
      type: 'latency',
      name: 'l',
      attributes: { latency: 10, jitter: 2 },
    });
    const merged = await api('POST', '/proxies/p/toxics/l', {
      attributes: { jitter: 5 },
      stream: 'upstream',
      type: 'noop',
      name: 'zz',
    });
    expect(merged.status).toBe(200);
    expect(merged.json).toEqual({
      name: 'l',
      type: 'latency',
      stream: 'downstream',
      toxicity: 1,
      attributes: { latency: 10, jitter: 5 },
    });
    expect((await api('PATCH', '/proxies/p/toxics/l', { toxicity: 0.5 })).json).toMatchObject({
      toxicity: 0.5,
      attributes: { latency: 10, jitter: 5 },
    });
    expectError(await api('POST', '/proxies/zz/toxics/l', { toxicity: 1 }), 404, 'proxy not found');
    expectError(await api('POST', '/proxies/p/toxics/zz', { toxicity: 1 }), 404, 'toxic not found');
    expectError(await api('POST', '/proxies/p/toxics/l', ''), 400, 'bad request body: EOF');
    expect((await api('POST', '/proxies/p/toxics/l', { attributes: { latency: 2.5 } })).status).toBe(400);
  });

  it('toxic bodies are byte-identical to Toxiproxy 2.12: attributes first, then name, type, stream, toxicity', async () => {
    const latency =
      '{"attributes":{"latency":5,"jitter":0},"name":"latency_downstream","type":"latency","stream":"downstream","toxicity":1}';
    const slicer =
      '{"attributes":{"average_size":10,"size_variation":2,"delay":0},"name":"s","type":"slicer","stream":"upstream","toxicity":0.5}';
    const created = await api('POST', '/proxies/p/toxics', { type: 'latency', attributes: { latency: 5 } });
    expect(created.text).toBe(latency);
    expect(
      (
        await api('POST', '/proxies/p/toxics', {
          type: 'slicer',
          name: 's',
          stream: 'upstream',
          toxicity: 0.5,
          attributes: { size_variation: 2, average_size: 10 },
        })
      ).text,
    ).toBe(slicer);
    expect((await api('GET', '/proxies/p/toxics/latency_downstream')).text).toBe(latency);
    expect((await api('GET', '/proxies/p/toxics')).text).toBe(`[${slicer},${latency}]`);
    const listen = (await api('GET', '/proxies/p')).json.listen as string;
    const proxyText = `{"name":"p","listen":"${listen}","upstream":"${echo.address}","enabled":true,"toxics":[${slicer},${latency}]}`;
    expect((await api('GET', '/proxies/p')).text).toBe(proxyText);
    expect((await api('GET', '/proxies')).text).toBe(`{"p":${proxyText}}`);
    expect(
      (await api('PATCH', '/proxies/p/toxics/latency_downstream', { attributes: { jitter: 1 } })).text,
    ).toBe(latency.replace('"jitter":0', '"jitter":1'));
    expect((await api('POST', '/proxies/p', { enabled: true })).text).toBe(
      proxyText.replace('"jitter":0', '"jitter":1'),
    );
  });

  it('DELETE a toxic: 204, then 404', async () => {
    await api('POST', '/proxies/p/toxics', { type: 'noop' });
    expect((await api('DELETE', '/proxies/p/toxics/noop_downstream')).status).toBe(204);
    expectError(await api('DELETE', '/proxies/p/toxics/noop_downstream'), 404, 'toxic not found');
    expectError(await api('DELETE', '/proxies/zz/toxics/noop_downstream'), 404, 'proxy not found');
  });
});

describe('populate and reset', () => {
  it('[] answers 201 {"proxies":[]}', async () => {
    const reply = await api('POST', '/populate', []);
    expect(reply.status).toBe(201);
    expect(reply.json).toEqual({ proxies: [] });
  });

  it('validates every entry first, naming the 1-based index', async () => {
    const reply = await api('POST', '/populate', [proxy('ok'), { upstream: 'x:1' }]);
    expect(reply.status).toBe(400);
    expect(reply.json).toEqual({
      error: 'missing required field: name at proxy 2',
      status: 400,
      proxies: [],
    });
    expect((await api('POST', '/populate', [{ name: 'x' }])).json.error).toBe(
      'missing required field: upstream at proxy 1',
    );
    expect((await api('GET', '/proxies')).json).toEqual({});
    const notArray = await api('POST', '/populate', { name: 'x' });
    expect(notArray.status).toBe(400);
    expect(notArray.json.error).toMatch(/^bad request body: /);
  });

  it('keeps unchanged proxies (with toxics), replaces differing ones, keeps unlisted ones', async () => {
    const first = await api('POST', '/populate', [proxy('a'), proxy('b'), proxy('c')]);
    expect(first.status).toBe(201);
    const byName = Object.fromEntries(first.json.proxies.map((p: { name: string }) => [p.name, p]));
    await api('POST', '/proxies/a/toxics', { type: 'noop' });
    await api('POST', '/proxies/b/toxics', { type: 'noop' });
    const second = await api('POST', '/populate', [
      { name: 'a', listen: byName.a.listen, upstream: echo.address },
      { name: 'b', listen: byName.b.listen, upstream: '127.0.0.1:1' },
    ]);
    expect(second.status).toBe(201);
    expect(second.json.proxies[0]).toMatchObject({ name: 'a', toxics: [{ name: 'noop_downstream' }] });
    expect(second.json.proxies[1]).toMatchObject({ name: 'b', upstream: '127.0.0.1:1', toxics: [] });
    expect(Object.keys((await api('GET', '/proxies')).json)).toEqual(['a', 'b', 'c']);
  });

  it('a listen failure is a 500 with the proxies created before it', async () => {
    const held = (await api('POST', '/proxies', proxy('held'))).json.listen;
    const reply = await api('POST', '/populate', [proxy('x'), proxy('y', { listen: held })]);
    expect(reply.status).toBe(500);
    expect(reply.json.error).toBe(`listen tcp ${held}: bind: address already in use`);
    expect(reply.json.proxies.map((p: { name: string }) => p.name)).toEqual(['x']);
  });

  it('POST /reset enables every proxy and removes every toxic', async () => {
    await api('POST', '/proxies', proxy('a'));
    await api('POST', '/proxies', proxy('b'));
    await api('POST', '/proxies/a/toxics', { type: 'latency' });
    await api('POST', '/proxies/b', { enabled: false });
    const reply = await api('POST', '/reset', 'ignored');
    expect(reply.status).toBe(204);
    const all = (await api('GET', '/proxies')).json;
    expect(all.a).toMatchObject({ enabled: true, toxics: [] });
    expect(all.b).toMatchObject({ enabled: true, toxics: [] });
  });
});

describe('toxiproxy-node-client', () => {
  it('drives every client call against the server', async () => {
    const client = new Toxiproxy(server.url);
    expect(JSON.parse(await client.getVersion())).toHaveProperty('version');
    const created = await client.createProxy({ name: 'c1', listen: '127.0.0.1:0', upstream: echo.address });
    expect(created.listen).toMatch(/^127\.0\.0\.1:\d+$/);
    const populated = await client.populate([{ name: 'c2', listen: '127.0.0.1:0', upstream: echo.address }]);
    expect(Object.keys(populated)).toEqual(['c2']);
    expect(await client.populate([])).toEqual({});
    const fetched = await client.get('c1');
    expect(fetched.upstream).toBe(echo.address);
    expect(Object.keys(await client.getAll()).sort()).toEqual(['c1', 'c2']);
    const disabled = await fetched.update({
      enabled: false,
      listen: fetched.listen,
      upstream: fetched.upstream,
    });
    expect(disabled.enabled).toBe(false);
    const enabled = await disabled.update({
      enabled: true,
      listen: disabled.listen,
      upstream: disabled.upstream,
    });
    expect(enabled).toMatchObject({ enabled: true, listen: fetched.listen });
    const toxic = await enabled.addToxic({
      name: 'lat',
      type: 'latency',
      stream: 'upstream',
      toxicity: 1,
      attributes: { latency: 10, jitter: 1 },
    });
    expect(toxic).toMatchObject({ name: 'lat', stream: 'upstream', attributes: { latency: 10, jitter: 1 } });
    const same = await enabled.getToxic('lat');
    expect(same.attributes).toEqual({ latency: 10, jitter: 1 });
    const updated = await toxic.update({
      ...toxic.toJson(),
      attributes: { latency: 20, jitter: 0 },
      toxicity: 0.5,
    });
    expect(updated).toMatchObject({ toxicity: 0.5, attributes: { latency: 20, jitter: 0 } });
    await updated.remove();
    await expect(enabled.getToxic('lat')).rejects.toThrow(/404/);
    await enabled.addToxic({
      name: 'x',
      type: 'timeout',
      stream: 'downstream',
      toxicity: 1,
      attributes: { timeout: 0 },
    });
    await client.reset();
    expect((await client.get('c1')).toJson()).toMatchObject({ enabled: true });
    expect((await api('GET', '/proxies/c1')).json.toxics).toEqual([]);
    await enabled.remove();
    await expect(client.get('c1')).rejects.toThrow(/404/);
    await expect(
      client.createProxy({ name: 'c2', listen: '127.0.0.1:0', upstream: echo.address }),
    ).rejects.toThrow(/409/);
  });
});
