/**
 * `up` and `run` first reap the stacks whose owner is gone (a crash took the owner and its watchdog, see
 * docs/local-driver.md), so a new stack never starts beside leftovers nobody owns; one line on stderr
 * says so. Stacks whose owner is alive are never touched.
 */
import type { DownResult } from '../../drivers/driver.js';
import { availableDrivers } from '../../drivers/registry.js';
import { printError, stderrColors } from './output.js';

export async function reapOwnerlessStacks(): Promise<void> {
  const reaped: DownResult[] = [];
  for (const driver of await availableDrivers()) reaped.push(...(await driver.reapOwnerless()));
  if (reaped.length === 0) return;
  const problems = reaped.flatMap((r) => r.report.problems);
  printError(
    stderrColors.yellow(
      `reaped ${reaped.length} stack${reaped.length === 1 ? '' : 's'} whose owner is gone: ` +
        reaped.map((r) => r.runId).join(', ') +
        (problems.length > 0 ? ` (problems: ${problems.join('; ')})` : ''),
    ),
  );
}
