/**
 * What `chaosbank status` shows: the registered stack, its live status endpoints and its active faults,
 * and every stack whose owner is gone (ownerless: reaped by the next `up`, `run` or `down`).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { StackStatus } from '../../src/contract/stack-status.js';
import { readActiveStack } from './attach.js';
import type { StackReport } from '../driver.js';
import { listStacks } from './list.js';

function activeFaults(runDir: string): StackReport['faults'] {
  try {
    const file = JSON.parse(readFileSync(join(runDir, 'faults.json'), 'utf8')) as {
      faults?: StackReport['faults'];
    };
    return (file.faults ?? []).map(({ id, kind, target, status }) => ({ id, kind, target, status }));
  } catch {
    return [];
  }
}

export async function stackReport(runId?: string): Promise<StackReport> {
  const ownerless = listStacks().filter((s) => !s.owner.alive);
  const stack = readActiveStack(runId);
  if (!stack) return { running: false, regions: [], status: null, faults: [], ownerless };
  let status: StackStatus | null = null;
  let statusError: string | undefined;
  try {
    status = await stack.status();
  } catch (error) {
    statusError = (error as Error).message;
  }
  return {
    running: true,
    driver: 'local',
    runId: stack.runId,
    runDir: stack.runDir,
    replication: stack.topology.replication,
    router: stack.routerUrl,
    toxiproxy: stack.toxiproxyUrl,
    regions: stack.topology.regions.map((name) => ({
      name,
      apiUrl: stack.regions[name]!.apiUrl,
      host: new URL(stack.regions[name]!.apiUrl).hostname,
    })),
    status,
    ...(statusError ? { statusError } : {}),
    faults: activeFaults(stack.runDir),
    ownerless,
  };
}
