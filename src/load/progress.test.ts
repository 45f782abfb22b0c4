import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { ProgressReporter, formatProgressLine } from './progress.js';
import { LoadStats } from './stats.js';

function capture(isTTY: boolean): {
  stream: PassThrough & { isTTY?: boolean; columns?: number };
  text: () => string;
} {
  const stream = new PassThrough() as PassThrough & { isTTY?: boolean; columns?: number };
  stream.isTTY = isTTY;
  stream.columns = 200;
  let text = '';
  stream.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
  return { stream, text: () => text };
}

function busyStats(): LoadStats {
  const stats = new LoadStats();
  stats.begin(performance.now() - 2000);
  for (let i = 0; i < 100; i++) {
    stats.recordSent(0.1);
    stats.recordDone(
      'first',
      i < 90 ? 'ok' : 'info',
      i < 90 ? 201 : 0,
      i < 90 ? undefined : 'timeout',
      5 + i,
      4,
    );
  }
  stats.dropped = 7;
  return stats;
}

describe('progress', () => {
  it('formats rate, outcomes, p99, dropped, phase and faults', () => {
    const line = formatProgressLine(busyStats().takeInterval(performance.now()), {
      phase: 'faults',
      faults: ['region-outage us-east'],
    });
    expect(line).toMatch(/ok \d+\/s/);
    expect(line).toContain('dropped 7');
    expect(line).toContain('faults');
    expect(line).toContain('region-outage us-east');
    expect(line).toMatch(/p99 10\d\.\d ms/);
  });

  it('redraws one line on a TTY and ends it on stop', async () => {
    const out = capture(true);
    const reporter = new ProgressReporter({ stream: out.stream, stats: busyStats() });
    reporter.render();
    reporter.render();
    reporter.stop();
    await new Promise((resolve) => setImmediate(resolve));
    expect(out.text().split('\r\x1b[2K')).toHaveLength(3);
    expect(out.text().endsWith('\n')).toBe(true);
    expect(out.text().split('\n')).toHaveLength(2);
  });

  it('writes plain lines when not a TTY, and nothing when quiet', async () => {
    const plain = capture(false);
    const reporter = new ProgressReporter({ stream: plain.stream, stats: busyStats() });
    reporter.render();
    reporter.render();
    reporter.stop();
    const quiet = capture(false);
    const silent = new ProgressReporter({ stream: quiet.stream, stats: busyStats(), mode: 'quiet' }).start();
    silent.render();
    silent.stop();
    await new Promise((resolve) => setImmediate(resolve));
    expect(plain.text().trim().split('\n')).toHaveLength(2);
    expect(plain.text()).not.toContain('\r');
    expect(quiet.text()).toBe('');
  });
});
