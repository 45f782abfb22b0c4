/**
 * Stop everything a state file records — from the owning process or from any other (`chaosbank down`,
 * the reaper of a crashed run). Processes get SIGTERM (PostgreSQL: SIGQUIT, its "immediate" shutdown: its
 * data directory is deleted right after, so a shutdown checkpoint would be wasted work), then
 * SIGKILL after a short bound; a pid is only signalled while its start time still matches the record.
 * Each data directory's postmaster.pid is consulted too, since a database may have been restarted
 * (rejoin) under a pid the state file never saw. Directories are removed; logs stay.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { identify, isAlive, signalIfSame, type ProcessIdentity } from './proc.js';
import { configDirOf, type StackState } from './state.js';
import type { TeardownReport } from '../driver.js';

interface Target {
  component: string;
  id: ProcessIdentity;
  isPostgres: boolean;
}

/** The postmaster named by a data directory's postmaster.pid, if that process is alive and serves this dir. */
export function postmasterOf(dataDir: string): ProcessIdentity | null {
  const file = join(dataDir, 'postmaster.pid');
  if (!existsSync(file)) return null;
  const pid = Number(readFileSync(file, 'utf8').split('\n')[0]);
  if (!Number.isInteger(pid) || pid <= 0) return null;
  const id = identify(pid);
  if (!isAlive(id)) return null;
  // Guard against a recycled pid: the live process must be a postgres serving this data dir.
  try {
    const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
    if (!cmdline.some((arg) => arg.includes(dataDir))) return null;
  } catch {
    return null;
  }
  return id;
}

function targetsOf(state: StackState, includeOwner: boolean): Target[] {
  const targets: Target[] = [];
  const seen = new Set<number>();
  const add = (t: Target) => {
    if (seen.has(t.id.pid) || t.id.pid === process.pid) return;
    seen.add(t.id.pid);
    targets.push(t);
  };
  for (const p of state.processes) {
    if (p.dataDir) {
      const live = postmasterOf(p.dataDir);
      if (live) add({ component: p.component, id: live, isPostgres: true });
    }
    add({
      component: p.component,
      id: { pid: p.pid, startTime: p.startTime },
      isPostgres: p.dataDir !== undefined,
    });
  }
  if (includeOwner) {
    add({ component: 'owner', id: state.owner, isPostgres: false });
    // Its watchdog too: we are cleaning up instead of it (add() skips it when we are the watchdog).
    if (state.watchdog) add({ component: 'watchdog', id: state.watchdog, isPostgres: false });
  }
  for (const t of unrecordedOf(state)) if (includeOwner || t.id.pid !== state.owner.pid) add(t);
  return targets;
}

/**
 * Live processes whose command line names a file in the run's config folder (components) or one of
 * its data directories (PostgreSQL): started for this run even when the state file never recorded
 * them (the harness was killed between spawning a component and writing its pid). The run's folders
 * are unique; the run folder itself is not a mark, so `chaosbank up --run-dir <it>` and a
 * `tail` of its logs are left alone.
 */
function unrecordedOf(state: StackState): Target[] {
  const configDir = `${configDirOf(state.runDir)}/`;
  const names = (arg: string): boolean =>
    arg.startsWith(configDir) || state.dirs.some((dir) => arg === dir || arg.startsWith(`${dir}/`));
  const found: Target[] = [];
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    return found;
  }
  for (const name of entries) {
    if (!/^\d+$/.test(name)) continue;
    let argv: string[];
    try {
      argv = readFileSync(`/proc/${name}/cmdline`, 'utf8').split('\0');
    } catch {
      continue; // gone meanwhile, or not ours to read
    }
    if (!argv.some(names)) continue;
    const program = basename(argv[0] ?? '');
    found.push({
      component: `unrecorded ${program} (pid ${name})`,
      id: identify(Number(name)),
      isPostgres: program === 'postgres',
    });
  }
  return found;
}

async function waitAllDead(targets: Target[], timeoutMs: number): Promise<Target[]> {
  const deadline = Date.now() + timeoutMs;
  let alive = targets.filter((t) => isAlive(t.id));
  while (alive.length > 0 && Date.now() < deadline) {
    await delay(20);
    alive = alive.filter((t) => isAlive(t.id));
  }
  return alive;
}

export async function teardownState(
  state: StackState,
  options: {
    graceMs?: number;
    /** Stop the owner and its watchdog too (we are not the owner: `down`, the watchdog, a failed launch). */
    includeOwner?: boolean;
    log?: (message: string) => void;
  } = {},
): Promise<TeardownReport> {
  const graceMs = options.graceMs ?? 1500;
  const t0 = Date.now();
  const log = (m: string) => options.log?.(`teardown: ${m} (+${Date.now() - t0} ms)`);
  const report: TeardownReport = { stopped: [], killed: [], removedDirs: [], problems: [] };
  const targets = targetsOf(state, options.includeOwner ?? false).filter((t) => isAlive(t.id));
  for (const t of targets) {
    signalIfSame(t.id, 'SIGCONT'); // a paused process cannot act on a termination signal
    if (signalIfSame(t.id, t.isPostgres ? 'SIGQUIT' : 'SIGTERM')) report.stopped.push(t.component);
  }
  log(`signalled ${report.stopped.join(', ') || 'nothing'}`);
  const stubborn = await waitAllDead(targets, graceMs);
  for (const t of stubborn) {
    if (signalIfSame(t.id, 'SIGKILL')) report.killed.push(t.component);
  }
  const survivors = await waitAllDead(stubborn, 2000);
  for (const t of survivors)
    report.problems.push(`${t.component} (pid ${t.id.pid}) did not exit after SIGKILL`);
  // Backends of a SIGKILLed postmaster exit on their own once they notice; wait for the data dirs to free up.
  log('processes gone');
  await Promise.all(
    state.dirs.map(async (dir) => {
      try {
        await rm(dir, { recursive: true, force: true, maxRetries: 3 });
        report.removedDirs.push(dir);
      } catch (error) {
        report.problems.push(`cannot remove ${dir}: ${(error as Error).message}`);
      }
    }),
  );
  log('dirs removed');
  return report;
}
