/**
 * The fault compiler: a scenario fault + the topology -> the exact proxy, toxic and process operations
 * that inject it, and their exact reverts. Pure: no I/O, no clock. The injector executes plans.
 */
import { InputError } from '../contract/errors.js';
import type { FaultKind, FaultSpec } from './spec.js';
import type { Link, Topology } from '../contract/topology.js';
import { assertFaultId, scenarioFaultId } from './fault-id.js';
import { betweenLinks, isolationLinks, outageLinks } from './links.js';
import {
  CURRENT_PRIMARY_DB,
  TOXIC_PREFIX,
  revertsOf,
  type FaultOperation,
  type FaultPlan,
  type ToxicSpec,
  type ToxicStream,
  type ToxicType,
} from './plan.js';

type Params = FaultSpec['params'];
type ParamName = keyof Params;
type TargetField = 'region' | 'regions' | 'link' | 'component';

type ToxicKind = 'latency' | 'bandwidth' | 'reset' | 'blackhole';

/** Params each kind accepts; any other param is a mistake worth reporting. */
const ALLOWED_PARAMS: Record<FaultKind, ParamName[]> = {
  'region-outage': [],
  'region-isolation': [],
  partition: [],
  latency: ['latency', 'jitter', 'stream', 'toxicity'],
  bandwidth: ['rateKBps', 'stream', 'toxicity'],
  reset: ['timeout', 'stream', 'toxicity'],
  blackhole: ['timeout', 'stream', 'toxicity'],
  'process-kill': [],
  'process-pause': [],
  'process-restart': [],
  'primary-db-kill': [],
};

const DEFAULT_STREAM: Record<ToxicKind, 'upstream' | 'downstream' | 'both'> = {
  latency: 'downstream',
  bandwidth: 'downstream',
  reset: 'both',
  blackhole: 'both',
};

export interface CompileOptions {
  /** The fault's id (names its toxics); default: its name as a slug, else `f1-<kind>`. */
  id?: string;
}

export function compileFault(fault: FaultSpec, topology: Topology, options: CompileOptions = {}): FaultPlan {
  const id = assertFaultId(options.id ?? scenarioFaultId(fault, 0));
  checkParams(fault);
  const base = { id, kind: fault.kind };
  const withReverts = (plan: Omit<FaultPlan, 'reverts' | 'id' | 'kind'>): FaultPlan => ({
    ...base,
    ...plan,
    reverts: revertsOf(plan.operations),
  });

  switch (fault.kind) {
    case 'region-outage':
    case 'region-isolation': {
      onlyTargets(fault, ['region']);
      const region = requireRegion(fault, topology);
      const links =
        fault.kind === 'region-outage' ? outageLinks(topology, region) : isolationLinks(topology, region);
      return withReverts({ target: `region ${region}`, region, operations: disable(links) });
    }
    case 'partition': {
      onlyTargets(fault, ['regions']);
      const [a, b] = requireRegionPair(fault, topology);
      const arrow = fault.target.direction === 'one-way' ? '->' : '<->';
      return withReverts({
        target: `regions ${a}${arrow}${b}`,
        operations: disable(betweenLinks(topology, a, b, fault.target.direction)),
      });
    }
    case 'latency':
    case 'bandwidth':
    case 'reset':
    case 'blackhole': {
      onlyTargets(fault, ['link', 'regions', 'region']);
      const { description, links, region } = selectLinks(fault, topology);
      const toxics = toxicsFor(id, fault.kind, fault.params);
      const operations: FaultOperation[] = links.flatMap((link) =>
        toxics.map((toxic): FaultOperation => ({ type: 'add-toxic', proxy: link.name, toxic })),
      );
      return withReverts({ target: description, ...(region ? { region } : {}), operations });
    }
    case 'process-kill':
    case 'process-pause':
    case 'process-restart': {
      onlyTargets(fault, ['component']);
      const component = requireComponent(fault, topology);
      const { action, revert } = PROCESS_ACTIONS[fault.kind];
      return withReverts({
        target: `component ${component}`,
        component,
        operations: [{ type: 'process', component, action, revert }],
      });
    }
    case 'primary-db-kill': {
      onlyTargets(fault, []);
      return withReverts({
        target: 'the current primary database',
        component: CURRENT_PRIMARY_DB,
        operations: [{ type: 'process', component: CURRENT_PRIMARY_DB, action: 'kill', revert: 'restart' }],
      });
    }
  }
}

const PROCESS_ACTIONS = {
  'process-kill': { action: 'kill', revert: 'restart' },
  'process-pause': { action: 'pause', revert: 'resume' },
  'process-restart': { action: 'restart', revert: null },
} as const;

function disable(links: Link[]): FaultOperation[] {
  return links.map((link) => ({ type: 'disable-proxy', proxy: link.name }));
}

function toxicsFor(id: string, kind: ToxicKind, params: Params): ToxicSpec[] {
  const toxicity = params.toxicity ?? 1;
  const streamParam = params.stream ?? DEFAULT_STREAM[kind];
  const streams: ToxicStream[] = streamParam === 'both' ? ['upstream', 'downstream'] : [streamParam];
  const { type, attributes } = toxicBody(kind, params);
  return streams.map((stream) => ({
    name: `${TOXIC_PREFIX}${id}-${type}-${stream}`,
    type,
    stream,
    toxicity,
    attributes,
  }));
}

function toxicBody(kind: ToxicKind, params: Params): { type: ToxicType; attributes: Record<string, number> } {
  // Toxiproxy attributes are integers (milliseconds, KB/s).
  switch (kind) {
    case 'latency':
      if (params.latency === undefined)
        throw new InputError('FAULT_MISSING_PARAM', 'a latency fault needs `params.latency`, e.g. 200ms');
      return {
        type: 'latency',
        attributes: { latency: Math.round(params.latency), jitter: Math.round(params.jitter ?? 0) },
      };
    case 'bandwidth':
      if (params.rateKBps === undefined)
        throw new InputError('FAULT_MISSING_PARAM', 'a bandwidth fault needs `params.rateKBps`, e.g. 100');
      return { type: 'bandwidth', attributes: { rate: params.rateKBps } };
    case 'reset':
      return { type: 'reset_peer', attributes: { timeout: Math.round(params.timeout ?? 0) } };
    case 'blackhole':
      // timeout 0 = hold every connection forever, dropping its data, until the toxic is removed.
      return { type: 'timeout', attributes: { timeout: Math.round(params.timeout ?? 0) } };
  }
}

function checkParams(fault: FaultSpec): void {
  const allowed = ALLOWED_PARAMS[fault.kind];
  const given = (Object.keys(fault.params) as ParamName[]).filter((key) => fault.params[key] !== undefined);
  const extra = given.filter((key) => !allowed.includes(key));
  if (extra.length > 0)
    throw new InputError(
      'FAULT_BAD_PARAM',
      `a ${fault.kind} fault does not take ${extra.map((p) => `\`params.${p}\``).join(', ')}`,
      { details: [allowed.length > 0 ? `It takes: ${allowed.join(', ')}.` : 'It takes no params.'] },
    );
}

function onlyTargets(fault: FaultSpec, allowed: TargetField[]): void {
  const fields: TargetField[] = ['region', 'regions', 'link', 'component'];
  const extra = fields.filter((field) => fault.target[field] !== undefined && !allowed.includes(field));
  if (extra.length > 0)
    throw new InputError(
      'FAULT_BAD_TARGET',
      `a ${fault.kind} fault does not take ${extra.map((f) => `\`target.${f}\``).join(', ')}`,
      {
        details: [
          allowed.length > 0
            ? `It targets: ${allowed.map((f) => `target.${f}`).join(' or ')}.`
            : 'It takes no target.',
        ],
      },
    );
}

function unknown(what: string, name: string, valid: string[]): InputError {
  return new InputError('FAULT_UNKNOWN_TARGET', `unknown ${what} \`${name}\``, {
    details: [`Valid ${what}s: ${valid.join(', ')}`],
  });
}

function checkRegion(region: string, topology: Topology): string {
  if (!topology.regions.includes(region)) throw unknown('region', region, topology.regions);
  return region;
}

function requireRegion(fault: FaultSpec, topology: Topology): string {
  if (fault.target.region === undefined)
    throw new InputError('FAULT_MISSING_TARGET', `a ${fault.kind} fault needs \`target.region\``, {
      details: [`Regions: ${topology.regions.join(', ')}`],
    });
  return checkRegion(fault.target.region, topology);
}

function requireRegionPair(fault: FaultSpec, topology: Topology): [string, string] {
  const pair = fault.target.regions;
  if (pair === undefined || pair.length !== 2)
    throw new InputError('FAULT_MISSING_TARGET', `a ${fault.kind} fault needs \`target.regions: [a, b]\``, {
      details: [`Regions: ${topology.regions.join(', ')}`],
    });
  const [a, b] = pair as [string, string];
  checkRegion(a, topology);
  checkRegion(b, topology);
  if (a === b)
    throw new InputError(
      'FAULT_BAD_TARGET',
      `\`target.regions\` names ${a} twice: give two different regions`,
    );
  return [a, b];
}

function requireComponent(fault: FaultSpec, topology: Topology): string {
  const ids = topology.components.map((c) => c.id);
  const component = fault.target.component;
  if (component === undefined)
    throw new InputError('FAULT_MISSING_TARGET', `a ${fault.kind} fault needs \`target.component\``, {
      details: [`Components: ${ids.join(', ')}`],
    });
  if (!ids.includes(component)) throw unknown('component', component, ids);
  return component;
}

function selectLinks(
  fault: FaultSpec,
  topology: Topology,
): { description: string; links: Link[]; region?: string } {
  const { link, regions, region } = fault.target;
  const given = [link, regions, region].filter((t) => t !== undefined).length;
  if (given !== 1)
    throw new InputError(
      given === 0 ? 'FAULT_MISSING_TARGET' : 'FAULT_BAD_TARGET',
      `a ${fault.kind} fault needs exactly one of \`target.link\`, \`target.regions\` or \`target.region\``,
      { details: [`Regions: ${topology.regions.join(', ')}`] },
    );
  if (link !== undefined) {
    const found = topology.links.find((l) => l.name === link);
    if (!found)
      throw unknown(
        'link',
        link,
        topology.links.map((l) => l.name),
      );
    return { description: `link ${link}`, links: [found] };
  }
  if (regions !== undefined) {
    const [a, b] = requireRegionPair(fault, topology);
    const arrow = fault.target.direction === 'one-way' ? '->' : '<->';
    return {
      description: `regions ${a}${arrow}${b}`,
      links: betweenLinks(topology, a, b, fault.target.direction),
    };
  }
  const name = checkRegion(region!, topology);
  return { description: `region ${name}`, links: outageLinks(topology, name), region: name };
}
