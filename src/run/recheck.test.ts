/**
 * Re-checking a run folder that a killed run left (no report.json): hand-made folders, real files, the
 * real checkers. The end-to-end case (kill -9 of `chaosbank run`) is test/run/recheck-cli.test.ts.
 */
import { createHash } from 'node:crypto';
import { appendFile, mkdir, mkdtemp, rm, unlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { makeAttempt, makeLedger } from '../checks/fixtures.js';
import { killedGzipHistory, writeCut } from '../history/killed-history-fixtures.js';
import { HistoryWriter } from '../history/writer.js';
import { recheckRun } from './recheck.js';
import { appendEvent, writeRunManifest } from './run-manifest.js';

const SCENARIO = `version: 1
metadata: { name: recheck-unit }
topology: { regions: [us-east, eu-west], primary: us-east, replication: sync }
load:
  rate: 10
  duration: 10s
  accounts: { count: 3, funding: 1000 }
gates:
  - duplicates == 0
  - lost_writes == 0
  - p99_ms < 60000
`;
const ACCOUNTS = ['acc-0001', 'acc-0002', 'acc-0003'];
const T0 = Date.parse('2026-11-22T10:00:00Z');
const pay = (amount: number) => ({ from: 'acc-0001', to: 'acc-0002', amount, currency: 'USD' });

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'cb-recheck-'));
  await writeRunManifest(
    dir,
    {
      manifestVersion: 1,
      runId: 'run-killed',
      scenarioFile: 'scenarios/recheck-unit.yaml',
      scenarioSha256: createHash('sha256').update(SCENARIO).digest('hex'),
      seed: 7,
      driver: 'local',
      loadEngine: 'embedded',
      startedAt: T0,
    },
    SCENARIO,
  );
  for (const [offset, name] of [
    [0, 'provision'],
    [5000, 'steady-state'],
    [8000, 'load'],
  ] as const)
    appendEvent(dir, { time: T0 + offset, type: 'phase', data: { name } });
  const history = new HistoryWriter(join(dir, 'history.ndjson'));
  for (let seq = 1; seq <= 20; seq++)
    history.write(makeAttempt({ seq, start: T0 + 8000 + seq * 100, key: `k${seq}`, payload: pay(seq) }));
  await history.close();
  // The process died in the middle of writing a line.
  await appendFile(join(dir, 'history.ndjson'), '{"type":"Point","metric":"http_req_dur');
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function writeLedger(region: string, cutShort: boolean): Promise<void> {
  const transfers = Array.from({ length: 20 }, (_, i) => ({
    id: `tx${i + 1}`,
    key: `k${i + 1}`,
    from: 'acc-0001',
    to: 'acc-0002',
    amount: i + 1,
    createdAt: T0 + 8000 + (i + 1) * 100 + 5,
  }));
  const lines = makeLedger({
    region,
    accounts: ACCOUNTS,
    funding: 1000,
    currency: 'USD',
    transfers,
    cutShort,
  });
  await mkdir(join(dir, 'ledgers'), { recursive: true });
  await writeFile(
    join(dir, 'ledgers', `${region}.ndjson`),
    lines.map((l) => JSON.stringify(l)).join('\n') + '\n',
  );
}

describe('re-checking a run that died before writing its report', () => {
  it('killed during load: incomplete, every ledger named missing, ledger metrics not measured and their gates failed', async () => {
    const report = await recheckRun(dir);
    expect(report.run.status).toBe('incomplete');
    expect(report.run.exitCode).toBe(1);
    expect(report.run.id).toBe('run-killed');
    expect(report.run.seed).toBe(7);
    expect(report.run.reason).toMatch(/the run died during load .*before writing its report/);
    expect(report.incomplete).toMatchObject({ diedDuring: 'load' });
    expect(report.incomplete!.missing).toEqual([
      'the ledger export of us-east (not collected: the run died before its collect phase)',
      'the ledger export of eu-west (not collected: the run died before its collect phase)',
    ]);
    // What the history alone measures is measured; the torn last line is left out and said so.
    expect(report.verdict!.metrics.attempts).toBe(20);
    expect(report.notes).toContain(
      'history.ndjson: its last line was cut short when the run died and was left out',
    );
    expect(report.verdict!.metrics.duplicates).toBeNull();
    expect(report.verdict!.metrics.lost_writes).toBeNull();
    expect(report.verdict!.metrics.anomalies).toBeNull();
    const gate = (name: string) => report.gates.find((g) => g.gate === name)!;
    expect(gate('duplicates == 0')).toMatchObject({ passed: false, actual: null });
    expect(gate('duplicates == 0').reason).toMatch(/^not measured: the idempotency checker did not run/);
    expect(gate('lost_writes == 0')).toMatchObject({ passed: false, actual: null });
    expect(gate('p99_ms < 60000')).toMatchObject({ passed: true });
    expect(report.phases.map((p) => p.name)).toEqual(['provision', 'steady-state', 'load']);
    expect(report.load).toBeNull();
  });

  it('killed during load with the default gzip history: what was flushed is checked, the torn tail left out', async () => {
    await unlink(join(dir, 'history.ndjson'));
    const attempt = (seq: number) =>
      makeAttempt({ seq, start: T0 + 8000 + seq * 100, key: `k${seq}`, payload: pay(seq) });
    const first = Array.from({ length: 20 }, (_, i) => attempt(i + 1));
    const second = Array.from({ length: 20 }, (_, i) => attempt(i + 21));
    const path = join(dir, 'history.ndjson.gz');
    const killed = await killedGzipHistory(path, first, second);
    // the process died half-way through writing the second flush
    writeCut(path, killed, Math.floor((killed.firstFlushBytes + killed.secondFlushBytes) / 2));
    const report = await recheckRun(dir);
    expect(report.run.status).toBe('incomplete');
    const attempts = report.verdict!.metrics.attempts!;
    expect(attempts).toBeGreaterThanOrEqual(20);
    expect(attempts).toBeLessThan(40);
    expect(report.notes).toContain(
      'history.ndjson.gz: its last line was cut short when the run died and was left out',
    );
    expect(report.artifacts.history).toBe('history.ndjson.gz');
    expect(report.incomplete!.missing.join(' ')).not.toContain('history');
  });

  it('killed while collecting: a complete export is checked, one cut short is named missing', async () => {
    appendEvent(dir, { time: T0 + 20_000, type: 'phase', data: { name: 'collect' } });
    await writeLedger('us-east', false);
    await writeLedger('eu-west', true);
    const report = await recheckRun(dir);
    expect(report.run.status).toBe('incomplete');
    expect(report.incomplete).toMatchObject({
      diedDuring: 'collect',
      missing: ['the ledger export of eu-west (cut short: no end line, the run died while collecting it)'],
    });
    expect(report.verdict!.metrics.duplicates).toBe(0);
    expect(report.verdict!.metrics.lost_writes).toBe(0);
    expect(report.gates.every((g) => g.passed)).toBe(true);
    expect(report.artifacts).toMatchObject({ 'ledger:us-east': 'ledgers/us-east.ndjson' });
    expect(report.artifacts['ledger:eu-west']).toBeUndefined();
  });

  it('a folder whose scenario.yaml was edited since is refused (exit 2), not re-checked against other gates', async () => {
    await appendFile(join(dir, 'scenario.yaml'), '  - rpo_s == 0\n');
    await expect(recheckRun(dir)).rejects.toMatchObject({ code: 'RUN_FOLDER_INVALID', exitCode: 2 });
  });
});
