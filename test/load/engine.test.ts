import { join } from 'node:path';
import { readFileSync } from 'node:fs';
import { availableParallelism, loadavg } from 'node:os';
import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import type { Attempt } from '../../src/history/attempt.js';
import { LoadEngine, runLoad } from '../../src/load/engine.js';
import { HistoryWriter } from '../../src/history/writer.js';
import { readHistoryArray } from '../../src/history/reader.js';
import { startPaymentServersProcess } from './payment-server-process.js';
import type { RemotePaymentServers } from './payment-server-process.js';
import { loadSpec, tempDir, waitFor } from './helpers.js';

let servers: RemotePaymentServers | undefined;
afterEach(async () => {
  await servers?.close();
  servers = undefined;
});

describe('open-model engine against a loopback payment API', () => {
  it.each([500, 5000])('holds %i/s within 2%% and answers every arrival', async (rate) => {
    servers = await startPaymentServersProcess();
    const summary = await runLoad({
      load: loadSpec({ rate, duration: '2s', maxInFlight: 2000 }),
      targets: { router: servers.routerUrl },
      seed: 1,
    });
    expect(summary.arrivals).toBe(rate * 2);
    expect(summary.started + summary.dropped).toBe(rate * 2);
    // This is a rate property of the client: on an overloaded box (load average far above the core
    // count) the client starves, falls behind and drops. Say so in the failure.
    const context = `lag p99 ${summary.schedulingLagMs.p99} ms, achieved ${summary.achievedRate.toFixed(0)}/s, load average ${loadavg()[0]!.toFixed(1)} on ${availableParallelism()} cores`;
    expect(summary.dropped, context).toBe(0);
    expect(summary.requests).toBe(rate * 2);
    expect(Math.abs(summary.achievedRate - rate) / rate, context).toBeLessThan(0.02);
    expect(summary.outcomes.info).toBe(0);
    expect(summary.payments.total).toBe(rate * 2);
    expect(summary.payments.succeeded + summary.payments.declined).toBe(rate * 2);
  });

  it('keeps the arrival schedule when the server stalls, counting unserved demand as dropped', async () => {
    servers = await startPaymentServersProcess();
    await servers.stall();
    const summary = await runLoad({
      load: loadSpec({
        rate: 500,
        duration: '2s',
        maxInFlight: 100,
        timeout: '400ms',
        retry: { attempts: 1 },
      }),
      targets: { router: servers.routerUrl },
      seed: 2,
    });
    // Every arrival was either sent or counted as dropped: the client never slowed down.
    expect(summary.arrivals).toBe(1000);
    expect(summary.started + summary.dropped).toBe(1000);
    expect(summary.dropped).toBeGreaterThan(400);
    expect(summary.outcomes.ok).toBe(0);
    expect(summary.errors.timeout).toBe(summary.requests);
    // Requests that were sent went out on schedule...
    expect(summary.schedulingLagMs.p99).toBeLessThan(50);
    // ...and their latency is the full timeout, measured from the intended start.
    expect(summary.latencyMs.p50).toBeGreaterThanOrEqual(400);
    expect(summary.payments.unknown).toBe(summary.payments.total);
  });

  it('measures latency from the intended start when the client itself falls behind', async () => {
    servers = await startPaymentServersProcess();
    const attempts: Attempt[] = [];
    const engine = new LoadEngine({
      load: loadSpec({ rate: 1000, duration: '1s', maxInFlight: 2000 }),
      targets: { router: servers.routerUrl },
      seed: 3,
      onAttempt: (a) => attempts.push(a),
    });
    const running = engine.run();
    await waitFor(() => engine.stats.requests >= 200, 5000, '200 requests');
    const blockedAt = performance.timeOrigin + performance.now();
    const until = performance.now() + 250;
    while (performance.now() < until) {
      // busy: the event loop cannot fire arrivals, as under a CPU-starved client
    }
    const summary = await running;
    expect(summary.requests).toBe(1000);
    const late = attempts.filter(
      (a) => a.intendedStart > blockedAt + 20 && a.intendedStart < blockedAt + 200,
    );
    expect(late.length).toBeGreaterThan(100);
    for (const a of late) {
      expect(a.start - a.intendedStart).toBeGreaterThan(40);
      expect(a.end - a.intendedStart).toBeGreaterThanOrEqual(a.start - a.intendedStart);
    }
    expect(summary.latencyMs.max).toBeGreaterThan(200);
  });

  it('retries info outcomes with the same key and the same payload', async () => {
    servers = await startPaymentServersProcess({ failFirstAttempt: true });
    const attempts: Attempt[] = [];
    const summary = await runLoad({
      load: loadSpec({
        rate: 200,
        duration: '1s',
        retry: { attempts: 3, backoff: '10ms', maxBackoff: '40ms' },
      }),
      targets: { router: servers.routerUrl },
      seed: 4,
      onAttempt: (a) => attempts.push(a),
    });
    expect(summary.payments.total).toBe(200);
    expect(summary.payments.succeeded + summary.payments.declined).toBe(200);
    expect(summary.byKind.retry).toBe(200);
    const byKey = new Map<string, Attempt[]>();
    for (const a of attempts) byKey.set(a.key!, [...(byKey.get(a.key!) ?? []), a]);
    expect(byKey.size).toBe(200);
    const received = await servers.received();
    for (const [key, list] of byKey) {
      expect(list.map((a) => a.kind)).toEqual(['first', 'retry']);
      expect(list[0]!.status).toBe(503);
      expect(list[0]!.outcome).toBe('info');
      expect(list[1]!.payloadHash).toBe(list[0]!.payloadHash);
      expect(list[1]!.intendedStart).toBeGreaterThanOrEqual(list[0]!.end + 4);
      const bodies = received[key]!;
      expect(bodies).toHaveLength(2);
      expect(bodies[1]).toBe(bodies[0]);
    }
  });

  it('produces replays, duplicates, mismatches and reads in the asked shares', async () => {
    servers = await startPaymentServersProcess({
      processingMs: 2,
      regions: ['us-east', 'eu-west', 'ap-south'],
    });
    const attempts: Attempt[] = [];
    const mix = {
      replays: 0.1,
      concurrentDuplicates: 0.1,
      crossRegionDuplicates: 0.1,
      mismatches: 0.1,
      reads: 0.1,
    };
    const summary = await runLoad({
      load: loadSpec({
        rate: 400,
        duration: '3s',
        maxInFlight: 5000,
        mix,
        retry: { attempts: 3, backoff: '5ms', maxBackoff: '20ms' },
      }),
      targets: { router: servers.routerUrl, regions: servers.regionUrls },
      seed: 5,
      onAttempt: (a) => attempts.push(a),
    });
    expect(summary.dropped).toBe(0);
    const near = (value: number, share: number): void => {
      expect(value).toBeGreaterThan(summary.started * share * 0.7);
      expect(value).toBeLessThan(summary.started * share * 1.3);
    };
    near(summary.byKind.read, 0.1);
    near(summary.byKind.replay, 0.1);
    near(summary.byKind.mismatch, 0.1);
    near(summary.byKind.concurrent, 0.2);
    for (const a of attempts.filter((x) => x.kind === 'mismatch')) expect(a.status).toBe(422);
    // A replay returns the stored original: same body hash as the first completed answer.
    const firstOk = new Map(
      attempts
        .filter(
          (a) =>
            a.kind !== 'replay' && a.kind !== 'mismatch' && a.bodyHash && a.status !== 409 && a.status < 500,
        )
        .map((a) => [a.key, a.bodyHash]),
    );
    const replays = attempts.filter((a) => a.kind === 'replay');
    for (const r of replays) expect(r.bodyHash).toBe(firstOk.get(r.key));
    // Cross-region duplicates: the two copies went to two different regions at the same intended time.
    const crossRegion = attempts.filter((a) => a.kind === 'concurrent' && a.target !== 'router');
    near(crossRegion.length, 0.1);
    for (const dup of crossRegion) {
      const first = attempts.find((a) => a.key === dup.key && a.kind === 'first')!;
      expect(first.target).not.toBe(dup.target);
      expect(first.intendedStart).toBe(dup.intendedStart);
    }
    for (const read of attempts.filter((a) => a.kind === 'read')) expect(typeof read.balance).toBe('number');
    // Idempotency held in the double: one commit per new key at most.
    expect(await servers.committed()).toBeLessThanOrEqual(summary.payments.total);
  });

  it('writes a k6 history that reads back into the same attempts', async () => {
    using dir = tempDir();
    servers = await startPaymentServersProcess();
    const path = join(dir.path, 'history.ndjson');
    const writer = new HistoryWriter(path);
    const attempts: Attempt[] = [];
    await runLoad({
      load: loadSpec({ rate: 300, duration: '1s', mix: { reads: 0.2, replays: 0.1 } }),
      targets: { router: servers.routerUrl },
      seed: 6,
      sink: writer,
      onAttempt: (a) => attempts.push(a),
    });
    await writer.close();
    const lines = readFileSync(path, 'utf8').trim().split('\n');
    const metric = z.object({
      type: z.literal('Metric'),
      metric: z.string(),
      data: z.object({
        type: z.enum(['counter', 'gauge', 'rate', 'trend']),
        contains: z.enum(['default', 'time', 'data']),
      }),
    });
    const point = z.object({
      type: z.literal('Point'),
      metric: z.literal('http_req_duration'),
      data: z.strictObject({
        time: z.string().regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{9}(Z|[+-]\d{2}:\d{2})$/),
        value: z.number().nonnegative(),
        tags: z.record(z.string(), z.string()),
        metadata: z.record(z.string(), z.string()),
      }),
    });
    expect(metric.parse(JSON.parse(lines[0]!)).metric).toBe('http_req_duration');
    expect(metric.parse(JSON.parse(lines[1]!)).metric).toBe('dropped_iterations');
    for (const line of lines.slice(2)) point.parse(JSON.parse(line));
    expect(lines).toHaveLength(attempts.length + 2);
    const back = await readHistoryArray(path);
    expect(back).toHaveLength(attempts.length);
    for (let i = 0; i < attempts.length; i++) {
      const a = attempts[i]!;
      const b = back[i]!;
      for (const field of ['intendedStart', 'start', 'end'] as const)
        expect(Math.abs(b[field] - a[field])).toBeLessThan(0.001);
      expect({ ...b, intendedStart: 0, start: 0, end: 0 }).toEqual({
        ...a,
        intendedStart: 0,
        start: 0,
        end: 0,
      });
    }
  });

  it('stops early on abort', async () => {
    servers = await startPaymentServersProcess();
    const controller = new AbortController();
    const engine = new LoadEngine({
      load: loadSpec({ rate: 200, duration: '30s' }),
      targets: { router: servers.routerUrl },
      seed: 7,
      signal: controller.signal,
    });
    const running = engine.run();
    await waitFor(() => engine.stats.requests >= 50, 5000, '50 requests');
    controller.abort();
    const summary = await running;
    expect(summary.stopped).toBe(true);
    expect(summary.unfired).toBeGreaterThan(5000);
  });
});
