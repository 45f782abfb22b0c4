/** Leak checks for the local driver's tests: processes, ports and directories a stack must not leave behind. */
import { existsSync } from 'node:fs';
import { processesMentioning } from '../../drivers/local/footprint.js';
import { tryConnect } from '../../drivers/local/wait.js';
import { isAlive } from '../../drivers/local/proc.js';
import type { StackState } from '../../drivers/local/state.js';

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

export { processesMentioning };
