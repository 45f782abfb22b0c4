/**
 * Heal: revert every fault (the timeline's, then a sweep of anything chaosbank left on the Toxiproxy
 * server), then wait until the stack serves again: a writable primary is known and the router answers
 * a read. Not healthy within `heal.timeout` is a finding recorded in the report, not a crash.
 */
import { request } from 'undici';
import { note, type RunContext } from './context.js';
import { pollUntil } from './poll.js';
import { STACK_PATHS } from '../contract/stack-http.js';

export async function healStack(ctx: RunContext, signal: AbortSignal): Promise<boolean> {
  const { stack, injector, timeline } = ctx;
  if (timeline) await timeline.heal();
  if (injector) await injector.healAll({ sweep: true, ownedProxies: ctx.topology.links.map((l) => l.name) });
  const healthy = await pollUntil(async () => isServing(stack!.routerUrl, () => stack!.status()), {
    timeoutMs: ctx.scenario.heal.timeout,
    signal,
  });
  if (!healthy)
    note(ctx, `the stack was not serving again within heal.timeout (${ctx.scenario.heal.timeout} ms)`);
  return healthy;
}

async function isServing(
  routerUrl: string,
  status: () => Promise<{ primary: string; regions: Array<{ region: string; role: string }> }>,
): Promise<boolean> {
  const current = await status();
  if (!current.regions.some((r) => r.region === current.primary && r.role === 'primary')) return false;
  const response = await request(`${routerUrl}${STACK_PATHS.accounts}`, {
    signal: AbortSignal.timeout(1000),
  });
  await response.body.dump();
  return response.statusCode === 200;
}
