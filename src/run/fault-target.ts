/**
 * Resolve what `chaosbank fault` and `chaosbank heal` act on: a bare Toxiproxy given by URL, or the
 * running stack `runId` (default: the newest) of whichever driver holds it.
 */
import type { StartedStack } from '../../drivers/driver.js';
import { availableDrivers } from '../../drivers/registry.js';
import { EnvironmentError, InputError } from '../contract/errors.js';
import { faultsPath } from '../faults/store.js';
import { bareTarget, type FaultTarget } from '../faults/target.js';

export interface TargetOptions {
  runId?: string;
  /** Drive this Toxiproxy directly (no chaosbank stack). */
  toxiproxyUrl?: string;
  /** With toxiproxyUrl: the regions whose links the proxies are named after (`a,b,c`). */
  topologyRegions?: string;
}

export async function resolveFaultTarget(options: TargetOptions): Promise<FaultTarget> {
  if (options.toxiproxyUrl !== undefined) return bareTarget(options.toxiproxyUrl, options.topologyRegions);
  if (options.topologyRegions !== undefined)
    throw new InputError('BAD_FLAG', '--topology-regions needs --toxiproxy-url');
  const stack = await attachAny(options.runId);
  if (!stack)
    throw new EnvironmentError(
      'NO_RUNNING_STACK',
      options.runId === undefined
        ? 'no running stack: start one with `chaosbank up`'
        : `no running stack with run id ${options.runId}: start one with \`chaosbank up\``,
      { details: ['Or drive a bare Toxiproxy with --toxiproxy-url URL --topology-regions a,b,c.'] },
    );
  return {
    description: `stack ${stack.runId}`,
    toxiproxyUrl: stack.toxiproxyUrl,
    topology: stack.topology,
    processes: stack,
    statePath: faultsPath(stack.runDir),
    eventsPath: stack.eventsPath,
  };
}

async function attachAny(runId: string | undefined): Promise<StartedStack | null> {
  for (const driver of await availableDrivers()) {
    const stack = await driver.attach(runId);
    if (stack) return stack;
  }
  return null;
}
