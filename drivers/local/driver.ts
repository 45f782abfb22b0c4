/**
 * The local driver: regions as process groups on their own loopback addresses, embedded PostgreSQL,
 * and every link through a Toxiproxy proxy. Build order (each step waits on a readiness condition):
 * toxiproxy -> proxies into the databases -> PostgreSQL cluster (bootstrap, standbys streaming) -> APIs
 * -> proxies into the APIs -> controller -> router -> client->router proxy. Each proxy gets the
 * topology's network model (cross-region latency) as soon as it exists, before anything connects.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { UpOptions } from '../driver.js';
import { ChaosbankError, EnvironmentError, InterruptedError } from '../../src/contract/errors.js';
import {
  apiId,
  dbId,
  GLOBAL,
  linkName,
  replicationFrom,
  type Link,
  type Topology,
} from '../../src/contract/topology.js';
import { startToxiproxyServer } from '../../src/toxiproxy/server.js';
import { applyNetworkModel } from '../../src/faults/network.js';
import { describeNetwork } from '../../src/contract/network.js';
import {
  applyLedgerSchema,
  bootstrapCluster,
  connString,
  replicationConninfo,
  type Address,
} from '../../stack/index.js';
import { handoverPort } from './handover-port.js';
import { planAddresses } from './loopback.js';
import { linkDataDir, ramDirRoot, ramRunDir } from './ram-dirs.js';
import { describeThisProcess, identify } from './proc.js';
import { componentProgram, logsDirOf } from './paths.js';
import { ProxyTable, type HostPort } from './proxies.js';
import { registerStack } from './registry.js';
import { ledgerTemplate } from './template-key.js';
import { configDirOf, StateFile, writeJsonAtomic, type StackEndpoints } from './state.js';
import { COMPONENT_READY_TIMEOUT_MS, LocalStack } from './stack.js';
import type { ManagedProcess } from './process.js';
import { waitFor } from './wait.js';
import { STACK_PATHS } from '../../src/contract/stack-http.js';
import { Watchdog } from './watchdog-handle.js';

const urlOf = (a: HostPort): string => `http://${a.host}:${a.port}`;

export async function startLocalStack(topology: Topology, options: UpOptions): Promise<LocalStack> {
  const log = options.log ?? (() => undefined);
  const runDir = options.runDir;
  mkdirSync(logsDirOf(runDir), { recursive: true });
  const owner = identify(process.pid);
  const state = new StateFile({
    version: 1,
    runId: topology.runId,
    runDir,
    owner,
    ownerDescription: describeThisProcess(),
    phase: 'starting',
    createdAt: new Date().toISOString(),
    processes: [],
    dirs: [],
    ports: [],
    notes: [],
    topology,
  });
  registerStack({ runId: topology.runId, runDir, owner, createdAt: state.current.createdAt });
  const stack = new LocalStack(topology, runDir, state, log);
  const onAbort = () => log('interrupted: tearing down what was started');
  options.signal?.addEventListener('abort', onAbort, { once: true });
  try {
    // Before anything is started: from here on, whatever this stack starts goes when this process goes.
    const watchdog = await Watchdog.start(runDir, owner, log);
    stack.watchdog = watchdog;
    state.update((s) => {
      s.watchdog = watchdog.identity;
    });
    await build(stack, options, log);
    state.update((s) => {
      s.phase = 'ready';
    });
    return stack;
  } catch (error) {
    await stack.down();
    state.update((s) => {
      s.phase = 'failed';
      s.error = error instanceof Error ? error.message : String(error);
    });
    if (options.signal?.aborted)
      throw new InterruptedError('interrupted while starting the stack (torn down)');
    if (error instanceof ChaosbankError) throw error;
    throw new EnvironmentError(
      'STACK_START_FAILED',
      `the local stack did not start: ${(error as Error).message}`,
      {
        cause: error,
        details: [`logs: ${logsDirOf(runDir)}`],
      },
    );
  } finally {
    options.signal?.removeEventListener('abort', onAbort);
  }
}

async function build(stack: LocalStack, options: UpOptions, log: (m: string) => void): Promise<void> {
  const { topology, state } = stack;
  const signal = options.signal;
  const t0 = Date.now();
  const step = (what: string) => log(`${what} (+${Date.now() - t0} ms)`);
  const check = () => {
    if (signal?.aborted) throw new InterruptedError();
  };
  // Fail before starting anything when a program is missing (not built).
  const programs = {
    api: componentProgram('api'),
    controller: componentProgram('controller'),
    router: componentProgram('router'),
  };
  const addresses = await planAddresses(topology.regions);
  state.update((s) => s.notes.push(...addresses.notes));
  for (const note of addresses.notes) log(`note: ${note}`);
  const hostOf = (region: string) => (region === GLOBAL ? addresses.global : addresses.regions[region]!);
  const linksTo = (to: string) => topology.links.filter((l: Link) => l.to === to);

  // 1. Toxiproxy: the embedded server in this process, or a real one by URL.
  let toxiproxyUrl = options.toxiproxyUrl;
  if (toxiproxyUrl === undefined) {
    const server = await startToxiproxyServer({ host: addresses.global, port: 0 });
    stack.toxiproxyServer = server;
    state.addPort('toxiproxy', server.host, server.port);
    toxiproxyUrl = server.url;
  }
  stack.toxiproxyUrl = toxiproxyUrl;
  const proxies = new ProxyTable(toxiproxyUrl);
  stack.proxies = proxies;
  step(`toxiproxy ${toxiproxyUrl}`);
  log(`network: ${describeNetwork(topology.network)}`);
  check();
  const url = toxiproxyUrl;
  /** Create proxies, then put the network model's latency on those that cross regions. */
  const createProxies = async (entries: Parameters<ProxyTable['create']>[0]): Promise<void> => {
    await proxies.create(entries);
    await applyNetworkModel(
      url,
      topology,
      entries.map((e) => e.link.name),
    );
  };

  // 2. Databases: a port per region (PostgreSQL cannot bind 0 itself: see handover-port.ts),
  //    then every proxy that leads into a database, so standbys can replicate through their repl proxies.
  const dbAddress: Record<string, Address> = {};
  for (const region of topology.regions)
    dbAddress[region] = {
      host: hostOf(region),
      port: await handoverPort(hostOf(region), {
        onFallback: (why) => log(`note: database port for ${region} from the OS (${why}): it may race`),
      }),
    };
  const dbLinks = topology.regions.flatMap((r) => linksTo(dbId(r)));
  await createProxies(
    dbLinks.map((link) => ({ link, listenHost: hostOf(link.toRegion), upstream: dbAddress[link.toRegion]! })),
  );
  const dbBase = join(stack.runDir, 'db');
  const ramRoot = await ramDirRoot();
  const ramRun = ramRoot === null ? null : ramRunDir(ramRoot, topology.runId);
  // Recorded before it exists: down removes it (the symlinks in the run dir would not take it along).
  if (ramRun !== null) state.addDir(ramRun);
  for (const region of topology.regions) {
    const dataDir = join(dbBase, region, 'data');
    if (ramRun !== null) await linkDataDir(dataDir, join(ramRun, region));
    // Recorded before it exists: a crash during bootstrap still leaves down a postmaster.pid to follow.
    state.addProcess({
      component: dbId(region),
      pid: -1,
      startTime: null,
      argv: [],
      logPath: join(dbBase, region, 'postgres.log'),
      dataDir,
    });
    state.addDir(dataDir);
    stack.dbs.set(region, {
      region,
      dataDir,
      logFile: join(dbBase, region, 'postgres.log'),
      host: dbAddress[region]!.host,
      port: dbAddress[region]!.port,
      process: null,
    });
  }
  // 3. The APIs start now, while the databases bootstrap: a Node process needs a second or more to start
  //    on a busy machine, and an API needs only its database proxies (they exist); it polls for the
  //    primary until the control row appears.
  const configDir = configDirOf(stack.runDir);
  mkdirSync(configDir, { recursive: true });
  const dbUrl = (from: string, region: string) => connString(proxies.address(linkName(from, dbId(region))));
  const apis: Record<string, string> = {};
  const spawnApi = async (region: string): Promise<ManagedProcess> => {
    const id = apiId(region);
    const configFile = join(configDir, `${id}.json`);
    writeJsonAtomic(configFile, {
      runId: topology.runId,
      region,
      host: hostOf(region),
      port: 0,
      localDb: dbUrl(id, region),
      dbs: Object.fromEntries(topology.regions.map((r) => [r, dbUrl(id, r)])),
      bugs: topology.stack.bugs,
    });
    const proc = await stack.spawnComponent({
      component: id,
      argv: [process.execPath, programs.api, '--config', configFile],
      logPath: join(stack.logsDir, `${id}.log`),
    });
    apis[region] = (await stack.awaitListening(proc, signal)).url;
    return proc;
  };
  const apisListening = topology.regions.map(spawnApi);

  const clusterUp = (async () => {
    log(`postgres: bootstrapping ${topology.regions.length} nodes (${topology.replication})`);
    const cluster = await bootstrapCluster({
      runId: topology.runId,
      regions: topology.regions,
      primary: topology.primary,
      replication: topology.replication,
      baseDir: dbBase,
      addresses: dbAddress,
      replicationAddress: (standby, primary) =>
        proxies.address(linkName(replicationFrom(standby), dbId(primary))),
      leaseMs: Math.max(topology.stack.failoverGraceMs, 1000),
      applySchema: (client) => applyLedgerSchema(client, topology.accounts, { bugs: topology.stack.bugs }),
      template: ledgerTemplate(topology),
      signal,
      log,
      // Out of our process group: a group kill must not SIGKILL them (their /dev/shm segments would
      // stay); the watchdog or down stops them in order.
      ownSession: true,
    });
    step('postgres cluster streaming');
    for (const node of Object.values(cluster.nodes)) {
      stack.dbs.get(node.region)!.process = node.process;
      stack.state.update((s) => {
        s.processes = s.processes.filter((p) => !(p.component === dbId(node.region) && p.pid === -1));
      });
      stack.recordDb(node.process, dbId(node.region));
      state.addPort(dbId(node.region), node.address.host, node.address.port);
    }
  })();

  // 4. Once the cluster streams: each API's readiness, and the controller (at start-up it asks the
  //    databases who is primary, so it must not find them still starting).
  const apisReady = topology.regions.map(async (region, i) => {
    const proc = await apisListening[i]!;
    await clusterUp;
    await stack.awaitHttpReady(proc, apis[region]!, signal);
    step(`${apiId(region)} ready`);
  });
  const startController = async (): Promise<string> => {
    const controllerConfig = join(configDir, 'controller.json');
    writeJsonAtomic(controllerConfig, {
      runId: topology.runId,
      host: addresses.global,
      port: 0,
      primary: topology.primary,
      replication: topology.replication,
      dbs: Object.fromEntries(topology.regions.map((r) => [r, dbUrl('controller', r)])),
      graceMs: topology.stack.failoverGraceMs,
      heartbeatMs: topology.stack.heartbeatIntervalMs,
      bugs: topology.stack.bugs,
      // How a standby in region S reaches a primary in region P (for repointing and rejoin).
      standbyConninfo: Object.fromEntries(
        topology.regions.map((s) => [
          s,
          Object.fromEntries(
            topology.regions
              .filter((p) => p !== s)
              .map((p) => [
                p,
                replicationConninfo(proxies.address(linkName(replicationFrom(s), dbId(p))), s),
              ]),
          ),
        ]),
      ),
      // Local mode: the controller re-seeds a demoted primary in place (data dir, same address).
      rejoin: {
        regions: Object.fromEntries(
          [...stack.dbs.values()].map((n) => [
            n.region,
            { dataDir: n.dataDir, address: { host: n.host, port: n.port }, logFile: n.logFile },
          ]),
        ),
      },
    });
    const controller = await stack.spawnComponent({
      component: 'controller',
      argv: [process.execPath, programs.controller, '--config', controllerConfig],
      logPath: join(stack.logsDir, 'controller.log'),
    });
    const url = (await stack.awaitReady(controller, signal)).url;
    step('controller ready');
    return url;
  };
  const controllerReady = clusterUp.then(startController);

  // 5. The router once every API is ready (so its first health checks find them healthy), in parallel
  //    with the controller's start-up; then the client entry proxy.
  const startRouter = async (): Promise<{ url: string; host: string; port: number }> => {
    const apiLinks = topology.regions.flatMap((r) => linksTo(apiId(r)));
    const apiAddress = (region: string): HostPort => {
      const u = new URL(apis[region]!);
      return { host: u.hostname, port: Number(u.port) };
    };
    await createProxies(
      apiLinks.map((link) => ({
        link,
        listenHost: hostOf(link.toRegion),
        upstream: apiAddress(link.toRegion),
      })),
    );
    check();
    const routerConfig = join(configDir, 'router.json');
    writeJsonAtomic(routerConfig, {
      runId: topology.runId,
      host: addresses.global,
      port: 0,
      regions: topology.regions.map((r) => ({
        name: r,
        url: urlOf(proxies.address(linkName('router', apiId(r)))),
      })),
      healthIntervalMs: topology.stack.routerHealthIntervalMs,
      unhealthyAfter: topology.stack.routerUnhealthyAfter,
    });
    const router = await stack.spawnComponent({
      component: 'router',
      argv: [process.execPath, programs.router, '--config', routerConfig],
      logPath: join(stack.logsDir, 'router.log'),
    });
    const direct = await stack.awaitReady(router, signal);
    step('router listening');
    // Ready means routing: the router's health checks have picked an active region.
    await waitFor(
      async () => {
        router.assertRunning('before it picked a region');
        const response = await fetch(`${direct.url}${STACK_PATHS.routerStatus}`, {
          signal: AbortSignal.timeout(2000),
        });
        const body = (await response.json()) as { active?: string | null };
        return typeof body.active === 'string';
      },
      {
        timeout: COMPONENT_READY_TIMEOUT_MS,
        interval: 20,
        description: `router to mark a region healthy (${direct.url}/router/status)`,
        signal,
        details: () => router.logDetails(),
      },
    );
    return direct;
  };
  const routerReady = Promise.all(apisReady).then(startRouter);

  // allSettled: on a failure nothing is still spawning when the caller tears down; the first failure in
  // build order (the cluster before what waits on it) is the one reported.
  const settled = await Promise.allSettled([
    clusterUp,
    ...apisListening,
    ...apisReady,
    controllerReady,
    routerReady,
  ]);
  const failed = settled.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) throw failed.reason;
  check();
  const controllerUrl = await controllerReady;
  const routerDirect = await routerReady;
  step('APIs and controller ready');
  await createProxies(
    linksTo('router').map((link) => ({ link, listenHost: addresses.global, upstream: routerDirect })),
  );

  step('router ready');
  // Every proxy's bound port, for leak checks after down.
  state.update((s) => {
    for (const [name, a] of proxies.all())
      s.ports.push({ component: `proxy ${name}`, host: a.host, port: a.port });
  });
  const endpoints: StackEndpoints = {
    routerUrl: urlOf(proxies.address(linkName('client', 'router'))),
    regions: Object.fromEntries(
      topology.regions.map((r) => [r, urlOf(proxies.address(linkName('router', apiId(r))))]),
    ),
    toxiproxyUrl,
    toxiproxyEmbedded: options.toxiproxyUrl === undefined,
    direct: { apis, router: routerDirect.url, controller: controllerUrl },
  };
  stack.endpoints = endpoints;
  stack.routerUrl = endpoints.routerUrl;
  stack.regions = Object.fromEntries(
    topology.regions.map((r) => [r, { name: r, apiUrl: endpoints.regions[r]! }]),
  );
  state.update((s) => {
    s.endpoints = endpoints;
  });
}
