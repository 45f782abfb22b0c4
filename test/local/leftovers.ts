/** Leak checks for the local driver's tests: processes, ports and directories a stack must not leave behind. */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { tryConnect } from '../../drivers/local/wait.js';
import { isAlive } from '../../drivers/local/proc.js';
import type { StackState } from '../../drivers/local/state.js';

/** Pids of live processes whose command line mentions `needle` (e.g. the run dir). */
export function processesMentioning(needle: string): { pid: number; cmdline: string }[] {
  const found: { pid: number; cmdline: string }[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name) || Number(name) === process.pid) continue;
    try {
      const cmdline = readFileSync(`/proc/${name}/cmdline`, 'utf8').replaceAll('\0', ' ');
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      if (stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z')) continue;
      if (cmdline.includes(needle)) found.push({ pid: Number(name), cmdline });
    } catch {
      // gone meanwhile
    }
  }
  return found;
}

export interface Leftovers {
  processes: string[];
  openPorts: string[];
  dirs: string[];
}

/** Everything a stopped stack still has: live processes (by run dir and by recorded pid), open ports, dirs. */
export async function leftovers(runDir: string, recorded: StackState): Promise<Leftovers> {
  const processes = processesMentioning(runDir).map((p) => `${p.pid} ${p.cmdline.slice(0, 160)}`);
  for (const p of recorded.processes)
    if (p.pid > 0 && isAlive({ pid: p.pid, startTime: p.startTime }))
      processes.push(`${p.component} pid ${p.pid}`);
  const openPorts: string[] = [];
  for (const port of recorded.ports)
    if (await tryConnect(port.host, port.port, 500))
      openPorts.push(`${port.component} ${port.host}:${port.port}`);
  return { processes, openPorts, dirs: recorded.dirs.filter((d) => existsSync(d)) };
}

/** A process seen while the stack ran: pid and start time, so a recycled pid never counts. */
interface SeenProcess {
  pid: number;
  startTime: number | null;
  what: string;
}

/**
 * Everything a running stack occupies, taken while it runs (before its owner is killed): every process
 * whose command line names the run dir and all their descendants (PostgreSQL backends name only their
 * region), the ports it recorded, its recorded directories, and its /dev/shm entries (its data-dir
 * folder and the POSIX shared memory segments its processes have mapped).
 */
export interface Footprint {
  runDir: string;
  processes: SeenProcess[];
  ports: StackState['ports'];
  dirs: string[];
  shm: string[];
}

function children(pid: number): number[] {
  const out: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      if (Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) === pid) out.push(Number(name));
    } catch {
      // gone meanwhile
    }
  }
  return out;
}

function startTimeOf(pid: number): number | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19]);
  } catch {
    return null;
  }
}

function shmMappedBy(pid: number): string[] {
  try {
    return readFileSync(`/proc/${pid}/maps`, 'utf8')
      .split('\n')
      .map((line) => /\s(\/dev\/shm\/\S+)/.exec(line)?.[1])
      .filter((path): path is string => path !== undefined);
  } catch {
    return [];
  }
}

export function footprintOf(runDir: string, state: StackState): Footprint {
  const seen = new Map<number, SeenProcess>();
  const queue = processesMentioning(runDir).map((p) => ({ pid: p.pid, what: p.cmdline.slice(0, 120) }));
  for (const p of state.processes) if (p.pid > 0) queue.push({ pid: p.pid, what: p.component });
  while (queue.length > 0) {
    const { pid, what } = queue.shift()!;
    if (seen.has(pid)) continue;
    const startTime = startTimeOf(pid);
    if (startTime === null) continue;
    seen.set(pid, { pid, startTime, what });
    for (const child of children(pid)) queue.push({ pid: child, what: `child of ${what}` });
  }
  const shm = new Set<string>();
  for (const p of seen.values()) for (const path of shmMappedBy(p.pid)) shm.add(path);
  if (existsSync('/dev/shm'))
    for (const name of readdirSync('/dev/shm')) if (name.includes(state.runId)) shm.add(`/dev/shm/${name}`);
  return { runDir, processes: [...seen.values()], ports: state.ports, dirs: state.dirs, shm: [...shm] };
}

/** What of a footprint still exists: live processes (the same ones, or any new one naming the run dir), open ports, dirs, /dev/shm entries. */
export async function remainsOf(footprint: Footprint): Promise<string[]> {
  const remains: string[] = [];
  for (const p of footprint.processes)
    if (isAlive({ pid: p.pid, startTime: p.startTime })) remains.push(`process ${p.pid} ${p.what}`);
  for (const p of processesMentioning(footprint.runDir))
    if (!footprint.processes.some((q) => q.pid === p.pid))
      remains.push(`process ${p.pid} ${p.cmdline.slice(0, 120)}`);
  const open = await Promise.all(
    footprint.ports.map(async (p) => ((await tryConnect(p.host, p.port, 500)) ? p : null)),
  );
  for (const p of open) if (p) remains.push(`port ${p.component} ${p.host}:${p.port}`);
  for (const dir of footprint.dirs) if (existsSync(dir)) remains.push(`dir ${dir}`);
  for (const path of footprint.shm) if (existsSync(path)) remains.push(`shm ${path}`);
  return remains;
}

/** Poll `remainsOf` until nothing remains or `timeoutMs` passes; returns what remained at the end. */
export async function waitUntilGone(footprint: Footprint, timeoutMs: number): Promise<string[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const remains = await remainsOf(footprint);
    if (remains.length === 0 || Date.now() >= deadline) return remains;
    await new Promise((resolve) => setTimeout(resolve, 50)); // poll interval of a wait-on-condition
  }
}
