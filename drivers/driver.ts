/**
 * The Driver contract. Local processes, Docker (testcontainers) and Kubernetes implement it; nothing
 * above a driver knows which one runs. PIDs and loopback ports are local details and never appear here.
 */
import type { Topology } from '../src/contract/topology.js';
import type { StackEvent } from '../src/contract/events.js';
import type { ProcessAction } from '../src/contract/process-action.js';
import type { StackStatus } from '../src/contract/stack-status.js';

/** Every driver name, once: the registry (drivers/registry.ts) maps each to its implementation. */
export const DRIVER_NAMES = ['local', 'docker', 'kubernetes', 'external'] as const;
export type DriverName = (typeof DRIVER_NAMES)[number];

export interface UpOptions {
  /** Where logs, state and data of this run live (created by the caller). */
  runDir: string;
  /** Use this real Toxiproxy API instead of starting the embedded server. */
  toxiproxyUrl?: string;
  /** Aborting tears down whatever was started so far and rejects with InterruptedError. */
  signal?: AbortSignal;
  /** Progress lines for people (never parsed). */
  log?: (message: string) => void;
}

export interface RegionEndpoints {
  name: string;
  /** The region's payments API as clients reach it (through its `router->api@R` proxy). */
  apiUrl: string;
}

export interface StartedStack extends AsyncDisposable {
  readonly driver: DriverName;
  readonly runId: string;
  readonly runDir: string;
  readonly topology: Topology;
  /** The single client entry point (through the `client->router` proxy). */
  readonly routerUrl: string;
  readonly regions: Record<string, RegionEndpoints>;
  /** Toxiproxy HTTP API that owns every link's proxy (proxy name = link name). */
  readonly toxiproxyUrl: string;
  /** Where the stack's own logs are (per component), for people and for the run's artefact list. */
  readonly logsDir: string;
  /** The stack's event log file, where `chaosbank fault`/`heal` append their events too. */
  readonly eventsPath: string;
  /** kill -9, SIGSTOP/SIGCONT, restart a component by id (`api@us-east`, `db@us-east`, `router`, ...). */
  processAction(componentId: string, action: ProcessAction): Promise<void>;
  /** Current primary, epoch and replication state, from the stack's own status endpoints. */
  status(): Promise<StackStatus>;
  /**
   * Stream each region's ledger export (`GET /v1/ledger/export`, NDJSON) into `dir/<region>.ndjson`;
   * resolves to region -> file path. Regions that cannot be reached are reported with an error.
   */
  collectLedgers(dir: string): Promise<Record<string, { path: string } | { error: string }>>;
  /** Subscribe to stack events (failover, router switches...); returns an unsubscribe function. */
  onEvent(listener: (event: StackEvent) => void): () => void;
  /** Every event seen so far, in time order. */
  events(): StackEvent[];
  /** Stop everything this stack started. Idempotent. */
  down(): Promise<void>;
}

/** A stack `chaosbank up` left running, as it prints it. */
export interface LaunchedStack {
  runId: string;
  runDir: string;
  routerUrl: string;
  /** region -> its payments API URL. */
  regions: Record<string, string>;
  toxiproxyUrl: string;
  notes: string[];
}

/** One registered stack and whether its owner (the process that started it) is still alive. */
export interface StackRecord {
  driver: DriverName;
  runId: string;
  runDir: string;
  startedAt: string;
  phase: string;
  owner: { alive: boolean; description: string };
  watchdog: { alive: boolean; pid: number } | null;
  endpoints: { router: string; toxiproxy: string; regions: Record<string, string> } | null;
  /** What is still there: components still running, directories that still exist. */
  remains: { processes: string[]; dirs: string[] };
}

/** What `chaosbank status` shows. */
export interface StackReport {
  running: boolean;
  driver?: DriverName;
  runId?: string;
  runDir?: string;
  replication?: string;
  router?: string;
  toxiproxy?: string;
  regions: { name: string; apiUrl: string; host: string }[];
  status: StackStatus | null;
  statusError?: string;
  faults: { id: string; kind: string; target: string; status: string }[];
  /** Registered stacks whose owner is gone (reaped by the next `up`, `run` or `down`). */
  ownerless: StackRecord[];
}

export interface TeardownReport {
  /** Components that were still running and got stopped. */
  stopped: string[];
  /** Processes that needed a forced kill. */
  killed: string[];
  removedDirs: string[];
  /** Anything that could not be cleaned (should be empty). */
  problems: string[];
}

export interface DownResult {
  runId: string;
  runDir: string;
  /** 'stopped': its owner was running; 'reaped': leftovers of a crashed run; 'gone': nothing left to stop. */
  outcome: 'stopped' | 'reaped' | 'gone';
  report: TeardownReport;
}

export interface LaunchOptions extends UpOptions {
  /** Stay attached: return only when the stack was stopped ('down') or this process was signalled. */
  foreground?: boolean;
  /** With foreground: called once the stack is ready. */
  onReady?: (stack: LaunchedStack) => void;
}

/**
 * A driver owns the whole life of its stacks: `run`/`drill` start one owned by this process (`up`),
 * `chaosbank up` leaves one running (`launch`), and `status`, `fault`, `heal` and `down` find it again
 * from another process (`attach`, `report`, `down`), by run id or the newest one.
 */
export interface Driver {
  readonly name: DriverName;
  /** Start a stack owned by this process; disposing it (or `down()`) stops everything it started. */
  up(topology: Topology, options: UpOptions): Promise<StartedStack>;
  /** Start a stack that outlives this command (or, with `foreground`, until a signal or `down`). */
  launch(
    topology: Topology,
    options: LaunchOptions,
  ): Promise<{ stack: LaunchedStack; ended?: 'down' | 'signal' }>;
  /** Where a stack's run folder goes when the user names none. */
  defaultRunDir(runId: string): string;
  /** The running stack `runId` (default: the newest), or null. */
  attach(runId?: string): Promise<StartedStack | null>;
  /** Every stack this driver has registered. */
  list(): Promise<StackRecord[]>;
  /** What `status` shows for `runId` (default: the newest running stack). */
  report(runId?: string): Promise<StackReport>;
  /** Stop the stack `runId` (default: every registered one) and reap leftovers of crashed runs. */
  down(runId?: string): Promise<DownResult[]>;
  /** Reap every stack whose owner is gone; stacks with a live owner are left alone. */
  reapOwnerless(): Promise<DownResult[]>;
}
