/** Helpers shared by bench/load.ts and bench/load-soak.ts: the server process, pinning, child CPU time. */
import { spawn, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const benchDir = dirname(fileURLToPath(import.meta.url));

export function hasCommand(name: string): boolean {
  return spawnSync('sh', ['-c', 'command -v "$0"', name], { stdio: 'ignore' }).status === 0;
}

/** argv prefixed with `taskset -c <cpu>` when taskset exists and the machine has that core. */
export function pinned(cpu: number, argv: string[]): string[] {
  const cores = Number(spawnSync('nproc', [], { encoding: 'utf8' }).stdout.trim() || '1');
  return hasCommand('taskset') && cpu < cores ? ['taskset', '-c', String(cpu), ...argv] : argv;
}

/** CPU time (µs) of all waited-for children of this process so far (/proc/self/stat cutime+cstime). */
export function childrenCpuUs(): number | undefined {
  try {
    const stat = readFileSync('/proc/self/stat', 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // fields[0] is field 3 (state); cutime and cstime are fields 16 and 17, in clock ticks (100/s on Linux).
    const ticks = Number(fields[13]) + Number(fields[14]);
    return (ticks * 1_000_000) / 100;
  } catch {
    return undefined;
  }
}

export interface ServerProcess {
  url: string;
  stop(): Promise<void>;
}

/** Start bench/_load-server.js (pinned to core `cpu`) and wait for its port. */
export async function startServer(cpu: number): Promise<ServerProcess> {
  const [command, ...args] = pinned(cpu, [process.execPath, join(benchDir, '_load-server.js')]);
  const child = spawn(command!, args, { stdio: ['ignore', 'pipe', 'inherit'] });
  const port = await new Promise<string>((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`load bench server exited early (code ${code})`)));
    child.stdout.once('data', (data: Buffer) => resolve(data.toString('utf8').trim()));
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return {
    url: `http://127.0.0.1:${port}`,
    stop: async () => {
      child.kill('SIGTERM');
      await exited;
    },
  };
}

/** Run a child to completion, collecting stdout; also returns the CPU time it used (µs). */
export async function runMeasured(
  argv: string[],
): Promise<{ code: number; stdout: string; cpuUs: number | undefined }> {
  const before = childrenCpuUs();
  const [command, ...args] = argv;
  const child = spawn(command!, args, { stdio: ['ignore', 'pipe', 'inherit'] });
  let stdout = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString('utf8')));
  const code = await new Promise<number>((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (c) => resolve(c ?? 1));
  });
  const after = childrenCpuUs();
  return { code, stdout, cpuUs: before === undefined || after === undefined ? undefined : after - before };
}
