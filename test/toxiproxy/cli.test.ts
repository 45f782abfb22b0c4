/**
 * `chaosbank toxiproxy` as a real process: serves the API, logs JSON lines, shuts down gracefully on
 * SIGTERM/SIGINT, and maps bad config (exit 2) and a busy port (exit 3). Runs the built CLI
 * (`npm run build`); builds once itself when dist is missing.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { once } from 'node:events';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Toxiproxy } from 'toxiproxy-node-client';
import { connect, roundTrip, startEchoServer, type TcpServerHandle } from './helpers.js';

const run = promisify(execFile);
const root = fileURLToPath(new URL('../..', import.meta.url));
let dir: string;
let echo: TcpServerHandle;
const children: ChildProcess[] = [];

beforeAll(async () => {
  if (!existsSync(join(root, 'dist', 'src', 'toxiproxy', 'standalone.js'))) {
    await run('npx', ['tsc', '-p', 'tsconfig.build.json'], { cwd: root, timeout: 120_000 }).catch(
      () => undefined,
    );
  }
  dir = await mkdtemp(join(tmpdir(), 'chaosbank-toxiproxy-cli-'));
  echo = await startEchoServer();
});
afterEach(() => {
  for (const child of children.splice(0)) if (child.exitCode === null) child.kill('SIGKILL');
});
afterAll(async () => {
  await echo?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

function start(...args: string[]): {
  child: ChildProcess;
  lines: AsyncIterator<string>;
  exit: Promise<number | null>;
  stderr: () => string;
} {
  const child = spawn(process.execPath, ['bin/chaosbank.js', 'toxiproxy', ...args], {
    cwd: root,
    env: { ...process.env, NO_COLOR: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exit = once(child, 'exit').then(([code]) => code as number | null);
  return {
    child,
    lines: createInterface({ input: child.stdout })[Symbol.asyncIterator](),
    exit,
    stderr: () => stderr,
  };
}

async function nextRecord(lines: AsyncIterator<string>, event: string): Promise<Record<string, unknown>> {
  for (;;) {
    const { value, done } = await lines.next();
    if (done) throw new Error(`stdout ended before a ${event} record`);
    const record = JSON.parse(value) as Record<string, unknown>;
    if (record.event === event) return record;
  }
}

describe('chaosbank toxiproxy', () => {
  it('serves the API with a config file, logs JSON lines and exits 0 on SIGTERM', async () => {
    const config = join(dir, 'proxies.json');
    await writeFile(
      config,
      JSON.stringify([{ name: 'echo', listen: '127.0.0.1:0', upstream: echo.address }]),
    );
    const server = start('--port', '0', '--config', config, '--json-logs');
    const listening = await nextRecord(server.lines, 'api_listening');
    expect(listening.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const client = new Toxiproxy(String(listening.url));
    const proxy = await client.get('echo');
    expect(proxy.enabled).toBe(true);
    await proxy.addToxic({
      name: 'lat',
      type: 'latency',
      stream: 'downstream',
      toxicity: 1,
      attributes: { latency: 1, jitter: 0 },
    });
    expect(await nextRecord(server.lines, 'toxic_added')).toMatchObject({ proxy: 'echo', name: 'lat' });
    server.child.kill('SIGTERM');
    expect(await server.exit).toBe(0);
  });

  it('exits 0 on SIGINT after printing the API URL', async () => {
    const server = start('--port', '0');
    const { value } = await server.lines.next();
    expect(value).toMatch(/^Toxiproxy API listening on http:\/\/127\.0\.0\.1:\d+$/);
    server.child.kill('SIGINT');
    expect(await server.exit).toBe(0);
  });

  it('bad config files exit 2 with a clear message', async () => {
    const invalid = join(dir, 'invalid.json');
    await writeFile(invalid, JSON.stringify([{ name: 'x' }]));
    const notJson = join(dir, 'not.json');
    await writeFile(notJson, '{oops');
    for (const [file, message] of [
      [join(dir, 'missing.json'), /cannot read Toxiproxy config .*missing\.json: no such file/],
      [notJson, /is not valid JSON/],
      [invalid, /missing required field: upstream at proxy 1/],
    ] as const) {
      const server = start('--port', '0', '--config', file);
      expect(await server.exit).toBe(2);
      expect(server.stderr()).toMatch(message);
    }
  });

  it('--busy-poll-us: proxies with busy polling on, and refuses a bad value with exit 2', async () => {
    const config = join(dir, 'busy-poll.json');
    await writeFile(
      config,
      JSON.stringify([{ name: 'echo', listen: '127.0.0.1:0', upstream: echo.address }]),
    );
    const server = start('--port', '0', '--config', config, '--json-logs', '--busy-poll-us', '100');
    const listening = await nextRecord(server.lines, 'api_listening');
    const proxy = await new Toxiproxy(String(listening.url)).get('echo');
    const client = await connect(Number(proxy.listen.split(':').pop()));
    await roundTrip(client, 'polled');
    expect(client.text()).toBe('polled');
    client.socket.destroy();
    server.child.kill('SIGTERM');
    expect(await server.exit).toBe(0);

    for (const bad of ['-5', 'abc', '20000']) {
      const refused = start('--port', '0', '--busy-poll-us', bad);
      expect(await refused.exit).toBe(2);
      expect(refused.stderr()).toContain('--busy-poll-us must be an integer from 0 to 10000');
    }
  });

  it('a busy port exits 3 naming the address', async () => {
    const first = start('--port', '0', '--json-logs');
    const url = String((await nextRecord(first.lines, 'api_listening')).url);
    const port = url.split(':').pop()!;
    const second = start('--port', port);
    expect(await second.exit).toBe(3);
    expect(second.stderr()).toContain(`127.0.0.1:${port}`);
    first.child.kill('SIGTERM');
    expect(await first.exit).toBe(0);
  });
});
