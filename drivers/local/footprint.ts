/**
 * A local stack's footprint on the machine, for leak checks (tests, `npm run bench -- watchdog`): taken
 * while the stack runs, compared later with what still exists — processes, listening ports, /dev/shm
 * entries, directories. Processes are matched by pid and start time, so a recycled pid never counts.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { isAlive, processStartTime, processState } from './proc.js';
import type { StackState } from './state.js';
import { descendants } from './tree.js';
import { tryConnect } from './wait.js';

/** Live (not zombie) processes other than this one whose command line contains `needle`. */
export function processesMentioning(needle: string): { pid: number; cmdline: string }[] {
  const found: { pid: number; cmdline: string }[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name) || Number(name) === process.pid) continue;
    try {
      const cmdline = readFileSync(`/proc/${name}/cmdline`, 'utf8').replaceAll('\0', ' ');
      if (cmdline.includes(needle) && processState(Number(name)) !== 'Z')
        found.push({ pid: Number(name), cmdline });
    } catch {
      // gone meanwhile
    }
  }
  return found;
}

interface SeenProcess {
  pid: number;
  startTime: number | null;
  what: string;
}

export interface Footprint {
  runDir: string;
  /** Every process naming the run dir (components, databases, watchdog) or recorded, and their descendants. */
  processes: SeenProcess[];
  ports: StackState['ports'];
  dirs: string[];
  /** Its data-dir folder in /dev/shm and the POSIX shared memory segments its processes have mapped. */
  shm: string[];
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

/** Take the footprint of the running stack in `runDir` (PostgreSQL backends name only their region: found as descendants). */
export function footprintOf(runDir: string, state: StackState): Footprint {
  const roots = [
    ...processesMentioning(runDir).map((p) => ({ pid: p.pid, what: p.cmdline.slice(0, 120) })),
    ...state.processes.filter((p) => p.pid > 0).map((p) => ({ pid: p.pid, what: p.component })),
  ];
  const seen = new Map<number, SeenProcess>();
  const see = (pid: number, what: string) => {
    const startTime = processStartTime(pid);
    if (!seen.has(pid) && startTime !== null) seen.set(pid, { pid, startTime, what });
  };
  for (const { pid, what } of roots) {
    see(pid, what);
    for (const child of descendants(pid)) see(child, `child of ${what}`);
  }
  const shm = new Set<string>();
  for (const p of seen.values()) for (const path of shmMappedBy(p.pid)) shm.add(path);
  if (existsSync('/dev/shm'))
    for (const name of readdirSync('/dev/shm')) if (name.includes(state.runId)) shm.add(`/dev/shm/${name}`);
  return { runDir, processes: [...seen.values()], ports: state.ports, dirs: state.dirs, shm: [...shm] };
}

/** What of a footprint still exists: the same processes or any new one naming the run dir, open ports, dirs, /dev/shm entries. */
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
export async function waitUntilGone(
  footprint: Footprint,
  timeoutMs: number,
  intervalMs = 50,
): Promise<string[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const remains = await remainsOf(footprint);
    if (remains.length === 0 || Date.now() >= deadline) return remains;
    await new Promise((resolve) => setTimeout(resolve, intervalMs)); // poll interval of a wait-on-condition
  }
}
