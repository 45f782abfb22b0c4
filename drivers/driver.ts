/**
 * The Driver contract. Local processes, Docker (testcontainers) and Kubernetes implement it; nothing
 * above a driver knows which one runs. PIDs and loopback ports are local details and never appear here.
 */
import type { Topology } from '../src/contract/topology.js';
import type { StackEvent } from '../src/contract/events.js';
import type { ProcessAction } from '../src/contract/process-action.js';
import type { StackStatus } from '../src/contract/stack-status.js';

export type DriverName = 'local' | 'docker' | 'kubernetes' | 'external';

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

export interface Driver {
  readonly name: DriverName;
  up(topology: Topology, options: UpOptions): Promise<StartedStack>;
}
