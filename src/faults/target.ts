/**
 * What `chaosbank fault` and `chaosbank heal` act on: the running stack (found through the local
 * driver's registry), or a bare Toxiproxy given by URL with a topology planned from region names.
 */
import { join } from 'node:path';
import os from 'node:os';
import { EnvironmentError, InputError } from '../contract/errors.js';
import { DEFAULT_STACK_OPTIONS, REGION_NAME, type Topology } from '../contract/topology.js';
import { planTopology } from '../topology/plan.js';
import type { ProcessControl } from './injector.js';
import { faultsPath } from './store.js';

export interface FaultTarget {
  /** For people: `stack <runId>` or `toxiproxy <url>`. */
  description: string;
  toxiproxyUrl: string;
  topology: Topology;
  processes?: ProcessControl;
  statePath: string;
  /** The stack's event log, where fault events are appended (absent for a bare Toxiproxy). */
  eventsPath?: string;
}

export interface TargetOptions {
  runId?: string;
  /** Drive this Toxiproxy directly (no chaosbank stack). */
  toxiproxyUrl?: string;
  /** With toxiproxyUrl: the regions whose links the proxies are named after (`a,b,c`). */
  topologyRegions?: string;
}

export async function resolveFaultTarget(options: TargetOptions): Promise<FaultTarget> {
  if (options.toxiproxyUrl !== undefined) return bareTarget(options.toxiproxyUrl, options.topologyRegions);
  if (options.topologyRegions !== undefined)
    throw new InputError('BAD_FLAG', '--topology-regions needs --toxiproxy-url');
  const { readActiveStack } = await import('../../drivers/local/index.js');
  const stack = readActiveStack(options.runId);
  if (!stack)
    throw new EnvironmentError(
      'NO_RUNNING_STACK',
      options.runId === undefined
        ? 'no running stack: start one with `chaosbank up`'
        : `no running stack with run id ${options.runId}: start one with \`chaosbank up\``,
      { details: ['Or drive a bare Toxiproxy with --toxiproxy-url URL --topology-regions a,b,c.'] },
    );
  return {
    description: `stack ${stack.runId}`,
    toxiproxyUrl: stack.toxiproxyUrl,
    topology: stack.topology,
    processes: stack,
    statePath: faultsPath(stack.runDir),
    eventsPath: join(stack.runDir, 'events.ndjson'),
  };
}

function bareTarget(url: string, regionsText: string | undefined): FaultTarget {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new InputError('BAD_FLAG', `--toxiproxy-url ${url} is not a URL`, {
      details: ['e.g. http://127.0.0.1:8474'],
    });
  }
  if (regionsText === undefined)
    throw new InputError('BAD_FLAG', '--toxiproxy-url needs --topology-regions a,b,c', {
      details: ['Proxies are expected to be named after the links of a topology over those regions.'],
    });
  const regions = regionsText.split(',').map((r) => r.trim());
  if (regions.some((r) => !REGION_NAME.test(r)))
    throw new InputError(
      'BAD_FLAG',
      `--topology-regions ${regionsText}: use lower-case names such as us-east,eu-west`,
    );
  const topology = planTopology({
    runId: 'bare',
    regions,
    primary: regions[0]!,
    replication: 'sync',
    stack: DEFAULT_STACK_OPTIONS,
    accounts: { count: 2, funding: 0, currency: 'USD' },
  });
  const home = process.env.CHAOSBANK_HOME || join(os.homedir(), '.chaosbank');
  const key = `${parsed.hostname}_${parsed.port || '80'}`.replace(/[^A-Za-z0-9_.-]/g, '_');
  return {
    description: `toxiproxy ${parsed.origin}`,
    toxiproxyUrl: parsed.origin,
    topology,
    statePath: faultsPath(join(home, 'bare', key)),
  };
}
