/**
 * Reporters behind one interface. The multiplexer isolates them: a reporter that throws is recorded as a
 * failure and the others still write (Playwright's multiplexer is the model).
 */
import type { RunReport } from './run-report.js';

export interface Reporter {
  name: string;
  /** Writes its files into `outDir`; returns the paths written. */
  write(report: RunReport, outDir: string): Promise<string[]>;
}

export interface ReporterOutcome {
  reporter: string;
  files: string[];
  error?: string;
}

export async function writeReports(
  reporters: readonly Reporter[],
  report: RunReport,
  outDir: string,
): Promise<ReporterOutcome[]> {
  const outcomes: ReporterOutcome[] = [];
  for (const reporter of reporters) {
    try {
      outcomes.push({ reporter: reporter.name, files: await reporter.write(report, outDir) });
    } catch (error) {
      outcomes.push({
        reporter: reporter.name,
        files: [],
        error: error instanceof Error ? error.message : String(error),
      });
    }
  }
  return outcomes;
}
