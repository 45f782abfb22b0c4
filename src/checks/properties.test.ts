/**
 * Property tests: random correct histories (a sequential payment model: retries, replays, declines,
 * unknown outcomes that did or did not take effect, 409s, mismatches, reads) never produce an anomaly;
 * a random corruption of such a history is always found by the checker that owns it.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Attempt } from '../history/attempt.js';
import { checkRun } from './accumulator.js';
import { makeAttempt, makeLedger, type FixtureTransfer } from './fixtures.js';
import type { ExportLine } from '../contract/ledger-export.js';
import type { AnomalyType, Verdict } from './verdict.js';

const MODES = [
  'ok',
  'info-applied',
  'info-lost',
  'retry-ok',
  'replay',
  'concurrent',
  'mismatch',
  'decline',
] as const;
type Mode = (typeof MODES)[number];

interface Plan {
  from: number;
  toOffset: number;
  amount: number;
  mode: Mode;
  retryApplied: boolean;
  readAfter: number | null;
}

interface History {
  accounts: string[];
  funding: number;
  attempts: Attempt[];
  transfers: FixtureTransfer[];
  /** Keys by what happened to them. */
  acked: string[];
  declined: string[];
}

const planArb = fc.record({
  from: fc.nat(3),
  toOffset: fc.integer({ min: 1, max: 3 }),
  amount: fc.integer({ min: 1, max: 400 }),
  mode: fc.constantFrom(...MODES),
  retryApplied: fc.boolean(),
  readAfter: fc.option(fc.nat(3), { nil: null }),
});

const historyArb = (minPayments: number) =>
  fc
    .record({
      accountCount: fc.integer({ min: 2, max: 4 }),
      funding: fc.integer({ min: 100, max: 1000 }),
      plans: fc.array(planArb, { minLength: minPayments, maxLength: 30 }),
    })
    .map(({ accountCount, funding, plans }) => buildHistory(accountCount, funding, plans));

function buildHistory(accountCount: number, funding: number, plans: Plan[]): History {
  const accounts = Array.from({ length: accountCount }, (_, i) => `acct-${i}`);
  const balance = new Map(accounts.map((a) => [a, funding]));
  const h: History = { accounts, funding, attempts: [], transfers: [], acked: [], declined: [] };
  let t = 1000;
  let seq = 0;
  const add = (a: Parameters<typeof makeAttempt>[0]): Attempt => {
    const attempt = makeAttempt(a);
    h.attempts.push(attempt);
    return attempt;
  };
  plans.forEach((plan, n) => {
    const key = `key-${n}`;
    const from = accounts[plan.from % accountCount]!;
    const to = accounts[(plan.from + plan.toOffset) % accountCount]!;
    if (from === to) return;
    const payload = { from, to, amount: plan.amount, currency: 'USD' };
    const fits = balance.get(from)! >= plan.amount;
    const mode: Mode =
      plan.mode === 'info-lost' ? 'info-lost' : fits && plan.mode !== 'decline' ? plan.mode : 'decline';
    const apply = (): void => {
      balance.set(from, balance.get(from)! - plan.amount);
      balance.set(to, balance.get(to)! + plan.amount);
      h.transfers.push({ id: `tx-${n}`, key, from, to, amount: plan.amount, createdAt: t + 5 });
    };
    const body = `body-${n}`;
    switch (mode) {
      case 'ok':
      case 'replay':
      case 'concurrent':
      case 'mismatch':
        add({ seq: seq++, start: t, key, payload, bodyHash: body });
        if (mode === 'concurrent') {
          add({ seq: seq++, start: t + 1, kind: 'concurrent', target: 'eu-west', key, payload, status: 409 });
        }
        apply();
        t += 100;
        if (mode === 'replay') add({ seq: seq++, start: t, kind: 'replay', key, payload, bodyHash: body });
        if (mode === 'mismatch') {
          const changed = { ...payload, amount: plan.amount + 1 };
          add({
            seq: seq++,
            start: t,
            kind: 'mismatch',
            key,
            payload: changed,
            status: 422,
            bodyHash: `m-${n}`,
          });
        }
        h.acked.push(key);
        break;
      case 'info-applied':
        add({ seq: seq++, start: t, key, payload, status: 0, error: 'timeout', latency: 50 });
        apply();
        break;
      case 'info-lost':
        add({ seq: seq++, start: t, key, payload, status: 503 });
        break;
      case 'retry-ok':
        add({ seq: seq++, start: t, key, payload, status: 0, error: 'ECONNRESET', latency: 30 });
        if (plan.retryApplied) apply();
        t += 100;
        add({ seq: seq++, start: t, kind: 'retry', key, payload, bodyHash: body });
        if (!plan.retryApplied) apply();
        h.acked.push(key);
        break;
      case 'decline':
        add({
          seq: seq++,
          start: t,
          key,
          payload: { ...payload, amount: balance.get(from)! + 1 },
          status: 402,
          bodyHash: body,
        });
        h.declined.push(key);
        break;
    }
    t += 100;
    if (plan.readAfter !== null) {
      const account = accounts[plan.readAfter % accountCount]!;
      add({ seq: seq++, start: t, kind: 'read', account, balance: balance.get(account)!, status: 200 });
      t += 100;
    }
  });
  return h;
}

interface Corrupted {
  attempts?: Attempt[];
  transfers?: FixtureTransfer[];
  mutateLedger?: (lines: ExportLine[]) => void;
  replicaTransfers?: FixtureTransfer[];
}

function check(h: History, c: Corrupted = {}): Verdict {
  const transfers = c.transfers ?? h.transfers;
  const spec = { accounts: h.accounts, funding: h.funding, currency: 'USD' };
  const ledger = makeLedger({ ...spec, region: 'us-east', transfers });
  c.mutateLedger?.(ledger);
  const replica = makeLedger({
    ...spec,
    region: 'eu-west',
    role: 'standby',
    transfers: c.replicaTransfers ?? transfers,
  });
  return checkRun({
    expectations: {
      accounts: { count: h.accounts.length, funding: h.funding, currency: 'USD' },
      authoritativeRegion: 'us-east',
    },
    attempts: c.attempts ?? h.attempts,
    ledgers: { 'us-east': ledger, 'eu-west': replica },
  });
}

const found = (v: Verdict): Set<AnomalyType> =>
  new Set(v.checkers.flatMap((c) => c.anomalies.map((a) => a.type)));

type Corruption = (h: History, pick: number) => { expect: AnomalyType[]; corrupted: Corrupted } | null;
const at = <T>(list: T[], pick: number): T | undefined =>
  list.length === 0 ? undefined : list[pick % list.length];

const CORRUPTIONS: Record<string, Corruption> = {
  'duplicate a transaction': (h, pick) => {
    const t = at(h.transfers, pick);
    if (!t) return null;
    return {
      expect: ['duplicate-application', 'cross-region-duplicate'],
      corrupted: { transfers: [...h.transfers, { ...t, id: `${t.id}-dup` }] },
    };
  },
  'drop an acknowledged transaction': (h, pick) => {
    const key = at(h.acked, pick);
    if (key === undefined) return null;
    return { expect: ['lost-write'], corrupted: { transfers: h.transfers.filter((t) => t.key !== key) } };
  },
  'alter one entry': (h, pick) => {
    const t = at(h.transfers, pick);
    if (!t) return null;
    const mutateLedger = (lines: ExportLine[]): void => {
      const line = lines.find((l) => l.type === 'transaction' && l.id === t.id);
      if (line?.type === 'transaction') line.entries[1]!.amount += 1;
    };
    return { expect: ['unbalanced-entry'], corrupted: { mutateLedger } };
  },
  "flip a replay's status": (h, pick) => {
    const done = h.attempts.filter(
      (a) => a.key !== undefined && (a.status === 201 || a.status === 402) && a.kind !== 'mismatch',
    );
    const a = at(done, pick);
    if (!a) return null;
    const replay = {
      ...a,
      seq: 10_000,
      kind: 'replay' as const,
      start: a.end + 1_000_000,
      end: a.end + 1_000_010,
    };
    const flipped =
      a.status === 201
        ? { ...replay, status: 402, outcome: 'fail' as const }
        : { ...replay, status: 201, outcome: 'ok' as const };
    return { expect: ['outcome-flip'], corrupted: { attempts: [...h.attempts, flipped] } };
  },
  'add an unknown transaction': (h) => {
    const [from, to] = h.accounts as [string, string];
    return {
      expect: ['unknown-write'],
      corrupted: { transfers: [...h.transfers, { id: 'tx-ghost', key: 'ghost-key', from, to, amount: 1 }] },
    };
  },
  'apply a declined payment': (h, pick) => {
    const key = at(h.declined, pick);
    if (key === undefined) return null;
    const [from, to] = h.accounts as [string, string];
    return {
      expect: ['phantom-write'],
      corrupted: { transfers: [...h.transfers, { id: 'tx-phantom', key, from, to, amount: 1 }] },
    };
  },
  'make a balance negative': (h, pick) => {
    const id = at(h.accounts, pick)!;
    const mutateLedger = (lines: ExportLine[]): void => {
      const line = lines.find((l) => l.type === 'account' && l.id === id);
      if (line?.type === 'account') line.balance = -1;
    };
    return { expect: ['negative-balance'], corrupted: { mutateLedger } };
  },
  'change a stored balance': (h, pick) => {
    const id = at(h.accounts, pick)!;
    const mutateLedger = (lines: ExportLine[]): void => {
      const line = lines.find((l) => l.type === 'account' && l.id === id);
      if (line?.type === 'account') line.balance += 7;
    };
    return { expect: ['conservation'], corrupted: { mutateLedger } };
  },
  'move money without a payment': (h) => {
    const [from, to] = h.accounts as [string, string];
    return {
      expect: ['balance-bounds'],
      corrupted: {
        // more than every unknown payment together could explain
        transfers: [...h.transfers, { id: 'tx-sys', key: null, from, to, amount: 1_000_000 }],
      },
    };
  },
  'return an impossible read': (h, pick) => {
    const reads = h.attempts.filter((a) => a.kind === 'read');
    const r = at(reads, pick);
    if (!r) return null;
    return {
      expect: ['stale-read'],
      corrupted: {
        attempts: h.attempts.map((a) => (a === r ? { ...r, balance: r.balance! + 1_000_000 } : a)),
      },
    };
  },
  'acknowledge under an old epoch': (h, pick) => {
    const oks = h.attempts.filter((a) => a.outcome === 'ok' && a.kind !== 'read');
    const a = at(oks, pick);
    const b = a && oks.find((x) => x.start > a.end);
    if (!a || !b) return null;
    return {
      expect: ['split-brain'],
      corrupted: {
        attempts: h.attempts.map((x) => (x === a ? { ...x, epoch: 2 } : x === b ? { ...x, epoch: 1 } : x)),
      },
    };
  },
  'let a replica miss a transaction': (h, pick) => {
    const t = at(h.transfers, pick);
    if (!t) return null;
    return {
      expect: ['no-convergence'],
      corrupted: { replicaTransfers: h.transfers.filter((x) => x !== t) },
    };
  },
  'accept a changed payload': (h, pick) => {
    const mismatches = h.attempts.filter((a) => a.kind === 'mismatch');
    const m = at(mismatches, pick);
    if (!m) return null;
    return {
      expect: ['mismatch-accepted'],
      corrupted: {
        attempts: h.attempts.map((a) => (a === m ? { ...m, status: 201, outcome: 'ok' as const } : a)),
      },
    };
  },
};

describe('checker properties', () => {
  it('random correct histories never produce an anomaly', () => {
    fc.assert(
      fc.property(historyArb(0), (h) => {
        const v = check(h);
        expect([...found(v)]).toEqual([]);
        expect(v.passed).toBe(true);
      }),
      { numRuns: 300 },
    );
  });

  for (const [name, corrupt] of Object.entries(CORRUPTIONS)) {
    it(`"${name}" is always found by its checker`, () => {
      fc.assert(
        fc.property(historyArb(8), fc.nat(), (h, pick) => {
          const c = corrupt(h, pick);
          fc.pre(c !== null);
          const anomalies = found(check(h, c.corrupted));
          expect(
            c.expect.some((t) => anomalies.has(t)),
            `expected one of ${c.expect.join(', ')}, got ${[...anomalies].join(', ')}`,
          ).toBe(true);
        }),
        { numRuns: 100 },
      );
    });
  }
});
