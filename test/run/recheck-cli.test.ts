/**
 * A run killed mid-way can be re-checked: `kill -9` of `chaosbank run` during the load (no teardown of
 * its own, no report.json), then `chaosbank report <dir>` re-checks from the history, the events and
 * whatever ledger exports exist. Real CLI, real stack, real PostgreSQL.
 */
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitUntilGone, footprintOf } from '../../drivers/local/footprint.js';
import { readState } from '../../drivers/local/state.js';
import { FIXTURES, killLeftovers, readReport, runCli } from './helpers.js';

const RUN_TIMEOUT_MS = 150_000;

describe('chaosbank report on a run killed mid-load', () => {
  let root: string;
  let out: string;
  let env: Record<string, string>;

  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'cb-recheck-e2e-'));
    out = join(root, 'killed');
    env = { CHAOSBANK_HOME: join(root, 'home') };
    const run = runCli(['run', join(FIXTURES, 'outage-sync.yaml'), '--out', out, '--seed', '7'], env);
    // Mid-load, after the fault went in: history and events are being written, no ledger is collected.
    await run.waitForStderr('] load', RUN_TIMEOUT_MS);
    await run.waitForStderr('fault.applied', 30_000);
    const footprint = footprintOf(join(out, 'stack'), readState(join(out, 'stack'))!);
    run.child.kill('SIGKILL');
    expect(await run.exited).toBe(128);
    // The stack's watchdog takes the stack down; nothing of the run may outlive the test.
    expect(await waitUntilGone(footprint, 15_000)).toEqual([]);
  }, RUN_TIMEOUT_MS);

  afterAll(async () => {
    killLeftovers(out);
    await rm(root, { recursive: true, force: true });
  });

  it('the killed run left its inputs, its history and its events, and no report', () => {
    for (const file of ['run.json', 'scenario.yaml', 'history.ndjson.gz', 'events.ndjson'])
      expect(existsSync(join(out, file)), file).toBe(true);
    expect(existsSync(join(out, 'report.json'))).toBe(false);
  });

  it('re-checks it: incomplete, the missing ledgers named, ledger gates not measured and failed (exit 0: the reports were written)', async () => {
    const report = runCli(['report', out, '--json'], env);
    expect(await report.exited, report.stderr()).toBe(0);
    const result = JSON.parse(report.stdout()) as {
      runs: Array<{ status: string; rechecked?: { reason: string; missing: string[] } }>;
    };
    expect(result.runs[0]).toMatchObject({ status: 'incomplete' });
    const missing = ['us-east', 'eu-west', 'ap-south'].map(
      (region) => `the ledger export of ${region} (not collected: the run died before its collect phase)`,
    );
    expect(result.runs[0]!.rechecked!.missing).toEqual(missing);

    const json = await readReport(out);
    expect(json.run.status).toBe('incomplete');
    expect(json.run.exitCode).toBe(1);
    expect(json.run.seed).toBe(7);
    expect(json.run.reason).toMatch(/^the run died during load/);
    expect(json.incomplete).toMatchObject({ diedDuring: 'load', missing });
    // Measured from the history: the attempts; from the events: the fault the run applied.
    expect(json.verdict!.metrics.attempts).toBeGreaterThan(0);
    expect(json.faults.map((f) => f.id)).toEqual(['lose-us-east']);
    expect(json.events.some((e) => e.type === 'phase')).toBe(true);
    // Not measured, never 0: every gate whose checker needs a ledger fails and says why.
    for (const metric of ['duplicates', 'lost_writes', 'unbalanced_entries', 'unconverged_regions']) {
      const gate = json.gates.find((g) => g.metric === metric)!;
      expect(gate, metric).toMatchObject({ actual: null, passed: false });
      expect(gate.reason, metric).toMatch(
        /^not measured: the \w+ checker did not run \(no ledger export from us-east: not collected: the run died before its collect phase\)/,
      );
    }
    const junit = await readFile(join(out, 'junit.xml'), 'utf8');
    expect(junit).toContain('run incomplete');
    expect(await readFile(join(out, 'summary.md'), 'utf8')).toContain('INCOMPLETE');
  });

  it('the re-checked report then re-renders like any other (it is read back, not re-checked again)', async () => {
    const before = await readReport(out);
    const again = runCli(['report', out], env);
    expect(await again.exited, again.stderr()).toBe(0);
    expect(again.stdout()).toContain(`rendered ${before.run.id} (incomplete)`);
    expect((await readReport(out)).incomplete!.recheckedAt).toBe(before.incomplete!.recheckedAt);
  });
});
