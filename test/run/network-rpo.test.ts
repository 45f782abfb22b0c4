/**
 * The network model makes replication modes differ, end to end through the real CLI over five seeds:
 * with the default (published) inter-region latencies, a primary-region outage under async replication
 * loses the acknowledged payments whose WAL was still crossing to the standby (RPO > 0, the payments
 * named), while sync replication loses nothing. The scenarios are the shipped
 * scenarios/region-outage-async.yaml and region-outage.yaml with a shorter timeline (14 s of load, the
 * outage from 6 s to 11 s) and nothing else changed: same regions, rate, replication, stack settings,
 * gates and network model. Needs `npm run build`. On loopback without the network model (before it
 * existed) the async runs passed their RPO gate: an async primary had under a millisecond of WAL in flight.
 */
import { readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { killLeftovers, processesMentioning, readReport, runCli } from './helpers.js';

const SEEDS = [1, 2, 3, 4, 5];
/** One run: ~20 s provision + 2 s steady state + 14 s load + heal/settle/check; generous for a busy machine. */
const RUN_TIMEOUT_MS = 240_000;

/** A shipped scenario with a shorter timeline; everything that decides RPO is left as shipped. */
function shortened(file: string): string {
  const scenario = parse(readFileSync(resolve('scenarios', file), 'utf8')) as Record<string, unknown>;
  const load = scenario.load as Record<string, unknown>;
  const [outage, ...others] = scenario.faults as Record<string, unknown>[];
  expect(others).toEqual([]);
  expect(outage).toMatchObject({ kind: 'region-outage', target: { region: 'us-east' } });
  return stringify({
    ...scenario,
    metadata: { ...(scenario.metadata as object), name: `short-${file.replace('.yaml', '')}` },
    load: { ...load, duration: '14s' },
    steadyState: { ...(scenario.steadyState as object), duration: '2s' },
    faults: [{ ...outage, at: '6s', duration: '5s' }],
    heal: { timeout: '30s' },
    settle: { timeout: '30s' },
    checks: { recoveryHold: '2s' },
  });
}

describe('network model: async loses the WAL in flight, sync loses nothing (e2e, 5 seeds)', () => {
  let root: string;
  let env: Record<string, string>;
  const outs: string[] = [];

  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'cb-network-rpo-'));
    env = { CHAOSBANK_HOME: join(root, 'home') };
    await writeFile(join(root, 'async.yaml'), shortened('region-outage-async.yaml'));
    await writeFile(join(root, 'sync.yaml'), shortened('region-outage.yaml'));
  });
  afterAll(async () => {
    for (const dir of outs) killLeftovers(dir);
    await rm(root, { recursive: true, force: true });
  });

  async function run(mode: 'async' | 'sync', seed: number) {
    const out = join(root, `${mode}-${seed}`);
    outs.push(out);
    const cli = runCli(
      ['run', join(root, `${mode}.yaml`), '--out', out, '--seed', String(seed), '--quiet'],
      env,
    );
    const exitCode = await cli.exited;
    expect(processesMentioning(out)).toEqual([]);
    return { exitCode, stderr: cli.stderr(), report: await readReport(out) };
  }

  it.each(SEEDS)(
    'async, seed %i: RPO > 0 with the lost payments named, only the RPO gate fails (exit 1)',
    async (seed) => {
      const { exitCode, stderr, report } = await run('async', seed);
      expect(report.topology.network).toContain('us-east<->eu-west 42ms');
      const metrics = report.verdict!.metrics;
      expect(
        { exitCode, failed: report.gates.filter((g) => !g.passed).map((g) => g.gate) },
        stderr.slice(-3000),
      ).toEqual({
        exitCode: 1,
        failed: ['rpo_s == 0'],
      });
      expect(metrics.rpo_s).toBeGreaterThan(0);
      expect(metrics.lost_writes).toBeGreaterThan(0);
      const lost = report.verdict!.checkers.flatMap((c) => c.anomalies).find((a) => a.type === 'lost-write')!;
      expect(lost.count).toBe(metrics.lost_writes);
      expect(lost.examples.length).toBeGreaterThan(0);
      for (const example of lost.examples) expect(example.key).toMatch(/\S/);
    },
    RUN_TIMEOUT_MS,
  );

  it.each(SEEDS)(
    'sync, seed %i: RPO 0, nothing lost, every gate passes (exit 0)',
    async (seed) => {
      const { exitCode, stderr, report } = await run('sync', seed);
      expect(report.topology.network).toContain('us-east<->eu-west 42ms');
      expect(
        { exitCode, failed: report.gates.filter((g) => !g.passed).map((g) => g.gate) },
        stderr.slice(-3000),
      ).toEqual({
        exitCode: 0,
        failed: [],
      });
      expect(report.verdict!.metrics.rpo_s).toBe(0);
      expect(report.verdict!.metrics.lost_writes).toBe(0);
      expect(report.events.some((e) => e.type === 'failover.promoted')).toBe(true);
    },
    RUN_TIMEOUT_MS,
  );
});
