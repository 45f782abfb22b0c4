/**
 * Checks that need the whole parsed scenario: names that must exist (regions, links, components,
 * metrics), fault kinds against their targets, faults against each other and against the load.
 *
 * Overlapping faults (both windows active at once) are judged like this:
 * - error: the same kind on the same target (e.g. two outages of us-east; two latency toxics on one link
 *   would collide on the same Toxiproxy toxic);
 * - error: a region-outage and a region-isolation of the same region (both cut the region; which one's
 *   revert wins is undefined);
 * - error: two process faults on the same component (a paused process cannot be killed meanwhile);
 * - warning: any other fault touching a region while that region is out (it has no effect there).
 * Each fault that passes these checks is also compiled with the fault compiler (src/faults/compile.ts),
 * so `validate` never accepts a fault that `run` would refuse.
 * Different kinds on one target are otherwise fine: latency plus a reset on one link compose.
 */
import { GLOBAL, type Topology } from '../contract/topology.js';
import { EVERY_PAIR, PAIR_SEPARATOR, pairKey, splitPairKey } from '../contract/network.js';
import { planTopologyOf } from './topology-of.js';
import { compileFault } from '../faults/compile.js';
import { ChaosbankError } from '../contract/errors.js';
import { METRIC_NAMES, isMetricName } from '../checks/metrics-catalog.js';
import { splitComparison } from './gates-syntax.js';
import { parseDuration, formatDuration } from '../contract/duration.js';
import { didYouMean } from './suggest.js';
import type { Scenario } from './schema.js';
import type { FaultKind, FaultSpec } from '../faults/spec.js';

export interface SemanticIssue {
  path: (string | number)[];
  message: string;
  example?: string;
}

export interface SemanticResult {
  errors: SemanticIssue[];
  warnings: SemanticIssue[];
}

type TargetField = 'region' | 'regions' | 'link' | 'component';
type ParamField = keyof FaultSpec['params'];

interface KindRule {
  /** Exactly one of these target fields must be given. */
  targets: TargetField[];
  params: ParamField[];
  requiredParams?: ParamField[];
  example: string;
}

const NETWORK_TARGETS: TargetField[] = ['link', 'regions', 'region'];
const KIND_RULES: Record<FaultKind, KindRule> = {
  'region-outage': { targets: ['region'], params: [], example: 'target: { region: us-east }' },
  'region-isolation': { targets: ['region'], params: [], example: 'target: { region: us-east }' },
  partition: { targets: ['regions'], params: [], example: 'target: { regions: [us-east, eu-west] }' },
  latency: {
    targets: NETWORK_TARGETS,
    params: ['latency', 'jitter', 'toxicity', 'stream'],
    requiredParams: ['latency'],
    example: 'target: { link: api@us-east->db@eu-west }',
  },
  bandwidth: {
    targets: NETWORK_TARGETS,
    params: ['rateKBps', 'toxicity', 'stream'],
    requiredParams: ['rateKBps'],
    example: 'target: { regions: [us-east, eu-west] }',
  },
  reset: {
    targets: NETWORK_TARGETS,
    params: ['timeout', 'toxicity', 'stream'],
    example: 'target: { region: eu-west }',
  },
  blackhole: {
    targets: NETWORK_TARGETS,
    params: ['timeout', 'toxicity', 'stream'],
    example: 'target: { link: router->api@us-east }',
  },
  'process-kill': { targets: ['component'], params: [], example: 'target: { component: api@us-east }' },
  'process-pause': { targets: ['component'], params: [], example: 'target: { component: db@us-east }' },
  'process-restart': { targets: ['component'], params: [], example: 'target: { component: api@eu-west }' },
  'primary-db-kill': { targets: [], params: [], example: 'kind: primary-db-kill' },
};
const PARAM_EXAMPLES: Record<ParamField, string> = {
  latency: 'params: { latency: 200ms }',
  jitter: 'params: { latency: 200ms, jitter: 50ms }',
  rateKBps: 'params: { rateKBps: 64 }',
  timeout: 'params: { timeout: 1s }',
  toxicity: 'params: { toxicity: 0.5 }',
  stream: 'params: { stream: downstream }',
};
const PROCESS_KINDS = new Set<FaultKind>(['process-kill', 'process-pause', 'process-restart']);
const CUTS_REGION = new Set<FaultKind>(['region-outage', 'region-isolation']);
/** Metrics that stay null without a fault to recover from. */
const RECOVERY_METRICS = new Set(['mttr_s', 'rto_s', 'outage_s', 'detection_s', 'recovered']);
/** Less baseline than this before the first fault makes the recovery threshold unreliable. */
const MIN_BASELINE_MS = 5000;

/** When the load stops, in ms from load start (constant rate: `duration`; ramp: the stages' sum). */
export function loadEndMs(scenario: Scenario): number {
  const { load } = scenario;
  if (load.stages !== undefined) return load.stages.reduce((sum, stage) => sum + stage.duration, 0);
  return load.duration ?? 0;
}

export function scenarioTopology(scenario: Scenario): Topology {
  return planTopologyOf(scenario.topology, scenario.load.accounts, 'validate');
}

interface Window {
  start: number;
  end: number;
}
const windowOf = (fault: FaultSpec): Window => ({
  start: fault.at,
  end: fault.duration === undefined ? Number.POSITIVE_INFINITY : fault.at + fault.duration,
});
const overlaps = (a: Window, b: Window): boolean => a.start < b.end && b.start < a.end;

/** The regions a fault touches (for overlap judgements). */
function regionsTouched(fault: FaultSpec, topology: Topology): Set<string> {
  const { target } = fault;
  const touched = new Set<string>();
  if (target.region !== undefined) touched.add(target.region);
  for (const region of target.regions ?? []) touched.add(region);
  const link = topology.links.find((l) => l.name === target.link);
  if (link) for (const region of [link.fromRegion, link.toRegion]) if (region !== GLOBAL) touched.add(region);
  const component = topology.components.find((c) => c.id === target.component);
  if (component && component.region !== GLOBAL) touched.add(component.region);
  return touched;
}

function targetKey(fault: FaultSpec): string {
  const { target } = fault;
  return JSON.stringify([target.region, target.regions, target.link, target.component, target.direction]);
}

const describeFault = (fault: FaultSpec, index: number): string =>
  fault.name === undefined ? `faults.${index} (${fault.kind})` : `faults.${index} (${fault.name})`;

/** `topology.network`: every pair names two different regions of the topology, each pair once. */
function checkNetwork(network: Scenario['topology']['network'], regions: string[]): SemanticIssue[] {
  if (typeof network === 'string') return [];
  const issues: SemanticIssue[] = [];
  for (const field of ['latency', 'jitter'] as const) {
    const seen = new Map<string, string>();
    for (const key of Object.keys(network[field] ?? {})) {
      if (key === EVERY_PAIR) continue;
      const path = ['topology', 'network', field, key];
      const [a, b] = splitPairKey(key)!;
      const unknownRegion = [a, b].find((region) => !regions.includes(region));
      if (unknownRegion !== undefined) {
        issues.push({
          path,
          message: `region \`${unknownRegion}\` is not one of topology.regions [${regions.join(', ')}]${didYouMean(unknownRegion, regions)}`,
          example: `${pairKey(regions[0]!, regions[1] ?? 'eu-west')}: 40ms`,
        });
        continue;
      }
      if (a === b) {
        issues.push({ path, message: `names ${a} twice: a pair is two different regions` });
        continue;
      }
      const unordered = [a, b].sort().join(PAIR_SEPARATOR);
      const earlier = seen.get(unordered);
      if (earlier !== undefined)
        issues.push({ path, message: `the same pair as \`${earlier}\`: give each pair once` });
      seen.set(unordered, key);
    }
  }
  return issues;
}

export function checkScenario(scenario: Scenario): SemanticResult {
  const errors: SemanticIssue[] = [];
  const warnings: SemanticIssue[] = [];
  const { topology: spec, load } = scenario;
  const regions = spec.regions;

  // topology
  const seen = new Map<string, number>();
  regions.forEach((region, index) => {
    if (seen.has(region))
      errors.push({ path: ['topology', 'regions', index], message: `region \`${region}\` is listed twice` });
    seen.set(region, index);
  });
  if (spec.primary !== undefined && !regions.includes(spec.primary))
    errors.push({
      path: ['topology', 'primary'],
      message: `primary \`${spec.primary}\` is not one of topology.regions [${[...new Set(regions)].join(', ')}]${didYouMean(spec.primary, regions)}`,
      example: `primary: ${regions[0]}`,
    });
  const duplicateBugs = spec.stack.bugs.filter((bug, i) => spec.stack.bugs.indexOf(bug) !== i);
  for (const bug of new Set(duplicateBugs))
    warnings.push({ path: ['topology', 'stack', 'bugs'], message: `seeded bug \`${bug}\` is listed twice` });
  if (spec.stack.failoverGrace <= spec.stack.heartbeatInterval)
    warnings.push({
      path: ['topology', 'stack', 'failoverGrace'],
      message: `failoverGrace (${formatDuration(spec.stack.failoverGrace)}) should exceed heartbeatInterval (${formatDuration(spec.stack.heartbeatInterval)}), or every missed heartbeat triggers a failover`,
    });

  errors.push(...checkNetwork(spec.network, regions));

  // load
  if (load.stages !== undefined && load.duration !== undefined)
    errors.push({
      path: ['load', 'duration'],
      message: 'with `stages` the load lasts as long as the stages add up to; remove `duration`',
    });
  const end = loadEndMs(scenario);
  if (end <= 0)
    errors.push({
      path: load.stages !== undefined ? ['load', 'stages'] : ['load', 'duration'],
      message: 'the load lasts 0s; it needs a positive duration',
      example: load.stages !== undefined ? 'stages: [{ target: 150, duration: 30s }]' : 'duration: 60s',
    });
  if (
    load.stages !== undefined &&
    load.rate === undefined &&
    load.stages.every((stage) => stage.target === 0)
  )
    errors.push({
      path: ['load', 'stages'],
      message: 'every stage targets 0 requests/s: no load would be sent',
    });
  const mixTotal = Object.values(load.mix).reduce((sum, share) => sum + share, 0);
  if (mixTotal > 1 + 1e-9)
    errors.push({
      path: ['load', 'mix'],
      message: `the mix shares add up to ${Number(mixTotal.toFixed(4))}; they are fractions of all requests and must sum to at most 1`,
      example: 'mix: { replays: 0.05, concurrentDuplicates: 0.02, reads: 0.1 }',
    });
  if (load.amount.min > load.amount.max)
    errors.push({
      path: ['load', 'amount', 'min'],
      message: `amount.min (${load.amount.min}) is above amount.max (${load.amount.max})`,
      example: 'amount: { min: 100, max: 10000 }',
    });
  if (load.retry.backoff > load.retry.maxBackoff)
    errors.push({
      path: ['load', 'retry', 'backoff'],
      message: `backoff (${formatDuration(load.retry.backoff)}) is above maxBackoff (${formatDuration(load.retry.maxBackoff)})`,
      example: 'retry: { backoff: 100ms, maxBackoff: 2s }',
    });
  if (load.mix.crossRegionDuplicates > 0 && regions.length < 2)
    errors.push({
      path: ['load', 'mix', 'crossRegionDuplicates'],
      message: 'cross-region duplicates need at least two regions',
    });

  // idempotency: the checker tells the answers apart by status
  const statuses = Object.entries(scenario.idempotency);
  for (const [i, [name, status]] of statuses.entries()) {
    const clash = statuses.slice(0, i).find(([, other]) => other === status);
    if (clash)
      errors.push({
        path: ['idempotency', name],
        message: `status ${status} is also used for \`${clash[0]}\`; each answer needs its own status`,
      });
  }

  checkFaults(scenario, end, errors, warnings);
  checkGates(scenario, errors, warnings);
  return { errors, warnings };
}

function checkFaults(
  scenario: Scenario,
  end: number,
  errors: SemanticIssue[],
  warnings: SemanticIssue[],
): void {
  const regions = [...new Set(scenario.topology.regions)];
  const topology = scenarioTopology(scenario);
  const linkNames = topology.links.map((l) => l.name);
  const componentIds = [...new Set(topology.components.map((c) => c.id))];
  const valid: { fault: FaultSpec; index: number }[] = [];

  scenario.faults.forEach((fault, index) => {
    const at = ['faults', index];
    const before = errors.length;
    const rule = KIND_RULES[fault.kind];
    const { target } = fault;
    const given = (['region', 'regions', 'link', 'component'] as const).filter(
      (f) => target[f] !== undefined,
    );

    if (rule.targets.length === 0 && given.length > 0)
      errors.push({
        path: [...at, 'target', given[0]!],
        message: `${fault.kind} takes no target (it kills whichever database is primary at that moment); remove \`target\``,
        example: rule.example,
      });
    else if (rule.targets.length > 0 && given.length === 0)
      errors.push({
        path: [...at, 'target'],
        message: `${fault.kind} needs a target: ${rule.targets.map((f) => `\`${f}\``).join(' or ')}`,
        example: rule.example,
      });
    else if (rule.targets.length > 0)
      for (const field of given) {
        if (!rule.targets.includes(field))
          errors.push({
            path: [...at, 'target', field],
            message: `${fault.kind} does not take a \`${field}\` target; it takes ${rule.targets.map((f) => `\`${f}\``).join(' or ')}`,
            example: rule.example,
          });
        else if (given.length > 1 && field !== given.find((f) => rule.targets.includes(f)))
          errors.push({
            path: [...at, 'target', field],
            message: `give one target, not ${given.map((f) => `\`${f}\``).join(' and ')}`,
            example: rule.example,
          });
      }

    if (target.region !== undefined && !regions.includes(target.region))
      errors.push({
        path: [...at, 'target', 'region'],
        message: `unknown region \`${target.region}\`; regions are [${regions.join(', ')}]${didYouMean(target.region, regions)}`,
        example: `region: ${regions[0]}`,
      });
    target.regions?.forEach((region, i) => {
      if (!regions.includes(region))
        errors.push({
          path: [...at, 'target', 'regions', i],
          message: `unknown region \`${region}\`; regions are [${regions.join(', ')}]${didYouMean(region, regions)}`,
        });
    });
    if (target.regions !== undefined && target.regions[0] === target.regions[1])
      errors.push({
        path: [...at, 'target', 'regions'],
        message: `the two regions must differ (got \`${target.regions[0]}\` twice)`,
        example: 'regions: [us-east, eu-west]',
      });
    if (target.link !== undefined && !linkNames.includes(target.link))
      errors.push({
        path: [...at, 'target', 'link'],
        message: `unknown link \`${target.link}\`${didYouMean(target.link, linkNames)}; links look like \`<from>-><to>\`, e.g. router->api@${regions[0]}, api@${regions[0]}->db@${regions[0]}`,
      });
    if (target.component !== undefined && !componentIds.includes(target.component))
      errors.push({
        path: [...at, 'target', 'component'],
        message: `unknown component \`${target.component}\`${didYouMean(target.component, componentIds)}; components are ${componentIds.join(', ')}`,
      });
    if (target.direction === 'one-way' && target.regions === undefined)
      errors.push({
        path: [...at, 'target', 'direction'],
        message: '`direction: one-way` only applies to a pair of `regions` (first to second)',
      });

    for (const param of rule.requiredParams ?? [])
      if (fault.params[param] === undefined)
        errors.push({
          path: [...at, 'params', param],
          message: `${fault.kind} needs \`params.${param}\``,
          example: PARAM_EXAMPLES[param],
        });
    // An error, not a warning: the fault compiler refuses params a kind does not use.
    for (const param of Object.keys(fault.params) as ParamField[])
      if (fault.params[param] !== undefined && !rule.params.includes(param))
        errors.push({
          path: [...at, 'params', param],
          message: `${fault.kind} does not take \`${param}\`${rule.params.length > 0 ? ` (it uses ${rule.params.join(', ')})` : ''}`,
        });

    if (fault.duration !== undefined && fault.until !== undefined)
      errors.push({
        path: [...at, 'until'],
        message: 'give either `duration` or `until: heal`, not both',
        example: 'duration: 30s',
      });
    if (fault.duration === 0)
      errors.push({
        path: [...at, 'duration'],
        message: 'a fault lasting 0s does nothing',
        example: 'duration: 30s',
      });
    if (end > 0 && fault.at >= end)
      errors.push({
        path: [...at, 'at'],
        message: `the fault starts at ${formatDuration(fault.at)}, but the load ends at ${formatDuration(end)}: nothing would observe it`,
        example: `at: ${formatDuration(Math.floor(end / 3))}`,
      });
    else if (end > 0 && fault.duration !== undefined && fault.at + fault.duration > end)
      warnings.push({
        path: [...at, 'duration'],
        message: `the fault lasts until ${formatDuration(fault.at + fault.duration)}, past the end of the load at ${formatDuration(end)}; it is reverted at heal and the recovery is not observed under load`,
      });
    if (errors.length === before) {
      // The fault compiler has the last word: whatever it would refuse at run time is an error now.
      try {
        compileFault(fault, topology, { id: `f${index + 1}` });
      } catch (error) {
        if (!(error instanceof ChaosbankError)) throw error;
        errors.push({
          path: at,
          message: `${error.message}${error.details.length > 0 ? ` (${error.details.join(' ')})` : ''}`,
        });
      }
    }
    if (errors.length === before) valid.push({ fault, index });
  });

  const first = valid.reduce((min, { fault }) => Math.min(min, fault.at), Number.POSITIVE_INFINITY);
  if (first < MIN_BASELINE_MS)
    warnings.push({
      path: ['faults', valid.find(({ fault }) => fault.at === first)!.index, 'at'],
      message: `the first fault starts ${formatDuration(first)} into the load; leave at least ${formatDuration(MIN_BASELINE_MS)} of baseline so recovery can be measured against it`,
    });

  checkOverlaps(valid, topology, errors, warnings);
}

function checkOverlaps(
  faults: { fault: FaultSpec; index: number }[],
  topology: Topology,
  errors: SemanticIssue[],
  warnings: SemanticIssue[],
): void {
  for (const [j, later] of faults.entries()) {
    const errorsBefore = errors.length;
    for (const earlier of faults.slice(0, j)) {
      if (errors.length > errorsBefore) break; // one conflict per fault is enough to act on
      const a = earlier.fault;
      const b = later.fault;
      if (!overlaps(windowOf(a), windowOf(b))) continue;
      const path = ['faults', later.index, 'at'];
      const both = `${describeFault(b, later.index)} overlaps ${describeFault(a, earlier.index)}`;
      if (a.kind === b.kind && targetKey(a) === targetKey(b)) {
        errors.push({
          path,
          message: `${both}: the same ${a.kind} on the same target twice at once; merge them or make their windows disjoint`,
        });
      } else if (CUTS_REGION.has(a.kind) && CUTS_REGION.has(b.kind) && a.target.region === b.target.region) {
        errors.push({
          path,
          message: `${both}: ${a.kind} and ${b.kind} of region ${a.target.region} at once contradict each other; use one`,
        });
      } else if (
        PROCESS_KINDS.has(a.kind) &&
        PROCESS_KINDS.has(b.kind) &&
        a.target.component === b.target.component
      ) {
        errors.push({
          path,
          message: `${both}: ${a.kind} and ${b.kind} of ${a.target.component} at once contradict each other; make their windows disjoint`,
        });
      } else {
        for (const [outage, other, otherIndex] of [
          [a, b, later.index],
          [b, a, earlier.index],
        ] as const) {
          if (outage.kind !== 'region-outage' || outage === other) continue;
          if (regionsTouched(other, topology).has(outage.target.region!))
            warnings.push({
              path: ['faults', otherIndex, 'at'],
              message: `${both}: region ${outage.target.region} is out meanwhile, so the ${other.kind} has no effect there`,
            });
        }
      }
    }
  }
}

function checkGates(scenario: Scenario, errors: SemanticIssue[], warnings: SemanticIssue[]): void {
  errors.push(...checkGateNames(scenario.gates, scenario.aborts));
  scenario.gates.forEach((gate, index) => {
    const parts = splitComparison(gate);
    if (parts && RECOVERY_METRICS.has(parts.metric) && scenario.faults.length === 0)
      warnings.push({
        path: ['gates', index],
        message: `${parts.metric} is only measured after a fault, and this scenario has no faults: the gate cannot pass`,
      });
  });
}

/**
 * Metric names and `for` durations in gates and aborts. Works on raw input too, so these errors are
 * reported alongside schema errors elsewhere in the file.
 */
export function checkGateNames(gates: unknown, aborts: unknown): SemanticIssue[] {
  const errors: SemanticIssue[] = [];
  const strings = (value: unknown): [string, number][] =>
    Array.isArray(value)
      ? value.flatMap((item, index): [string, number][] => (typeof item === 'string' ? [[item, index]] : []))
      : [];
  for (const [gate, index] of strings(gates)) {
    const parts = splitComparison(gate);
    if (parts && !isMetricName(parts.metric))
      errors.push({
        path: ['gates', index],
        message: `unknown metric \`${parts.metric}\`${didYouMean(parts.metric, METRIC_NAMES)}; see docs/scenarios.md for the list`,
        example: 'mttr_s < 30',
      });
  }
  for (const [abort, index] of strings(aborts)) {
    const parts = splitComparison(abort);
    if (!parts) continue; // named aborts, or a syntax error the schema reports
    if (!isMetricName(parts.metric))
      errors.push({
        path: ['aborts', index],
        message: `unknown metric \`${parts.metric}\`${didYouMean(parts.metric, METRIC_NAMES)}; see docs/scenarios.md for the list`,
        example: 'error_rate > 0.9 for 10s',
      });
    if (parts.forText !== undefined && parseDuration(parts.forText) === undefined)
      errors.push({
        path: ['aborts', index],
        message: `\`for ${parts.forText}\` is not a duration`,
        example: 'error_rate > 0.9 for 10s',
      });
  }
  return errors;
}
