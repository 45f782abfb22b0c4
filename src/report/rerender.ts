/**
 * `chaosbank report`: re-render every reporter from each run's report.json (nothing else is needed),
 * and given several runs, write a comparison. A run folder without report.json (the run died before
 * writing it) is re-checked first from what it holds (src/run/recheck.ts), and its report.json written.
 */
import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { compareReports, type Comparison } from './compare.js';
import { loadRunReport } from './compare-input.js';
import { writeComparison } from './compare-render.js';
import { renderDrillTrendHtml, renderDrillTrendMarkdown } from './drill-trend.js';
import { jsonReporter } from '../run/json-reporter.js';
import { reportRenderers } from './renderers.js';
import { writeReports, type ReporterOutcome } from '../run/reporter.js';
import type { RunReport } from '../run/run-report.js';
import { canRecheck, recheckRun } from '../run/recheck.js';

export interface RerenderResult {
  runs: Array<{
    runId: string;
    status: string;
    outDir: string;
    reporters: ReporterOutcome[];
    /** Set when the run had died before writing its report and was re-checked from what it left. */
    rechecked?: { reason: string; missing: string[] };
  }>;
  comparison?: Comparison;
  comparisonDir?: string;
  comparisonFiles?: string[];
}

export async function rerenderReports(
  runDirs: readonly string[],
  options: { out?: string } = {},
): Promise<RerenderResult> {
  const loaded = [];
  for (const dir of runDirs) loaded.push(await loadOrRecheck(dir)); // every input checked before writing anything
  const result: RerenderResult = { runs: [] };
  const single = loaded.length === 1;
  for (const { report, dir, rechecked } of loaded) {
    const outDir = single && options.out !== undefined ? options.out : dir;
    await mkdir(outDir, { recursive: true });
    // report.json itself is the source: re-written only when rendering somewhere else or re-checked.
    const reporters = [...(outDir === dir && !rechecked ? [] : [jsonReporter]), ...reportRenderers()];
    result.runs.push({
      runId: report.run.id,
      status: report.run.status,
      outDir,
      reporters: await writeReports(reporters, report, outDir),
      ...(rechecked && report.incomplete
        ? { rechecked: { reason: report.run.reason ?? '', missing: report.incomplete.missing } }
        : {}),
    });
  }
  if (!single) {
    const reports: RunReport[] = loaded.map((l) => l.report);
    const comparison = compareReports(reports);
    const outDir = options.out ?? 'reports/compare';
    result.comparison = comparison;
    result.comparisonDir = outDir;
    result.comparisonFiles = await writeComparison(comparison, outDir);
    const drills = reports.filter((r) => r.kind === 'drill');
    if (drills.length > 1) result.comparisonFiles.push(...(await writeDrillTrend(drills, outDir)));
  }
  return result;
}

/** A run's report.json, or for a run folder without one that a re-check can read, the re-checked report. */
async function loadOrRecheck(dir: string): Promise<{ report: RunReport; dir: string; rechecked: boolean }> {
  if (!existsSync(join(dir, 'report.json')) && canRecheck(dir))
    return { report: await recheckRun(dir), dir, rechecked: true };
  const { report, dir: runDir } = await loadRunReport(dir);
  return { report, dir: runDir, rechecked: false };
}

/** Drill history: MTTR and RPO per drill over time (drill-trend.md, drill-trend.html). */
async function writeDrillTrend(drills: readonly RunReport[], outDir: string): Promise<string[]> {
  const md = join(outDir, 'drill-trend.md');
  const html = join(outDir, 'drill-trend.html');
  await writeFile(md, renderDrillTrendMarkdown(drills));
  await writeFile(html, renderDrillTrendHtml(drills));
  return [md, html];
}
