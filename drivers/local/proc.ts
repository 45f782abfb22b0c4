/**
 * Process identity on Linux: a pid plus its start time (field 22 of /proc/<pid>/stat, in clock ticks
 * since boot). Recording both means a recycled pid is never mistaken for one of ours and never signalled.
 */
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';

export interface ProcessIdentity {
  pid: number;
  /** /proc start time in clock ticks; null where /proc is not available (then only the pid is checked). */
  startTime: number | null;
}

export function processStartTime(pid: number): number | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) is in parentheses and may contain spaces: parse after the last ')'.
    const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // rest[0] is field 3 (state); field 22 is rest[19].
    const value = Number(rest[19]);
    return Number.isFinite(value) ? value : null;
  } catch {
    return null;
  }
}

export function processState(pid: number): string | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[0] ?? null;
  } catch {
    return null;
  }
}

export function identify(pid: number): ProcessIdentity {
  return { pid, startTime: processStartTime(pid) };
}

/** True when this exact process (pid and start time) still exists and is not a zombie. */
export function isAlive(id: ProcessIdentity): boolean {
  if (!Number.isInteger(id.pid) || id.pid <= 0) return false;
  try {
    process.kill(id.pid, 0);
  } catch (error) {
    // EPERM: exists but not ours to signal — still alive.
    if ((error as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  if (processState(id.pid) === 'Z') return false;
  if (id.startTime === null) return true;
  const now = processStartTime(id.pid);
  return now === null || now === id.startTime;
}

/** Send a signal only if the pid still names the recorded process. Returns whether it was sent. */
export function signalIfSame(id: ProcessIdentity, signal: NodeJS.Signals): boolean {
  if (!isAlive(id)) return false;
  try {
    process.kill(id.pid, signal);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ESRCH') return false;
    throw error;
  }
}

/** This process for people, as an owner: `supervisor pid 99`, `pid 1234 (chaosbank run)`, `pid 77 (forks.js)`. */
export function describeThisProcess(argv: string[] = process.argv, pid = process.pid): string {
  const program = basename(argv[1] ?? argv[0] ?? 'node');
  if (program === 'supervisor.js') return `supervisor pid ${pid}`;
  if (program === 'chaosbank.js' || program === 'chaosbank')
    return `pid ${pid} (chaosbank${argv[2] === undefined ? '' : ` ${argv[2]}`})`;
  return `pid ${pid} (${program})`;
}
