/**
 * What `chaosbank fault` and `chaosbank heal` act on: a running stack (src/run/fault-target.ts finds
 * it through the driver registry), or a bare Toxiproxy given by URL with a topology planned from
 * region names.
 */
import { join } from 'node:path';
import { InputError } from '../contract/errors.js';
import { chaosbankHome } from '../contract/home.js';
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

/** A bare Toxiproxy given by URL, its proxies named after the links of a topology over `regionsText`. */
export function bareTarget(url: string, regionsText: string | undefined): FaultTarget {
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
  const home = chaosbankHome();
  const key = `${parsed.hostname}_${parsed.port || '80'}`.replace(/[^A-Za-z0-9_.-]/g, '_');
  return {
    description: `toxiproxy ${parsed.origin}`,
    toxiproxyUrl: parsed.origin,
    topology,
    statePath: faultsPath(join(home, 'bare', key)),
  };
}
