import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { rerenderReports } from './rerender.js';
import { sampleReport } from './sample-report.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'cb-rerender-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function writeDrillRun(name: string, startedAt: number, mttr: number, rpo: number): Promise<string> {
  const report = sampleReport({ start: startedAt });
  report.kind = 'drill';
  report.run.id = name;
  report.verdict!.metrics = { ...report.verdict!.metrics, mttr_s: mttr, rpo_s: rpo };
  const runDir = join(dir, name);
  await mkdir(runDir, { recursive: true });
  await writeFile(join(runDir, 'report.json'), JSON.stringify(report));
  return runDir;
}

describe('chaosbank report over several drill runs', () => {
  it('writes the drill trend (MTTR and RPO per drill over time) beside the comparison', async () => {
    const runs = [
      await writeDrillRun('drill-1', Date.parse('2026-11-01T10:00:00Z'), 4.5, 0),
      await writeDrillRun('drill-2', Date.parse('2026-11-08T10:00:00Z'), 6.25, 0.5),
      await writeDrillRun('drill-3', Date.parse('2026-11-15T10:00:00Z'), 3.75, 0),
    ];
    const out = join(dir, 'compare');
    const result = await rerenderReports(runs, { out });
    expect(result.comparisonFiles).toContain(join(out, 'drill-trend.html'));
    const md = await readFile(join(out, 'drill-trend.md'), 'utf8');
    for (const value of ['4.5', '6.25', '3.75']) expect(md).toContain(value);
    const html = await readFile(join(out, 'drill-trend.html'), 'utf8');
    expect(html.match(/<svg /g)?.length).toBeGreaterThanOrEqual(2);
  });

  it('writes no drill trend when the runs are not drills', async () => {
    const runDirs: string[] = [];
    for (const name of ['run-a', 'run-b']) {
      const runDir = join(dir, name);
      await mkdir(runDir, { recursive: true });
      const report = sampleReport();
      report.run.id = name;
      await writeFile(join(runDir, 'report.json'), JSON.stringify(report));
      runDirs.push(runDir);
    }
    const result = await rerenderReports(runDirs, { out: join(dir, 'compare') });
    expect(result.comparisonFiles?.some((f) => f.includes('drill-trend'))).toBe(false);
  });
});
