/**
 * report.json: everything a run produced, in one versioned document. Every reporter renders from it, and
 * `chaosbank report <run-dir>` re-renders from it, so nothing else is needed to rebuild a report.
 */
import type { Verdict } from '../checks/verdict.js';
import type { StackEvent } from '../contract/events.js';
import type { GateResult } from './gates.js';

export const REPORT_SCHEMA_VERSION = 1;

/** `incomplete`: the run died before writing its report (kill -9...); `chaosbank report` re-checked it. */
export type RunStatus = 'passed' | 'failed' | 'aborted' | 'interrupted' | 'error' | 'incomplete';

export interface FaultRecord {
  id: string;
  kind: string;
  target: Record<string, unknown>;
  /** Epoch ms the fault was meant to take effect (its `at`); absent in older reports. */
  scheduledAt?: number | null;
  /** Epoch ms it took effect (its last change made); MTTR is measured from here. */
  appliedAt: number | null;
  revertedAt: number | null;
}

export interface PhaseRecord {
  name: string;
  start: number;
  end: number | null;
}

/** The load as the engine counted it; null where nobody counted (older reports: numbers). */
export interface LoadSummary {
  plannedRate: number | null;
  achievedRate: number | null;
  attempts: number | null;
  ok: number | null;
  fail: number | null;
  info: number | null;
  /** Scheduled requests the engine could not start; null when not measured (older reports: a number). */
  dropped: number | null;
}

export interface RunReport {
  schemaVersion: typeof REPORT_SCHEMA_VERSION;
  kind: 'run' | 'drill';
  run: {
    id: string;
    scenario: { name: string; file: string; sha256: string; description?: string };
    seed: number;
    driver: string;
    startedAt: string;
    endedAt: string;
    durationMs: number;
    status: RunStatus;
    exitCode: number;
    /** Why the run stopped early or errored, in a sentence. */
    reason?: string;
    versions: Record<string, string>;
    host: { hostname: string; platform: string; arch: string; cpus: number };
  };
  topology: {
    regions: string[];
    primary: string;
    replication: string;
    bugs: string[];
    /** The network model in a line (`wan, one-way: us-east<->eu-west 42ms, ...`); absent in older reports. */
    network?: string;
  };
  load: LoadSummary | null;
  phases: PhaseRecord[];
  faults: FaultRecord[];
  events: StackEvent[];
  verdict: Verdict | null;
  gates: GateResult[];
  /** Paths relative to the report directory. */
  artifacts: Record<string, string>;
  /** Drill runs: per-step timings against targets. */
  steps?: DrillStepRecord[];
  /** Things that went wrong without stopping the run (heal timeout, no convergence...). */
  notes?: string[];
  /** Set when the run died before writing its report and `chaosbank report` re-checked what it left. */
  incomplete?: IncompleteRun;
  /** Set when a scenario abort condition stopped the run early. */
  abort?: { condition: string; reason: string; evidence?: Record<string, unknown> };
}

export interface IncompleteRun {
  /** The phase the run was in when it died (its last `phase` event), or `starting`. */
  diedDuring: string;
  /** When the re-check ran (ISO 8601). */
  recheckedAt: string;
  /** What the run should have left and did not, one sentence each (`ledger export of us-east`...). */
  missing: string[];
}

export interface DrillStepRecord {
  index: number;
  title: string;
  kind: string;
  startedAt: number;
  durationMs: number;
  targetMs?: number;
  status: 'passed' | 'failed' | 'skipped';
  detail?: string;
}
