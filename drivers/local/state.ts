/**
 * The run's state file, `<runDir>/state.json`: every process (pid + start time) and every temp/data
 * directory is recorded here the moment it exists, so that `down` (in this process or any other) can
 * always clean up — also after a crash. Writes are atomic (write a temp file, then rename).
 */
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { ProcessIdentity } from './proc.js';
import type { Topology } from '../../src/contract/topology.js';

export interface RecordedProcess extends ProcessIdentity {
  /** `api@us-east`, `db@eu-west`, `router`, `supervisor`... */
  component: string;
  argv: string[];
  logPath: string;
  /** For databases: the data directory (its postmaster.pid names the live postmaster after a restart). */
  dataDir?: string;
  /** Address the component itself bound (host:port), when known. */
  listen?: { host: string; port: number };
}

export interface StackEndpoints {
  routerUrl: string;
  /** region -> API URL through its router->api@R proxy (what clients use). */
  regions: Record<string, string>;
  toxiproxyUrl: string;
  toxiproxyEmbedded: boolean;
  /** Direct URLs (no proxy) kept for the harness: ledger collection, status. */
  direct: { apis: Record<string, string>; router: string; controller: string };
  /** Supervisor control API (process actions / down from another process), when a supervisor runs. */
  controlUrl?: string;
}

export type StackPhase = 'starting' | 'ready' | 'stopping' | 'stopped' | 'failed';

export interface StackState {
  version: 1;
  runId: string;
  runDir: string;
  /** The process that owns the stack (library caller or detached supervisor). */
  owner: ProcessIdentity;
  /** The owner for people: `pid 1234 (chaosbank run)`, `supervisor pid 99`. */
  ownerDescription?: string;
  /** The watchdog that tears the stack down when the owner dies (watchdog.ts). */
  watchdog?: ProcessIdentity;
  phase: StackPhase;
  createdAt: string;
  processes: RecordedProcess[];
  /** Directories to delete on down (data dirs, configs, temp). Logs are kept. */
  dirs: string[];
  /** Every address:port the stack bound (components, proxies, Toxiproxy API), for leak checks. */
  ports: { component: string; host: string; port: number }[];
  endpoints?: StackEndpoints;
  topology?: Topology;
  error?: string;
  /** Why the stack failed to start (so a CLI in another process can report it with the same code). */
  failure?: { code: string; message: string; details: string[]; exitCode: number };
  /** Notes for people: fallbacks taken (e.g. a single loopback address). */
  notes: string[];
}

export const stateFileName = 'state.json';
export const statePath = (runDir: string): string => join(runDir, stateFileName);
/** The components' config files: `--config <this>/<component>.json` in their command lines. */
export const configDirOf = (runDir: string): string => join(runDir, 'config');

export function writeJsonAtomic(path: string, value: unknown): void {
  mkdirSync(dirname(path), { recursive: true });
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, `${JSON.stringify(value, null, 2)}\n`);
  renameSync(tmp, path);
}

export function readState(runDir: string): StackState | null {
  try {
    return JSON.parse(readFileSync(statePath(runDir), 'utf8')) as StackState;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
}

/** Owns the state file of one run; every mutation is persisted before it returns. */
export class StateFile {
  private state: StackState;

  constructor(initial: StackState) {
    this.state = initial;
    this.flush();
  }

  get current(): Readonly<StackState> {
    return this.state;
  }

  update(mutate: (state: StackState) => void): void {
    mutate(this.state);
    this.flush();
  }

  addProcess(entry: RecordedProcess): void {
    this.update((s) => {
      s.processes = s.processes.filter((p) => p.component !== entry.component || p.pid !== entry.pid);
      s.processes.push(entry);
    });
  }

  removeProcess(component: string, pid: number): void {
    this.update((s) => {
      s.processes = s.processes.filter((p) => !(p.component === component && p.pid === pid));
    });
  }

  addDir(dir: string): void {
    this.update((s) => {
      if (!s.dirs.includes(dir)) s.dirs.push(dir);
    });
  }

  addPort(component: string, host: string, port: number): void {
    this.update((s) => {
      s.ports.push({ component, host, port });
    });
  }

  private flush(): void {
    writeJsonAtomic(statePath(this.state.runDir), this.state);
  }
}
