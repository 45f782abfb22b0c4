/**
 * `chaosbank run` end to end through the real CLI (spawned), on short test-local scenarios
 * (test/run/fixtures/, 8-18 s of load at 50-60 payments/s): exit codes and report.json.
 */
import { existsSync } from 'node:fs';
import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  CHROMIUM_PATH,
  FIXTURES,
  launchChromium,
  openPorts,
  processesMentioning,
  readReport,
  runCli,
  runFolders,
} from './helpers.js';

const RUN_TIMEOUT_MS = 150_000;

describe('chaosbank run (e2e)', () => {
  const { root, env, outDir } = runFolders('cb-run-e2e-');

  it('a broken scenario exits 2 with file:line errors and starts nothing', async () => {
    const out = outDir('broken');
    const run = runCli(['run', join(FIXTURES, 'broken.yaml'), '--out', out], env);
    expect(await run.exited).toBe(2);
    expect(run.stderr()).toMatch(/broken\.yaml:\d+:\d+/);
    expect(run.stderr()).toContain('did you mean `duration`');
    expect(existsSync(out)).toBe(false);
  });

  it('bad flags and unavailable drivers exit 2 and 3', async () => {
    const scenario = join(FIXTURES, 'outage-sync.yaml');
    const seed = runCli(['run', scenario, '--seed', 'abc'], env);
    expect(await seed.exited).toBe(2);
    const docker = runCli(['run', scenario, '--driver', 'docker', '--out', outDir('docker')], env);
    expect(await docker.exited).toBe(3);
    expect(docker.stderr()).toContain('not available yet');
  });

  describe('region outage with sync replication', () => {
    let out: string;
    let exitCode: number;
    let stdout: string;

    beforeAll(async () => {
      out = outDir('sync');
      const run = runCli(
        ['run', join(FIXTURES, 'outage-sync.yaml'), '--out', out, '--seed', '42', '--json'],
        env,
      );
      exitCode = await run.exited;
      stdout = run.stdout();
      if (exitCode !== 0) console.error(run.stderr().slice(-4000));
    }, RUN_TIMEOUT_MS);

    it('passes its gates (exit 0) and records the run', async () => {
      const report = await readReport(out);
      expect({ exitCode, status: report.run.status, reason: report.run.reason }).toEqual({
        exitCode: 0,
        status: 'passed',
        reason: undefined,
      });
      expect(report.gates.length).toBeGreaterThan(5);
      expect(report.gates.every((g) => g.passed)).toBe(true);
      expect(report.run.seed).toBe(42);
      expect(report.run.scenario.sha256).toMatch(/^[0-9a-f]{64}$/);
      expect(Object.keys(report.run.versions)).toEqual(
        expect.arrayContaining(['chaosbank', 'node', 'postgres']),
      );
      expect(report.faults).toMatchObject([{ id: 'lose-us-east', kind: 'region-outage' }]);
      expect(report.events.some((e) => e.type === 'failover.promoted')).toBe(true);
      expect(report.verdict!.metrics.lost_writes).toBe(0);
      expect(report.verdict!.metrics.mttr_s).toBeGreaterThan(0);
      expect(report.phases.map((p) => p.name)).toEqual([
        'provision',
        'steady-state',
        'load',
        'heal',
        'settle',
        'collect',
        'check',
      ]);
      const summary = JSON.parse(stdout) as { status: string; exitCode: number };
      expect(summary).toMatchObject({ status: 'passed', exitCode: 0 });
      for (const file of ['junit.xml', 'summary.md', 'report.html', 'history.ndjson.gz', 'events.ndjson'])
        expect(existsSync(join(out, file)), file).toBe(true);
      expect(processesMentioning(out)).toEqual([]);
    });

    it.skipIf(!existsSync(CHROMIUM_PATH))(
      'renders report.html in Chromium with charts and no errors',
      async () => {
        const browser = await launchChromium();
        try {
          const page = await browser.newPage({ viewport: { width: 1100, height: 900 } });
          const problems: string[] = [];
          page.on('console', (m) => {
            if (m.type() === 'error') problems.push(m.text());
          });
          page.on('pageerror', (e) => problems.push(e.message));
          page.on('request', (r) => {
            if (!r.url().startsWith('file:')) problems.push(`network request to ${r.url()}`);
          });
          await page.goto(pathToFileURL(join(out, 'report.html')).href);
          const charts = await page.$$eval('svg.chart', (svgs) =>
            svgs.map((svg) => ({
              paths: [...svg.querySelectorAll('path')].map((p) =>
                (p as unknown as { getTotalLength(): number }).getTotalLength(),
              ),
              bands: svg.querySelectorAll('rect.fault-band').length,
              markers: svg.querySelectorAll('line.event-marker').length,
            })),
          );
          expect(charts).toHaveLength(3);
          for (const chart of charts) {
            expect(Math.max(...chart.paths)).toBeGreaterThan(100);
            expect(chart.bands).toBe(1);
            expect(chart.markers).toBeGreaterThan(0);
          }
          await mkdir('test-results', { recursive: true });
          await page.screenshot({ path: join('test-results', 'run-report.png'), fullPage: true });
          expect(problems).toEqual([]);
        } finally {
          await browser.close();
        }
      },
    );

    it('`chaosbank report` re-renders it and compares two runs', async () => {
      const compareOut = join(root, 'compare');
      const run = runCli(['report', out, out, '--out', compareOut, '--json'], env);
      expect(await run.exited).toBe(0);
      const result = JSON.parse(run.stdout()) as { comparison: { rows: unknown[]; regressions: unknown[] } };
      expect(result.comparison.rows).toHaveLength(2);
      expect(result.comparison.regressions).toEqual([]);
      for (const file of ['compare.html', 'compare.md', 'compare.json'])
        expect(existsSync(join(compareOut, file))).toBe(true);
    });
  });

  it(
    'region outage with async replication reports RPO > 0 and fails its RPO gate (exit 1)',
    async () => {
      const out = outDir('async');
      const run = runCli(
        ['run', join(FIXTURES, 'outage-async.yaml'), '--out', out, '--seed', '42', '--quiet'],
        env,
      );
      const exitCode = await run.exited;
      const report = await readReport(out);
      expect(exitCode, run.stderr().slice(-3000)).toBe(1);
      expect(report.run.status).toBe('failed');
      expect(report.verdict!.metrics.rpo_s).toBeGreaterThan(0);
      expect(report.verdict!.metrics.lost_writes).toBeGreaterThan(0);
      expect(report.gates.find((g) => g.gate.startsWith('rpo_s'))).toMatchObject({ passed: false });
    },
    RUN_TIMEOUT_MS,
  );

  it(
    'a seeded bug fails the run (exit 1) naming the anomaly',
    async () => {
      const out = outDir('bug');
      const run = runCli(['run', join(FIXTURES, 'seeded-bug.yaml'), '--out', out, '--quiet'], env);
      const exitCode = await run.exited;
      expect(exitCode, run.stderr().slice(-3000)).toBe(1);
      expect(run.stdout()).toContain('unbalanced-entry');
      const report = await readReport(out);
      expect(report.run.reason).toContain('unbalanced_entries == 0');
      const ledger = report.verdict!.checkers.find((c) => c.name === 'ledger')!;
      expect(ledger.anomalies.find((a) => a.type === 'unbalanced-entry')!.count).toBeGreaterThan(0);
    },
    RUN_TIMEOUT_MS,
  );

  it(
    'a run stopped before its ledgers were collected fails its count gates as not measured, never as 0',
    async () => {
      const out = outDir('stopped-early');
      const run = runCli(['run', join(FIXTURES, 'stopped-early.yaml'), '--out', out, '--json'], env);
      await run.waitForStderr('] load', RUN_TIMEOUT_MS);
      run.child.kill('SIGINT');
      expect(await run.exited, run.stderr().slice(-3000)).toBe(130);

      const noLedger =
        /^not measured: the (idempotency|rpo) checker did not run \(no ledger export from us-east: the run stopped before the ledgers were collected\)$/;
      const summary = JSON.parse(run.stdout()) as {
        gates: Array<{ gate: string; actual: number | null; passed: boolean; reason: string }>;
        metrics: Record<string, number | null>;
      };
      const gate = (name: string) => summary.gates.find((g) => g.gate === name)!;
      for (const name of ['duplicates == 0', 'lost_writes == 0']) {
        expect(gate(name)).toMatchObject({ actual: null, passed: false });
        expect(gate(name).reason).toMatch(noLedger);
      }
      expect(gate('mttr_s < 15')).toMatchObject({ actual: null, passed: false });
      expect(gate('mttr_s < 15').reason).toBe(
        "not measured: none of the scenario's 1 fault(s) was applied (the run stopped before the first, or applying it failed)",
      );
      // the engine's drop count is in the history: nothing was dropped, and the gate says so
      expect(gate('dropped == 0')).toMatchObject({ actual: 0, passed: true });
      expect(summary.metrics.attempts).toBeGreaterThan(0);

      const junit = await readFile(join(out, 'junit.xml'), 'utf8');
      expect(junit).toMatch(
        /<testcase name="gate: duplicates == 0"[^>]*>\s*<failure message="not measured: the idempotency checker did not run \(no ledger export from us-east[^"]*">actual: not measured/,
      );
      expect(junit).toMatch(/<testcase name="gate: dropped == 0"[^>]*\/>/);
      const report = await readReport(out);
      expect(report.verdict!.metrics.duplicates).toBeNull();
      expect(report.verdict!.notMeasured!.lost_writes).toMatch(/no ledger export from us-east/);
      expect(report.load!.dropped).toBe(0);
      expect(await readFile(join(out, 'summary.md'), 'utf8')).toContain(
        'not measured: the idempotency checker',
      );
      expect(processesMentioning(out)).toEqual([]);
    },
    RUN_TIMEOUT_MS,
  );

  it(
    'Ctrl-C mid-run exits 130 with a partial report and nothing left running',
    async () => {
      const out = outDir('interrupted');
      const run = runCli(['run', join(FIXTURES, 'outage-sync.yaml'), '--out', out], env);
      await run.waitForStderr('] load', RUN_TIMEOUT_MS);
      await run.waitForStderr('fault.applied', 30_000);
      const sentAt = Date.now();
      run.child.kill('SIGINT');
      const exitCode = await run.exited;
      const teardownMs = Date.now() - sentAt;
      expect(exitCode, run.stderr().slice(-3000)).toBe(130);
      expect(teardownMs).toBeLessThan(10_000); // the CLI promises 5 s; slack for a loaded CI machine
      const report = await readReport(out);
      expect(report.run.status).toBe('interrupted');
      expect(report.run.exitCode).toBe(130);
      expect(report.verdict!.metrics.attempts).toBeGreaterThan(0); // partial: the history so far was checked
      expect(processesMentioning(out)).toEqual([]);
      expect(await openPorts(out)).toEqual([]);
    },
    RUN_TIMEOUT_MS,
  );
});
