import net from 'node:net';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ephemeralRange, handoverPort, handoverRange } from './handover-port.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'chaosbank-handover-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function hold(port: number): Promise<net.Server> {
  const server = net.createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', resolve);
  });
  return server;
}
const release = (server: net.Server): Promise<void> =>
  new Promise((resolve) => server.close(() => resolve()));

describe('handover ports', () => {
  it('reads the ephemeral range from the proc file and falls back when it is missing or odd', () => {
    const file = path.join(dir, 'range');
    writeFileSync(file, '40000\t60999\n');
    expect(ephemeralRange(file)).toEqual({ from: 40000, to: 60999 });
    writeFileSync(file, '1024 65535\n');
    expect(ephemeralRange(file)).toEqual({ from: 1024, to: 65535 });
    for (const odd of ['garbage', '50000 40000', '0 70000']) {
      writeFileSync(file, odd);
      expect(ephemeralRange(file)).toEqual({ from: 32768, to: 60999 });
    }
    expect(ephemeralRange(path.join(dir, 'missing'))).toEqual({ from: 32768, to: 60999 });
  });

  it('picks just below the ephemeral range, above it when too little is below, or gives up', () => {
    expect(handoverRange({ from: 32768, to: 60999 })).toEqual({ from: 20768, to: 32767 });
    expect(handoverRange({ from: 1500, to: 50000 })).toEqual({ from: 50001, to: 62000 });
    expect(handoverRange({ from: 1024, to: 60999 })).toEqual({ from: 61000, to: 65535 });
    expect(handoverRange({ from: 1024, to: 65535 })).toBeUndefined();
  });

  it('returns a bindable port outside the ephemeral range', async () => {
    const port = await handoverPort('127.0.0.1');
    const range = handoverRange()!;
    expect(port).toBeGreaterThanOrEqual(range.from);
    expect(port).toBeLessThanOrEqual(range.to);
    await release(await hold(port));
  });

  it('skips a port that is taken, and one it handed out before', async () => {
    const range = { from: 21000, to: 21999 };
    const at = (port: number) => (port - range.from + 0.5) / (range.to - range.from + 1);
    // two free neighbours of a held port, found through handoverPort itself
    const taken = await handoverPort('127.0.0.1', { range });
    const holder = await hold(taken);
    try {
      const picks = [at(taken), at(taken === range.to ? taken - 1 : taken + 1)];
      const first = await handoverPort('127.0.0.1', { range, random: () => picks.shift() ?? Math.random() });
      expect(first).not.toBe(taken);
      expect(first).toBeGreaterThanOrEqual(range.from);
      expect(first).toBeLessThanOrEqual(range.to);
      // the same pick again: handed out already, so another port
      const again = [at(first)];
      const second = await handoverPort('127.0.0.1', { range, random: () => again.shift() ?? Math.random() });
      expect(second).not.toBe(first);
      expect(second).not.toBe(taken);
    } finally {
      await release(holder);
    }
  });

  it('falls back to an OS port, and says so, when there is no room outside the ephemeral range', async () => {
    const reasons: string[] = [];
    const port = await handoverPort('127.0.0.1', {
      range: undefined,
      onFallback: (why) => reasons.push(why),
    });
    expect(port).toBeGreaterThan(0);
    expect(reasons).toEqual(['no room outside the ephemeral port range']);
  });
});
