/**
 * The syntax of gates (`mttr_s < 30`) and abort conditions (`error_rate > 0.5 for 10s`,
 * `ledger_invariant_broken`). The scenario loader checks it; the run pipeline evaluates it later.
 */
import { InputError } from '../contract/errors.js';
import { isMetricName, type MetricName } from '../checks/metrics-catalog.js';
import { parseDuration } from '../contract/duration.js';

export type ComparisonOp = '<' | '<=' | '>' | '>=' | '==' | '!=';

export interface ParsedGate {
  metric: MetricName;
  op: ComparisonOp;
  value: number;
  /** The gate as written in the scenario. */
  source: string;
}

export type ParsedAbort =
  | (ParsedGate & {
      kind: 'threshold';
      /** The condition must hold this long (ms) before aborting; 0 = at once. */ forMs: number;
    })
  | { kind: 'ledger_invariant_broken'; source: string }
  | { kind: 'steady_state_not_reached'; source: string };

// Matched against trimmed text, with each run of spaces matchable one way only: no backtracking blow-up.
const COMPARISON = /^([a-z][a-z0-9_]*) *(<=|>=|===|==|!=|<|>) *(-?\d+(?:\.\d+)?)(?: +for +(\S+))?$/;
const NAMED_ABORTS = ['ledger_invariant_broken', 'steady_state_not_reached'] as const;

/** The parts of `<metric> <op> <number> [for <duration>]`; shared with the scenario checks. */
export interface ComparisonParts {
  metric: string;
  op: ComparisonOp;
  value: number;
  forText?: string;
}

export function splitComparison(text: string): ComparisonParts | undefined {
  const match = COMPARISON.exec(text.trim().replaceAll(/\s+/g, ' '));
  if (!match) return undefined;
  const op = (match[2] === '===' ? '==' : match[2]) as ComparisonOp;
  const parts: ComparisonParts = { metric: match[1]!, op, value: Number(match[3]) };
  if (match[4] !== undefined) parts.forText = match[4];
  return parts;
}

export function parseGate(text: string): ParsedGate {
  const parts = splitComparison(text);
  if (!parts || parts.forText !== undefined)
    throw new InputError('GATE_INVALID', `gate \`${text}\` is not \`<metric> <op> <number>\``, {
      details: ['e.g. `mttr_s < 30` or `duplicates == 0`'],
    });
  if (!isMetricName(parts.metric))
    throw new InputError(
      'GATE_UNKNOWN_METRIC',
      `gate \`${text}\` names an unknown metric \`${parts.metric}\``,
    );
  return { metric: parts.metric, op: parts.op, value: parts.value, source: text };
}

export function parseAbort(text: string): ParsedAbort {
  const trimmed = text.trim();
  for (const kind of NAMED_ABORTS) if (trimmed === kind) return { kind, source: text };
  const parts = splitComparison(text);
  if (!parts)
    throw new InputError('ABORT_INVALID', `abort condition \`${text}\` is malformed`, {
      details: ['e.g. `error_rate > 0.5 for 10s`, `ledger_invariant_broken` or `steady_state_not_reached`'],
    });
  if (!isMetricName(parts.metric))
    throw new InputError(
      'ABORT_UNKNOWN_METRIC',
      `abort condition \`${text}\` names an unknown metric \`${parts.metric}\``,
    );
  const forMs = parts.forText === undefined ? 0 : parseDuration(parts.forText);
  if (forMs === undefined)
    throw new InputError(
      'ABORT_INVALID',
      `abort condition \`${text}\`: \`${parts.forText}\` is not a duration`,
      {
        details: ['e.g. `for 10s`'],
      },
    );
  return { kind: 'threshold', metric: parts.metric, op: parts.op, value: parts.value, forMs, source: text };
}

export function compare(op: ComparisonOp, left: number, right: number): boolean {
  switch (op) {
    case '<':
      return left < right;
    case '<=':
      return left <= right;
    case '>':
      return left > right;
    case '>=':
      return left >= right;
    case '==':
      return left === right;
    case '!=':
      return left !== right;
  }
}
