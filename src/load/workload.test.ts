import { describe, expect, it } from 'vitest';
import { loadSchema } from './spec.js';
import { hashString } from './hash.js';
import { createRandom } from './prng.js';
import { PaymentWorkload, backoffMs } from './workload.js';
import type { Operation } from './workload.js';
import { isChaosbankError } from '../contract/errors.js';

const spec = (mix: Record<string, number> = {}, amount: Record<string, unknown> = {}) =>
  loadSchema.parse({ rate: 1, duration: '1s', mix, amount, accounts: { count: 10 } });

function take(workload: PaymentWorkload, n: number): Operation[] {
  return Array.from({ length: n }, (_, i) => workload.next(i));
}

describe('PaymentWorkload', () => {
  it('is reproducible for a seed and differs across seeds', () => {
    const a = take(new PaymentWorkload(spec({ reads: 0.2 }), { seed: 42, keyPrefix: 'k', regions: [] }), 200);
    const b = take(new PaymentWorkload(spec({ reads: 0.2 }), { seed: 42, keyPrefix: 'k', regions: [] }), 200);
    const c = take(new PaymentWorkload(spec({ reads: 0.2 }), { seed: 43, keyPrefix: 'k', regions: [] }), 200);
    expect(a).toEqual(b);
    expect(a).not.toEqual(c);
  });

  it('sends JSON.stringify of the payload as the body, and hashes that body', () => {
    const workload = new PaymentWorkload(spec({ reads: 0.1, replays: 0.2, mismatches: 0.2 }), {
      seed: 5,
      keyPrefix: 'k',
      regions: [],
    });
    let bodies = 0;
    for (let i = 0; i < 500; i++) {
      const op = workload.next(i);
      if (op.type === 'read') continue;
      if (op.type === 'payment') workload.completed(op.key, op.payload);
      expect(op.body).toBe(JSON.stringify(op.payload));
      expect(op.payloadHash).toBe(hashString(op.body));
      bodies++;
    }
    expect(bodies).toBeGreaterThan(400);
  });

  it('transfers between distinct zero-padded accounts with amounts in range', () => {
    for (const distribution of ['uniform', 'lognormal']) {
      const ops = take(
        new PaymentWorkload(spec({}, { distribution, min: 100, max: 10_000 }), {
          seed: 1,
          keyPrefix: 'run1',
          regions: [],
        }),
        2000,
      );
      const keys = new Set<string>();
      for (const op of ops) {
        if (op.type !== 'payment') throw new Error('expected payments only');
        expect(op.payload.from).toMatch(/^acc-\d{4}$/);
        expect(op.payload.from).not.toBe(op.payload.to);
        expect(op.payload.amount).toBeGreaterThanOrEqual(100);
        expect(op.payload.amount).toBeLessThanOrEqual(10_000);
        expect(op.key.startsWith('run1-')).toBe(true);
        keys.add(op.key);
      }
      expect(keys.size).toBe(2000);
    }
  });

  it('honours the mix shares and reuses completed payments for replays and mismatches', () => {
    const w = new PaymentWorkload(
      spec({
        reads: 0.1,
        replays: 0.2,
        concurrentDuplicates: 0.1,
        crossRegionDuplicates: 0.1,
        mismatches: 0.1,
      }),
      {
        seed: 9,
        keyPrefix: 'k',
        regions: ['us-east', 'eu-west', 'ap-south'],
      },
    );
    w.completed('k-done', { from: 'acc-0001', to: 'acc-0002', amount: 500, currency: 'USD' });
    const ops = take(w, 10_000);
    const count = (pred: (o: Operation) => boolean): number => ops.filter(pred).length;
    const near = (n: number, share: number): void => expect(Math.abs(n / 10_000 - share)).toBeLessThan(0.02);
    near(
      count((o) => o.type === 'read'),
      0.1,
    );
    near(
      count((o) => o.type === 'replay'),
      0.2,
    );
    near(
      count((o) => o.type === 'mismatch'),
      0.1,
    );
    near(
      count((o) => o.type === 'payment' && o.duplicate?.kind === 'concurrent'),
      0.1,
    );
    near(
      count((o) => o.type === 'payment' && o.duplicate?.kind === 'cross-region'),
      0.1,
    );
    for (const o of ops) {
      if (o.type === 'replay') expect(o).toMatchObject({ key: 'k-done', payload: { amount: 500 } });
      if (o.type === 'mismatch') expect(o).toMatchObject({ key: 'k-done', payload: { amount: 501 } });
      if (o.type === 'payment' && o.duplicate?.kind === 'cross-region')
        expect(o.duplicate.regions[0]).not.toBe(o.duplicate.regions[1]);
    }
  });

  it('rejects shares above 1 and cross-region duplicates without two regions', () => {
    const codeOf = (f: () => unknown): unknown => {
      try {
        f();
      } catch (e) {
        return isChaosbankError(e) ? e.code : e;
      }
      return undefined;
    };
    expect(
      codeOf(
        () =>
          new PaymentWorkload(spec({ reads: 0.6, replays: 0.6 }), { seed: 1, keyPrefix: 'k', regions: [] }),
      ),
    ).toBe('LOAD_MIX_OVER_ONE');
    expect(
      codeOf(
        () =>
          new PaymentWorkload(spec({ crossRegionDuplicates: 0.1 }), {
            seed: 1,
            keyPrefix: 'k',
            regions: ['us-east'],
          }),
      ),
    ).toBe('LOAD_CROSS_REGION_TARGETS');
  });

  it('backs off exponentially with jitter, capped', () => {
    const r = createRandom(1);
    for (let i = 0; i < 100; i++) {
      const first = backoffMs(1, 100, 2000, r);
      expect(first).toBeGreaterThanOrEqual(50);
      expect(first).toBeLessThanOrEqual(100);
      const third = backoffMs(3, 100, 2000, r);
      expect(third).toBeGreaterThanOrEqual(200);
      expect(third).toBeLessThanOrEqual(400);
      expect(backoffMs(10, 100, 2000, r)).toBeLessThanOrEqual(2000);
    }
  });
});
