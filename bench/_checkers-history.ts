/**
 * Synthetic run for the checkers benchmark: a constant-rate payment history with retries after
 * timeouts, declines, replays, reads and a short outage, plus the ledger export it implies (at least
 * `size` attempts and at least `size` ledger transactions, so about 1.14 * size attempts), written
 * as NDJSON files. The history is written by the run pipeline's own HistoryWriter (k6 `Point` lines,
 * src/history/codec.ts), with the engine's key, account and hash shapes, so the benchmark reads
 * exactly what `chaosbank run` reads.
 */
import { closeSync, openSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import type { Attempt } from '../src/history/attempt.js';
import { hashString } from '../src/load/hash.js';
import { HistoryWriter } from '../src/history/writer.js';
import type { ExportLine } from '../src/contract/ledger-export.js';
import type { StackEvent } from '../src/contract/events.js';

export const BENCH_ACCOUNTS = { count: 1000, funding: 1_000_000_000, currency: 'USD' };
export const BENCH_REGION = 'us-east';

export interface GeneratedRun {
  /** history.ndjson: k6 Point lines, as HistoryWriter writes them. */
  attemptsFile: string;
  ledgerFile: string;
  eventsFile: string;
  attempts: number;
  transactions: number;
}

class LineWriter {
  private readonly fd: number;
  private buffer: string[] = [];
  constructor(path: string) {
    this.fd = openSync(path, 'w');
  }
  write(value: unknown): void {
    this.writeText(JSON.stringify(value));
  }
  writeText(line: string): void {
    this.buffer.push(line);
    if (this.buffer.length >= 10_000) this.flush();
  }
  flush(): void {
    if (this.buffer.length > 0) writeSync(this.fd, `${this.buffer.join('\n')}\n`);
    this.buffer = [];
  }
  close(): void {
    this.flush();
    closeSync(this.fd);
  }
}

/**
 * JSON as PostgreSQL's `json_build_object(...)::text` / `json_agg` render it (the stack's
 * `GET /v1/ledger/export`, stack/api/export.ts): `{"k" : v, "k2" : v2}`, `[a, b]`.
 */
function pgJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(pgJson).join(', ')}]`;
  if (value !== null && typeof value === 'object') {
    const fields = Object.entries(value as Record<string, unknown>).map(
      ([k, v]) => `${JSON.stringify(k)} : ${pgJson(v)}`,
    );
    return `{${fields.join(', ')}}`;
  }
  return JSON.stringify(value);
}

/** A transaction/payment id as the stack makes them: `pay_` + 32 hex digits. */
function paymentIdOf(key: string): string {
  return `pay_${hashString(key, 1)}${hashString(key, 2)}${hashString(key, 3).slice(0, 4)}`;
}

/** Deterministic PRNG (mulberry32) so every run of the benchmark checks the same history. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Keys as the engine makes them: `<run prefix>-<index in base 36>`. */
const KEY_PREFIX = 'cbk2x9lmq3f1';
/** Let the history stream drain while generating, so the generator's own memory stays flat. */
const MAX_BUFFERED_BYTES = 16 * 2 ** 20;

export async function generateRun(dir: string, size: number): Promise<GeneratedRun> {
  const random = prng(42);
  const ratePerSecond = 5000;
  const t0 = Date.UTC(2025, 0, 1);
  const duration = (size / ratePerSecond) * 1000;
  const outageFrom = t0 + duration * 0.4;
  const outageTo = outageFrom + 2000;
  const accounts = Array.from(
    { length: BENCH_ACCOUNTS.count },
    (_, i) => `acc-${String(i + 1).padStart(4, '0')}`,
  );
  const balances = new Map(accounts.map((a) => [a, BENCH_ACCOUNTS.funding]));
  const attemptsFile = join(dir, 'history.ndjson');
  const attempts = new HistoryWriter(attemptsFile);
  const transactions: ExportLine[] = [];
  let seq = 0;
  let payment = 0;
  const write = (a: Attempt): void => {
    attempts.write(a);
    seq++;
  };
  // Until both counts reach the size: a run of N attempts has fewer than N transactions (reads,
  // declines and timeouts write none; retries and replays write no second one), and the target is
  // N attempts against an N-transaction ledger. The funding transaction counts as one.
  while (seq < size || transactions.length + 1 < size) {
    if (seq % 1000 === 0) {
      while (attempts.bufferedBytes > MAX_BUFFERED_BYTES) await new Promise((r) => setImmediate(r));
    }
    const start = t0 + (seq / ratePerSecond) * 1000;
    const roll = random();
    if (roll < 0.04) {
      const account = accounts[Math.floor(random() * accounts.length)]!;
      write({
        seq,
        kind: 'read',
        target: 'router',
        account,
        intendedStart: start,
        start,
        end: start + 3,
        status: 200,
        outcome: 'ok',
        servedBy: BENCH_REGION,
        balance: balances.get(account)!,
      });
      continue;
    }
    const key = `${KEY_PREFIX}-${(payment++).toString(36)}`;
    const from = accounts[Math.floor(random() * accounts.length)]!;
    let to = accounts[Math.floor(random() * accounts.length)]!;
    if (to === from) to = accounts[(accounts.indexOf(from) + 1) % accounts.length]!;
    const amount = 100 + Math.floor(random() * 9900);
    const payload = { from, to, amount, currency: BENCH_ACCOUNTS.currency };
    const payloadHash = hashString(
      `{"from":"${from}","to":"${to}","amount":${amount},"currency":"${payload.currency}"}`,
    );
    const paymentId = paymentIdOf(key);
    const base = { target: 'router', key, payload, payloadHash };
    const latency = 2 + random() * 20;
    if (start >= outageFrom && start < outageTo) {
      write({
        ...base,
        seq,
        kind: 'first',
        intendedStart: start,
        start,
        end: start + 2000,
        status: 0,
        error: 'timeout',
        outcome: 'info',
      });
      continue;
    }
    if (roll < 0.06) {
      write({
        ...base,
        seq,
        kind: 'first',
        intendedStart: start,
        start,
        end: start + latency,
        status: 402,
        outcome: 'fail',
        servedBy: BENCH_REGION,
        epoch: 1,
        bodyHash: hashString(`declined ${payloadHash}`),
      });
      continue;
    }
    const bodyHash = hashString(`${paymentId} ${payloadHash}`);
    let okStart = start;
    if (roll < 0.09) {
      write({
        ...base,
        seq,
        kind: 'first',
        intendedStart: start,
        start,
        end: start + 30,
        status: 0,
        error: 'ECONNRESET',
        outcome: 'info',
      });
      okStart = start + 0.1;
    }
    write({
      ...base,
      seq,
      kind: okStart === start ? 'first' : 'retry',
      intendedStart: okStart,
      start: okStart,
      end: okStart + latency,
      status: 201,
      outcome: 'ok',
      paymentId,
      servedBy: BENCH_REGION,
      epoch: 1,
      bodyHash,
    });
    balances.set(from, balances.get(from)! - amount);
    balances.set(to, balances.get(to)! + amount);
    transactions.push({
      type: 'transaction',
      id: paymentId,
      idempotency_key: key,
      created_at: new Date(okStart + 1).toISOString(),
      entries: [
        { account: from, amount: -amount, currency: BENCH_ACCOUNTS.currency },
        { account: to, amount, currency: BENCH_ACCOUNTS.currency },
      ],
    });
    if (roll > 0.97) {
      const replay = okStart + 50;
      write({
        ...base,
        seq,
        kind: 'replay',
        intendedStart: replay,
        start: replay,
        end: replay + latency,
        status: 201,
        outcome: 'ok',
        paymentId,
        servedBy: BENCH_REGION,
        epoch: 1,
        bodyHash,
      });
    }
  }
  await attempts.close();

  const ledger = new LineWriter(join(dir, `ledger-${BENCH_REGION}.ndjson`));
  const { funding, currency } = BENCH_ACCOUNTS;
  ledger.writeText(
    pgJson({ type: 'account', id: '@funding', currency, balance: -funding * accounts.length, system: true }),
  );
  for (const a of accounts)
    ledger.writeText(pgJson({ type: 'account', id: a, currency, balance: balances.get(a)! }));
  ledger.writeText(
    pgJson({
      type: 'transaction',
      id: 'funding',
      idempotency_key: null,
      created_at: new Date(t0 - 60_000).toISOString(),
      entries: [
        { account: '@funding', amount: -funding * accounts.length, currency },
        ...accounts.map((account) => ({ account, amount: funding, currency })),
      ],
    }),
  );
  for (const tx of transactions) ledger.writeText(pgJson(tx));
  ledger.write({
    type: 'end',
    accounts: accounts.length + 1,
    transactions: transactions.length + 1,
    region: BENCH_REGION,
    role: 'primary',
    epoch: 1,
  });
  ledger.close();

  const events: StackEvent[] = [
    { time: outageFrom, type: 'fault.applied', data: { name: 'bench-outage', kind: 'region-outage' } },
    { time: outageTo, type: 'fault.reverted', data: { name: 'bench-outage', kind: 'region-outage' } },
  ];
  const eventsFile = join(dir, 'events.ndjson');
  const ev = new LineWriter(eventsFile);
  for (const e of events) ev.write(e);
  ev.close();
  return {
    attemptsFile,
    ledgerFile: join(dir, `ledger-${BENCH_REGION}.ndjson`),
    eventsFile,
    attempts: seq,
    transactions: transactions.length + 1,
  };
}
