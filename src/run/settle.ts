/**
 * Settle: wait until the regions' ledgers have converged — exactly one region is primary (the one the
 * controller names), every other region is a streaming standby with no replication lag (so an old
 * primary has been fenced and has rejoined), and every region's API reports the same balances twice in
 * a row — or the settle bound passes. Convergence itself is proven later by the checkers from the full ledger exports;
 * this only decides when it is worth collecting them.
 */
import { request } from 'undici';
import { note, type RunContext } from './context.js';
import { pollUntil } from './poll.js';
import { STACK_PATHS } from '../contract/stack-http.js';
import type { StartedStack } from '../../drivers/driver.js';

export async function settleLedgers(ctx: RunContext, signal: AbortSignal): Promise<boolean> {
  const converged = await waitForConvergence(ctx.stack!, ctx.scenario.settle.timeout, signal);
  if (!converged)
    note(ctx, `the regions had not converged within settle.timeout (${ctx.scenario.settle.timeout} ms)`);
  return converged;
}

/** Wait (up to `timeoutMs`) until the stack's regions have converged; false when they had not by then. */
export async function waitForConvergence(
  stack: StartedStack,
  timeoutMs: number,
  signal?: AbortSignal,
): Promise<boolean> {
  let previous: string | undefined;
  return pollUntil(
    async () => {
      const status = await stack.status();
      const primaries = status.regions.filter((r) => r.role === 'primary');
      const replicated =
        primaries.length === 1 &&
        primaries[0]?.region === status.primary &&
        status.regions.every((r) => (r.role === 'primary' || r.role === 'standby') && r.lagBytes === 0);
      if (!replicated) {
        previous = undefined;
        return false;
      }
      const balances = await Promise.all(Object.values(stack.regions).map((r) => fetchBalances(r.apiUrl)));
      const same = balances.every((b) => b === balances[0]);
      const stable = same && previous === balances[0];
      previous = same ? balances[0] : undefined;
      return stable;
    },
    { timeoutMs, intervalMs: 200, ...(signal === undefined ? {} : { signal }) },
  );
}

async function fetchBalances(apiUrl: string): Promise<string> {
  const response = await request(`${apiUrl}${STACK_PATHS.accounts}`, { signal: AbortSignal.timeout(2000) });
  if (response.statusCode !== 200) {
    await response.body.dump();
    throw new Error(`HTTP ${response.statusCode} from ${apiUrl}/v1/accounts`);
  }
  return response.body.text();
}
