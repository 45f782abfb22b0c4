/**
 * The local driver as the registry sees it: regions as process groups on loopback addresses. `up` is
 * owned by this process; `launch` hands the stack to a detached supervisor (or hosts it here with
 * `foreground`); the registry in $CHAOSBANK_HOME finds stacks again for `status`, `fault`, `heal`, `down`.
 */
import type { Driver, LaunchedStack, LaunchOptions } from '../driver.js';
import type { Topology } from '../../src/contract/topology.js';
import { readActiveStack } from './attach.js';
import { downStacks, reapOwnerless } from './down.js';
import { startLocalStack } from './driver.js';
import { hostStack } from './host.js';
import { defaultRunDir, launchDetached } from './launch.js';
import { listStacks } from './list.js';
import { stackReport } from './report.js';
import type { StackEndpoints } from './state.js';

function launched(
  topology: Topology,
  runDir: string,
  endpoints: StackEndpoints,
  notes: string[],
): LaunchedStack {
  return {
    runId: topology.runId,
    runDir,
    routerUrl: endpoints.routerUrl,
    regions: endpoints.regions,
    toxiproxyUrl: endpoints.toxiproxyUrl,
    notes,
  };
}

async function launch(topology: Topology, options: LaunchOptions): ReturnType<Driver['launch']> {
  const spec = { topology, runDir: options.runDir, toxiproxyUrl: options.toxiproxyUrl };
  if (options.foreground) {
    let ready: LaunchedStack | null = null;
    const ended = await hostStack(spec, {
      log: options.log ?? (() => undefined),
      onReady: (stack) => {
        ready = launched(topology, options.runDir, stack.endpoints!, stack.state.current.notes);
        options.onReady?.(ready);
      },
    });
    return { stack: ready!, ended };
  }
  const { state } = await launchDetached({ ...spec, signal: options.signal });
  return { stack: launched(topology, options.runDir, state.endpoints!, state.notes) };
}

export const localDriver: Driver = {
  name: 'local',
  up: startLocalStack,
  launch,
  defaultRunDir,
  attach: (runId) => Promise.resolve(readActiveStack(runId)),
  list: () => Promise.resolve(listStacks()),
  report: stackReport,
  down: downStacks,
  reapOwnerless,
};
