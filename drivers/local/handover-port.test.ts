import net from 'node:net';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ephemeralLow, handoverPort, handoverRange } from './handover-port.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'chaosbank-handover-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('handover ports', () => {
  it('reads the ephemeral range from the proc file and falls back when it is missing or odd', () => {
    const file = path.join(dir, 'range');
    writeFileSync(file, '40000\t60999\n');
    expect(ephemeralLow(file)).toBe(40000);
    writeFileSync(file, 'garbage');
    expect(ephemeralLow(file)).toBe(32768);
    expect(ephemeralLow(path.join(dir, 'missing'))).toBe(32768);
  });

  it('picks from just below the ephemeral range, never below 1024', () => {
    expect(handoverRange(32768)).toEqual({ from: 20768, to: 32767 });
    expect(handoverRange(5000)).toEqual({ from: 1024, to: 4999 });
  });

  it('returns a bindable port outside the ephemeral range', async () => {
    const port = await handoverPort('127.0.0.1');
    const { from, to } = handoverRange();
    expect(port).toBeGreaterThanOrEqual(from);
    expect(port).toBeLessThanOrEqual(to);
    const server = net.createServer();
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', resolve);
    });
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  it('skips a port that is taken', async () => {
    const taken = await handoverPort('127.0.0.1');
    const holder = net.createServer();
    await new Promise<void>((resolve) => holder.listen(taken, '127.0.0.1', resolve));
    try {
      const { from, to } = handoverRange();
      // The first pick lands on the taken port, the second on the next one up.
      const picks = [(taken - from + 0.5) / (to - from + 1), (taken + 1.5 - from) / (to - from + 1)];
      const port = await handoverPort('127.0.0.1', () => picks.shift() ?? Math.random());
      expect(port).not.toBe(taken);
    } finally {
      await new Promise<void>((resolve) => holder.close(() => resolve()));
    }
  });
});
