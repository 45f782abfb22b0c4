/**
 * Check: stream the history, the ledger exports and the events into the checkers' accumulator and get
 * one Verdict. Nothing is held in memory twice: files are read line by line.
 */
import { existsSync } from 'node:fs';
import { createCheckAccumulator, readLedgerExport, type CheckExpectations } from '../checks/index.js';
import type { Verdict } from '../checks/verdict.js';
import { readHistoryBatches } from '../history/reader.js';
import type { Scenario } from '../scenario/schema.js';
import type { RunContext } from './context.js';

/**
 * `onTornTail`: the history files may end cut short (a re-check of a killed run); called once per
 * file whose torn last line was left out.
 */
export async function checkRun(ctx: RunContext, onTornTail?: (file: string) => void): Promise<Verdict> {
  const authority = ctx.finalPrimary ?? ctx.topology.primary;
  const accumulator = createCheckAccumulator(expectationsFromScenario(ctx.scenario, authority));
  const onDropped = (count: number): void => accumulator.addDropped(count);
  for (const file of ctx.historyFiles) {
    if (!existsSync(file)) continue;
    const options = {
      expected: ctx.scenario.idempotency,
      onDropped,
      ...(onTornTail === undefined ? {} : { onTornTail: () => onTornTail(file) }),
    };
    for await (const batch of readHistoryBatches(file, options))
      for (const attempt of batch) accumulator.addAttempt(attempt);
  }
  if (ctx.ledgers === undefined)
    accumulator.addMissingLedger(authority, 'the run stopped before the ledgers were collected');
  for (const [region, result] of Object.entries(ctx.ledgers ?? {})) {
    if (!('path' in result)) {
      accumulator.addMissingLedger(region, result.error);
      continue;
    }
    for await (const batch of readLedgerExport(result.path).batches())
      for (const line of batch) accumulator.addLedgerLine(region, line);
  }
  for (const event of ctx.events ?? ctx.runEvents) accumulator.addEvent(event);
  return accumulator.finish();
}

/** The expectations a scenario implies; the caller names the final primary. */
export function expectationsFromScenario(scenario: Scenario, authoritativeRegion: string): CheckExpectations {
  const expectations: CheckExpectations = {
    accounts: { ...scenario.load.accounts },
    statuses: { ...scenario.idempotency },
    authoritativeRegion,
    windowMs: scenario.checks.window,
    recoveryHoldMs: scenario.checks.recoveryHold,
    sloSuccessRate: scenario.steadyState.successRate,
    steadyStateMs: scenario.steadyState.duration,
    examples: scenario.checks.examples,
    plannedFaults: scenario.faults.length,
  };
  if (scenario.checks.recoveryP99 !== undefined) expectations.recoveryP99Ms = scenario.checks.recoveryP99;
  return expectations;
}
