/**
 * Every registered local stack and whether its owner is alive: the local driver's `list()`. A stack
 * whose owner is gone is ownerless — its owner crashed and its watchdog could not act (killed too, or
 * still at work) — and `status` shows it, `down`, `up` and `run` reap it.
 */
import { existsSync } from 'node:fs';
import type { StackRecord } from '../driver.js';
import { isAlive } from './proc.js';
import { listRegistered } from './registry.js';
import { readState, type RecordedProcess, type StackPhase, type StackState } from './state.js';
import { postmasterOf } from './teardown.js';

export type LocalStackRecord = StackRecord & { driver: 'local'; phase: StackPhase | 'unknown' };

function remainsOf(state: StackState): LocalStackRecord['remains'] {
  const live = (p: RecordedProcess): boolean =>
    (p.dataDir !== undefined && postmasterOf(p.dataDir) !== null) ||
    (p.pid > 0 && isAlive({ pid: p.pid, startTime: p.startTime }));
  const processes = state.processes.filter(live).map((p) => p.component);
  return { processes: [...new Set(processes)], dirs: state.dirs.filter((dir) => existsSync(dir)) };
}

export function listStacks(): LocalStackRecord[] {
  return listRegistered().entries.map((entry) => {
    const state = readState(entry.runDir);
    return {
      driver: 'local',
      runId: entry.runId,
      runDir: entry.runDir,
      startedAt: entry.createdAt,
      phase: state?.phase ?? 'unknown',
      owner: {
        alive: isAlive(entry.owner),
        description: state?.ownerDescription ?? `pid ${entry.owner.pid}`,
      },
      watchdog: state?.watchdog ? { alive: isAlive(state.watchdog), pid: state.watchdog.pid } : null,
      endpoints: state?.endpoints
        ? {
            router: state.endpoints.routerUrl,
            toxiproxy: state.endpoints.toxiproxyUrl,
            regions: state.endpoints.regions,
          }
        : null,
      remains: state ? remainsOf(state) : { processes: [], dirs: [] },
    };
  });
}
