/**
 * What `runScenario()` takes and returns. The CLI maps flags onto RunOptions; everything else is library.
 */
import type { HistoryFormat } from '../history/writer.js';
import type { RunReport, RunStatus } from './run-report.js';
import type { Reporter, ReporterOutcome } from './reporter.js';

export type LoadEngineName = 'embedded' | 'k6';

export interface RunOptions {
  scenarioPath: string;
  /** `local` (default); `docker` and `kubernetes` are not available yet (exit 3). */
  driver?: string;
  /** Report directory; default `reports/<run-id>/` under the current directory. */
  out?: string;
  /** Seeds the workload; default: random (recorded in report.json). */
  seed?: number;
  /** Use this real Toxiproxy API instead of the embedded server. */
  toxiproxyUrl?: string;
  /** Overrides the scenario's `load.engine`. */
  loadEngine?: LoadEngineName;
  /** How the history is stored: `gzip` (history.ndjson.gz, default) or `plain` (history.ndjson). */
  history?: HistoryFormat;
  /** Aborting (Ctrl-C) stops the run, tears everything down and writes a partial report. */
  signal?: AbortSignal;
  /** Live progress and phase lines go here (the CLI passes stderr). */
  progress?: NodeJS.WritableStream & { isTTY?: boolean; columns?: number };
  quiet?: boolean;
  /**
   * Renderers of the report besides report.json, which the run always writes (the CLI passes
   * src/report's junit, markdown and html reporters).
   */
  reporters?: readonly Reporter[];
  /** The run id; default `<time>-<scenario>-<random>`. */
  runId?: string;
}

export interface RunResult {
  runId: string;
  status: RunStatus;
  exitCode: number;
  /** Why the run stopped early or failed, in a sentence. */
  reason?: string;
  outDir: string;
  report: RunReport;
  reporters: ReporterOutcome[];
}
