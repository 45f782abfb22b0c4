/**
 * The local StartedStack: what `localDriver.up()` returns. It owns the running processes (components,
 * PostgreSQL servers), the embedded Toxiproxy server and the state file, and tears them all down.
 */
import { createWriteStream, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { eventsPathOf, logsDirOf } from './paths.js';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { DriverName, RegionEndpoints, StartedStack } from '../driver.js';
import type { ProcessAction } from '../../src/contract/process-action.js';
import type { StackStatus } from '../../src/contract/stack-status.js';
import type { StackEvent } from '../../src/contract/events.js';
import { InputError } from '../../src/contract/errors.js';
import type { Topology } from '../../src/contract/topology.js';
import { startPostgres, type PostgresProcess } from '../../stack/index.js';
import { EventLog, recordToEvent } from './events.js';
import { ManagedProcess, type ProcessSpec } from './process.js';
import { identify, isAlive, signalIfSame } from './proc.js';
import { setTimeout as delay } from 'node:timers/promises';
import { ProxyTable } from './proxies.js';
import { unregisterStack } from './registry.js';
import { StateFile, writeJsonAtomic, type StackEndpoints } from './state.js';
import { postmasterOf, teardownState } from './teardown.js';
import { fetchStackStatus } from './status.js';
import { httpOk, waitFor } from './wait.js';
import { descendants } from './tree.js';
import { STACK_PATHS } from '../../src/contract/stack-http.js';
import type { Watchdog } from './watchdog-handle.js';

export interface DbNode {
  region: string;
  dataDir: string;
  logFile: string;
  host: string;
  port: number;
  process: PostgresProcess | null;
}

export interface Closable {
  close(): Promise<void>;
}

export const COMPONENT_READY_TIMEOUT_MS = 20_000;

export class LocalStack implements StartedStack {
  readonly driver: DriverName = 'local';
  readonly runId: string;
  readonly runDir: string;
  readonly topology: Topology;
  routerUrl = '';
  regions: Record<string, RegionEndpoints> = {};
  toxiproxyUrl = '';

  readonly state: StateFile;
  readonly eventLog: EventLog;
  readonly components = new Map<string, ManagedProcess>();
  readonly dbs = new Map<string, DbNode>();
  endpoints: StackEndpoints | null = null;
  proxies: ProxyTable | null = null;
  /** The embedded Toxiproxy server, when we started it. */
  toxiproxyServer: Closable | null = null;
  /** Tears the stack down if this process dies before `down()` (watchdog.ts). */
  watchdog: Watchdog | null = null;
  private downPromise: Promise<void> | null = null;
  private readonly log: (message: string) => void;

  constructor(topology: Topology, runDir: string, state: StateFile, log: (message: string) => void) {
    this.topology = topology;
    this.runId = topology.runId;
    this.runDir = runDir;
    this.state = state;
    this.log = log;
    this.eventLog = new EventLog(eventsPathOf(runDir));
  }

  get logsDir(): string {
    return logsDirOf(this.runDir);
  }

  get eventsPath(): string {
    return eventsPathOf(this.runDir);
  }

  /** Spawn a component, record it in the state file at once, and forward its events. */
  async spawnComponent(spec: ProcessSpec): Promise<ManagedProcess> {
    const proc = await ManagedProcess.start(spec);
    this.state.addProcess({
      component: spec.component,
      ...proc.identity,
      argv: spec.argv,
      logPath: spec.logPath,
    });
    this.components.set(spec.component, proc);
    proc.onRecord((record) => {
      const event = recordToEvent(record, spec.component);
      if (event) this.eventLog.push(event);
    });
    void proc.exited.then((exit) => {
      if (this.components.get(spec.component) !== proc) return;
      this.state.removeProcess(spec.component, proc.pid);
      if (this.downPromise) return;
      this.eventLog.push({
        time: Date.now(),
        type: 'process.exited',
        component: spec.component,
        data: { ...exit },
      });
    });
    return proc;
  }

  /** Wait for the `listening` record, then for /readyz; returns the component's own URL. */
  async awaitReady(
    proc: ManagedProcess,
    signal?: AbortSignal,
    readyPath = readyPathOf(proc.component),
  ): Promise<{ url: string; host: string; port: number }> {
    const listening = await this.awaitListening(proc, signal);
    await this.awaitHttpReady(proc, listening.url, signal, readyPath);
    return listening;
  }

  /** Wait for the `listening` record; pins and records the port. Returns the component's own URL. */
  async awaitListening(
    proc: ManagedProcess,
    signal?: AbortSignal,
  ): Promise<{ url: string; host: string; port: number }> {
    const record = await proc.waitForRecord((r) => r.msg === 'listening', COMPONENT_READY_TIMEOUT_MS, signal);
    const url = String(record.url);
    const host = String(record.host);
    const port = Number(record.port);
    pinPort(proc.spec, port);
    this.state.update((s) => {
      const entry = s.processes.find((p) => p.pid === proc.pid);
      if (entry) entry.listen = { host, port };
      s.ports.push({ component: proc.component, host, port });
    });
    return { url, host, port };
  }

  /** Poll `<url><readyPath>` until it answers 200 (fails early, with the log tail, if the process exits). */
  async awaitHttpReady(
    proc: ManagedProcess,
    url: string,
    signal?: AbortSignal,
    readyPath = readyPathOf(proc.component),
  ): Promise<void> {
    await waitFor(
      async () => {
        proc.assertRunning('before it became ready');
        return httpOk(`${url}${readyPath}`)();
      },
      {
        timeout: COMPONENT_READY_TIMEOUT_MS,
        interval: 20,
        description: `${proc.component} to answer 200 on ${url}${readyPath}`,
        signal,
        details: () => proc.logDetails(),
      },
    );
  }

  recordDb(node: PostgresProcess, component: string): void {
    this.state.addProcess({
      component,
      ...identify(node.pid),
      argv: ['postgres', '-D', node.dataDir],
      logPath: node.logFile,
      dataDir: node.dataDir,
      listen: node.address,
    });
  }

  // ---- StartedStack ----

  async processAction(componentId: string, action: ProcessAction): Promise<void> {
    const id = componentId === 'db@primary' ? `db@${(await this.status()).primary}` : componentId;
    if (id.startsWith('db@')) return this.dbAction(id, action);
    const proc = this.components.get(id);
    if (!proc) throw unknownComponent(id, this.topology);
    switch (action) {
      case 'kill':
        proc.signal('SIGKILL');
        await proc.exited;
        return;
      case 'pause':
        proc.signal('SIGSTOP');
        return;
      case 'resume':
        proc.signal('SIGCONT');
        return;
      case 'restart': {
        await proc.stop();
        // Same config file, whose port was pinned at first start (pinPort): proxies stay valid.
        const restarted = await this.spawnComponent(proc.spec);
        await this.awaitReady(restarted);
        this.log(`${id} restarted (pid ${restarted.pid})`);
        return;
      }
    }
  }

  private async dbAction(id: string, action: ProcessAction): Promise<void> {
    const region = id.slice('db@'.length);
    const node = this.dbs.get(region);
    if (!node) throw unknownComponent(id, this.topology);
    // The controller may have restarted the server (rejoin): postmaster.pid names the live postmaster.
    const live = postmasterOf(node.dataDir);
    switch (action) {
      case 'kill': {
        if (!live) return;
        // Like kill -9 of a server: the postmaster dies at once; its backends notice and exit on their
        // own. Wait for all of them, so a restart right after finds the data dir and shared memory free.
        const family = [live, ...descendants(live.pid).map(identify)];
        signalIfSame(live, 'SIGKILL');
        await waitFor(() => family.every((p) => !isAlive(p)), {
          timeout: 10_000,
          description: `${id} (pid ${live.pid}) and its backends to exit after SIGKILL`,
        });
        return;
      }
      case 'pause':
      case 'resume':
        // Every backend, not only the postmaster: open connections must stall too.
        if (live)
          for (const pid of [live.pid, ...descendants(live.pid)])
            signalIfSame(identify(pid), action === 'pause' ? 'SIGSTOP' : 'SIGCONT');
        return;
      case 'restart': {
        if (live) {
          for (const pid of [live.pid, ...descendants(live.pid)]) signalIfSame(identify(pid), 'SIGCONT');
          signalIfSame(live, 'SIGINT');
          await waitFor(() => postmasterOf(node.dataDir) === null, {
            timeout: 10_000,
            description: `${id} to shut down for a restart`,
            details: () => [`log: ${node.logFile}`],
          }).catch((error: unknown) => {
            signalIfSame(live, 'SIGKILL');
            throw error;
          });
        }
        const proc = await startPostgresRetrying(node);
        node.process = proc;
        this.recordDb(proc, id);
        return;
      }
    }
  }

  async status(): Promise<StackStatus> {
    if (!this.endpoints) throw new Error('stack is not up yet');
    return fetchStackStatus(this.endpoints, this.topology);
  }

  async collectLedgers(dir: string): Promise<Record<string, { path: string } | { error: string }>> {
    if (!this.endpoints) throw new Error('stack is not up yet');
    return collectLedgers(this.endpoints, dir);
  }

  onEvent(listener: (event: StackEvent) => void): () => void {
    return this.eventLog.on(listener);
  }

  events(): StackEvent[] {
    return this.eventLog.list();
  }

  down(): Promise<void> {
    this.downPromise ??= this.stopEverything();
    return this.downPromise;
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.down();
  }

  private async stopEverything(): Promise<void> {
    const t0 = Date.now();
    const step = (what: string) => this.log(`down: ${what} (+${Date.now() - t0} ms)`);
    this.state.update((s) => {
      s.phase = 'stopping';
    });
    // Entry point first, so no new traffic lands on a half-stopped stack; then the rest in parallel.
    const router = this.components.get('router');
    if (router) await router.stop(1000);
    await Promise.all([
      ...[...this.components.values()].map((p) => p.stop(1000)),
      // Immediate shutdown (SIGQUIT): no shutdown checkpoint, no waiting for the standbys to receive it;
      // the data directories are deleted next anyway.
      ...[...this.dbs.values()].map((n) => n.process?.stop('immediate')),
    ]);
    step('processes stopped');
    const problems: string[] = [];
    if (this.toxiproxyServer) {
      await this.toxiproxyServer.close().catch((e: unknown) => problems.push(`toxiproxy: ${String(e)}`));
    } else if (this.proxies) {
      // A real (shared) Toxiproxy: remove our proxies so no listener stays behind.
      await this.proxies.removeAll().catch((e: unknown) => problems.push(`toxiproxy proxies: ${String(e)}`));
    }
    step('toxiproxy closed');
    // Whatever the handles missed (a db restarted by the controller, a stuck process), from the records.
    const report = await teardownState(this.state.current, { graceMs: 1000, log: this.log });
    problems.push(...report.problems);
    this.state.update((s) => {
      s.phase = 'stopped';
      s.processes = [];
      if (problems.length > 0) s.error = problems.join('; ');
    });
    unregisterStack(this.runId);
    await this.watchdog?.release();
    step('done');
    if (problems.length > 0) this.log(`down: ${problems.join('; ')}`);
  }
}

/**
 * Start a database server again in its data dir (it keeps its role: standby.signal and settings live
 * there). After a kill -9 the orphaned backends of the old server may hold its shared memory for a
 * moment, and the first start fails: retry until a deadline.
 */
async function startPostgresRetrying(node: DbNode): Promise<PostgresProcess> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    try {
      return await startPostgres({
        dataDir: node.dataDir,
        address: { host: node.host, port: node.port },
        logFile: node.logFile,
        ownSession: true, // see bootstrapCluster's ownSession
      });
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await delay(200);
    }
  }
}

/** Readiness endpoint per component: the API's /readyz needs a known primary and its local database. */
export function readyPathOf(component: string): string {
  if (component === 'router') return '/router/healthz';
  if (component === 'controller') return '/healthz';
  return '/readyz';
}

/**
 * Rewrite the component's config file with the port the OS gave it, so a restart ("same config") binds
 * the same port again and the proxies and direct URLs that point at it stay valid.
 */
function pinPort(spec: ProcessSpec, port: number): void {
  const i = spec.argv.indexOf('--config');
  const file = i === -1 ? undefined : spec.argv[i + 1];
  if (file === undefined) return;
  const config = JSON.parse(readFileSync(file, 'utf8')) as { port?: number };
  if (config.port === port) return;
  writeJsonAtomic(file, { ...config, port });
}

function unknownComponent(id: string, topology: Topology): InputError {
  return new InputError('UNKNOWN_COMPONENT', `no component "${id}" in this stack`, {
    details: [`components: ${topology.components.map((c) => c.id).join(', ')}, db@primary`],
  });
}

/**
 * Stream each region's ledger export straight from the API (the direct URL, not the router->api@R
 * proxy): collection runs after heal, and a leftover toxic or disabled proxy must not block or cut it.
 */
export async function collectLedgers(
  endpoints: StackEndpoints,
  dir: string,
): Promise<Record<string, { path: string } | { error: string }>> {
  mkdirSync(dir, { recursive: true });
  const results: Record<string, { path: string } | { error: string }> = {};
  await Promise.all(
    Object.entries(endpoints.direct.apis).map(async ([region, url]) => {
      const path = join(dir, `${region}.ndjson`);
      try {
        const response = await fetch(`${url}${STACK_PATHS.ledgerExport}`, {
          signal: AbortSignal.timeout(60_000),
        });
        if (response.status !== 200 || !response.body) {
          const text = await response.text().catch(() => '');
          results[region] = {
            error: `HTTP ${response.status} from ${url}/v1/ledger/export: ${text.slice(0, 200)}`,
          };
          return;
        }
        await pipeline(Readable.fromWeb(response.body), createWriteStream(path));
        results[region] = { path };
      } catch (error) {
        results[region] = { error: `${url}/v1/ledger/export: ${(error as Error).message}` };
      }
    }),
  );
  return results;
}
