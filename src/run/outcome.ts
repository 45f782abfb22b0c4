/**
 * The run's status and exit code. A run passes when every gate passed AND every anomaly the checkers
 * found is covered by a gate that names its metric: a scenario that tolerates an anomaly says so with a
 * gate (`stale_reads < 50`), and that gate decides; an anomaly no gate mentions fails the run, because a
 * resilience gate that lets an unexpected money bug through is worse than none. Runs and drills share
 * this rule; a drill also fails when one of its steps failed.
 */
import type { MetricName } from '../checks/metrics-catalog.js';
import type { AnomalyType, Verdict } from '../checks/verdict.js';
import { ExitCode, isChaosbankError, type ExitCodeValue } from '../contract/errors.js';
import type { DrillStepRecord, RunStatus } from './run-report.js';
import type { RunAbort } from './context.js';
import type { GateResult } from './gates.js';

/** Gate metrics that cover each anomaly type (`anomalies` covers them all). */
export const ANOMALY_METRICS: Record<AnomalyType, MetricName[]> = {
  'duplicate-application': ['duplicates'],
  'lost-write': ['lost_writes', 'rpo_s'],
  'phantom-write': ['phantom_writes'],
  'unknown-write': ['unknown_writes'],
  'outcome-flip': ['outcome_flips'],
  'mismatch-accepted': ['mismatches_accepted'],
  'cross-region-duplicate': ['cross_region_duplicates', 'duplicates'],
  'unbalanced-entry': ['unbalanced_entries'],
  conservation: ['conservation_violations'],
  'balance-bounds': ['balance_violations'],
  'negative-balance': ['negative_balances'],
  'stale-read': ['stale_reads'],
  'split-brain': ['split_brain'],
  'no-convergence': ['unconverged_regions'],
};

export interface UngatedAnomaly {
  type: AnomalyType;
  count: number;
}

export function ungatedAnomalies(verdict: Verdict, gates: readonly GateResult[]): UngatedAnomaly[] {
  const gated = new Set<MetricName>(gates.map((g) => g.metric));
  if (gated.has('anomalies')) return [];
  const found: UngatedAnomaly[] = [];
  for (const checker of verdict.checkers)
    for (const summary of checker.anomalies)
      if (summary.count > 0 && !ANOMALY_METRICS[summary.type].some((m) => gated.has(m)))
        found.push({ type: summary.type, count: summary.count });
  return found;
}

export interface Outcome {
  status: RunStatus;
  exitCode: ExitCodeValue;
  reason?: string;
}

export function decideOutcome(input: {
  interrupted: boolean;
  error?: unknown;
  abort?: RunAbort;
  verdict?: Verdict;
  gates?: GateResult[];
  missingAuthority?: string;
  /** A drill's steps: a failed step fails the drill like a failed gate. */
  steps?: readonly DrillStepRecord[];
}): Outcome {
  if (input.interrupted)
    return {
      status: 'interrupted',
      exitCode: ExitCode.interrupted,
      reason: 'interrupted (Ctrl-C / SIGTERM)',
    };
  if (input.error !== undefined) {
    const exitCode = isChaosbankError(input.error) ? input.error.exitCode : ExitCode.environment;
    const message = input.error instanceof Error ? input.error.message : JSON.stringify(input.error);
    return {
      status: 'error',
      exitCode: exitCode === ExitCode.ok ? ExitCode.environment : exitCode,
      reason: message,
    };
  }
  if (input.abort !== undefined)
    return { status: 'aborted', exitCode: ExitCode.gateFailed, reason: input.abort.reason };
  if (input.missingAuthority !== undefined)
    return { status: 'failed', exitCode: ExitCode.gateFailed, reason: input.missingAuthority };
  const failedGates = (input.gates ?? []).filter((g) => !g.passed);
  const ungated = input.verdict ? ungatedAnomalies(input.verdict, input.gates ?? []) : [];
  const reasons: string[] = [];
  const failedSteps = (input.steps ?? []).filter((s) => s.status === 'failed');
  if (failedSteps.length > 0)
    reasons.push(
      `step${failedSteps.length > 1 ? 's' : ''} failed: ${failedSteps.map((s) => `#${s.index} ${s.title}${s.detail ? ` (${s.detail})` : ''}`).join('; ')}`,
    );
  if (failedGates.length > 0)
    reasons.push(
      `gate${failedGates.length > 1 ? 's' : ''} failed: ${failedGates.map((g) => `${g.gate} (${g.reason})`).join('; ')}`,
    );
  if (ungated.length > 0)
    reasons.push(`anomalies no gate covers: ${ungated.map((a) => `${a.count} ${a.type}`).join(', ')}`);
  if (reasons.length > 0)
    return { status: 'failed', exitCode: ExitCode.gateFailed, reason: reasons.join('; ') };
  return { status: 'passed', exitCode: ExitCode.ok };
}
