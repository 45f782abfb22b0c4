/** A parsed runbook: what the executor runs. */
import type { FaultSpec } from '../faults/spec.js';
import type { ProcessAction } from '../contract/process-action.js';
import type { Condition } from './conditions.js';
import type { RunbookFrontMatter, SectionName } from './runbook-schema.js';

interface StepBase {
  /** Heading or `title:`, for people and reports. */
  title: string;
  section: SectionName;
  /** Where the step block starts (1-based), for messages. */
  line: number;
  /** The step's target time, ms. */
  withinMs?: number;
}

export type Step =
  | (StepBase & { kind: 'fault'; id: string; fault: FaultSpec })
  | (StepBase & { kind: 'heal'; /** `all` or a fault step's id. */ faultId: string })
  | (StepBase & { kind: 'wait'; condition: Condition | null; durationMs?: number; timeoutMs: number })
  | (StepBase & { kind: 'check'; condition: Condition })
  | (StepBase & { kind: 'confirm'; prompt: string })
  | (StepBase & { kind: 'process'; component: string; action: ProcessAction });

export interface Runbook {
  file: string;
  /** sha256 of the file text. */
  sha256: string;
  meta: RunbookFrontMatter;
  preconditions: Step[];
  steps: Step[];
  expected: Step[];
  rollback: Step[];
}

export const allSteps = (runbook: Runbook): Step[] => [
  ...runbook.preconditions,
  ...runbook.steps,
  ...runbook.expected,
  ...runbook.rollback,
];
