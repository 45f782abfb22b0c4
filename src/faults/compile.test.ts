import { describe, expect, it } from 'vitest';
import { InputError } from '../contract/errors.js';
import { faultSchema, type FaultSpec } from './spec.js';
import { DEFAULT_STACK_OPTIONS } from '../contract/topology.js';
import { planTopology } from '../topology/plan.js';
import { compileFault } from './compile.js';
import { CURRENT_PRIMARY_DB, disabledProxies, proxiesToEnable, toxicsOf, type FaultPlan } from './plan.js';

const topology = planTopology({
  runId: 'r1',
  regions: ['us-east', 'eu-west', 'ap-south'],
  primary: 'us-east',
  replication: 'sync',
  stack: DEFAULT_STACK_OPTIONS,
  accounts: { count: 10, funding: 1000, currency: 'USD' },
});

const fault = (input: Record<string, unknown>): FaultSpec => faultSchema.parse({ at: 0, ...input });
const compile = (input: Record<string, unknown>, id?: string): FaultPlan =>
  compileFault(fault(input), topology, id === undefined ? {} : { id });
const sorted = (names: string[]): string[] => [...names].sort();

function inputError(fn: () => unknown): InputError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(InputError);
    return error as InputError;
  }
  throw new Error('expected an InputError');
}

describe('compileFault: proxy state faults', () => {
  it('region-outage disables every link into and out of the region', () => {
    const plan = compile({ kind: 'region-outage', target: { region: 'us-east' } }, 'o1');
    expect(sorted(disabledProxies(plan))).toEqual(
      sorted([
        'router->api@us-east',
        'api@us-east->db@us-east',
        'api@us-east->db@eu-west',
        'api@us-east->db@ap-south',
        'api@eu-west->db@us-east',
        'api@ap-south->db@us-east',
        'controller->db@us-east',
        'repl@us-east->db@eu-west',
        'repl@us-east->db@ap-south',
        'repl@eu-west->db@us-east',
        'repl@ap-south->db@us-east',
      ]),
    );
    expect(plan.operations.every((op) => op.type === 'disable-proxy')).toBe(true);
    expect(plan.target).toBe('region us-east');
    expect(plan.region).toBe('us-east');
  });

  it('region-isolation cuts cross-region and control-plane links but keeps the router and local db links', () => {
    const plan = compile({ kind: 'region-isolation', target: { region: 'eu-west' } });
    const disabled = disabledProxies(plan);
    expect(sorted(disabled)).toEqual(
      sorted([
        'api@eu-west->db@us-east',
        'api@eu-west->db@ap-south',
        'api@us-east->db@eu-west',
        'api@ap-south->db@eu-west',
        'controller->db@eu-west',
        'repl@eu-west->db@us-east',
        'repl@eu-west->db@ap-south',
        'repl@us-east->db@eu-west',
        'repl@ap-south->db@eu-west',
      ]),
    );
    expect(disabled).not.toContain('router->api@eu-west');
    expect(disabled).not.toContain('api@eu-west->db@eu-west');
  });

  it('partition both ways cuts the links between the two regions only', () => {
    const plan = compile({ kind: 'partition', target: { regions: ['us-east', 'eu-west'] } });
    expect(sorted(disabledProxies(plan))).toEqual(
      sorted([
        'api@us-east->db@eu-west',
        'api@eu-west->db@us-east',
        'repl@us-east->db@eu-west',
        'repl@eu-west->db@us-east',
      ]),
    );
    expect(plan.target).toBe('regions us-east<->eu-west');
  });

  it('one-way partition cuts only links whose source is in the first region', () => {
    const plan = compile({
      kind: 'partition',
      target: { regions: ['us-east', 'eu-west'], direction: 'one-way' },
    });
    expect(sorted(disabledProxies(plan))).toEqual(
      sorted(['api@us-east->db@eu-west', 'repl@us-east->db@eu-west']),
    );
  });

  it('reverts re-enable exactly the disabled proxies, in reverse order', () => {
    const plan = compile({ kind: 'partition', target: { regions: ['us-east', 'ap-south'] } });
    expect(plan.reverts).toEqual(
      [...plan.operations]
        .reverse()
        .map((op) => ({ type: 'enable-proxy', proxy: (op as { proxy: string }).proxy })),
    );
  });
});

describe('compileFault: toxics', () => {
  it('latency on a link adds one downstream latency toxic named after the fault', () => {
    const plan = compile(
      {
        kind: 'latency',
        target: { link: 'api@eu-west->db@us-east' },
        params: { latency: '200ms', jitter: '50ms' },
      },
      'lag',
    );
    expect(plan.operations).toEqual([
      {
        type: 'add-toxic',
        proxy: 'api@eu-west->db@us-east',
        toxic: {
          name: 'cb-lag-latency-downstream',
          type: 'latency',
          stream: 'downstream',
          toxicity: 1,
          attributes: { latency: 200, jitter: 50 },
        },
      },
    ]);
    expect(plan.reverts).toEqual([
      { type: 'remove-toxic', proxy: 'api@eu-west->db@us-east', toxic: 'cb-lag-latency-downstream' },
    ]);
  });

  it('latency between two regions with stream both adds an upstream and a downstream toxic per link', () => {
    const plan = compile(
      {
        kind: 'latency',
        target: { regions: ['eu-west', 'ap-south'] },
        params: { latency: 100, stream: 'both', toxicity: 0.5 },
      },
      'x',
    );
    const toxics = toxicsOf(plan);
    expect(sorted([...new Set(toxics.map((t) => t.proxy))])).toEqual(
      sorted([
        'api@eu-west->db@ap-south',
        'api@ap-south->db@eu-west',
        'repl@eu-west->db@ap-south',
        'repl@ap-south->db@eu-west',
      ]),
    );
    expect(toxics).toHaveLength(8);
    expect(new Set(toxics.map((t) => t.name))).toEqual(
      new Set(['cb-x-latency-upstream', 'cb-x-latency-downstream']),
    );
    expect(
      toxics.every((t) => t.toxicity === 0.5 && t.attributes.latency === 100 && t.attributes.jitter === 0),
    ).toBe(true);
  });

  it('latency on a region touches every link into and out of it', () => {
    const outage = compile({ kind: 'region-outage', target: { region: 'ap-south' } });
    const plan = compile({ kind: 'latency', target: { region: 'ap-south' }, params: { latency: '1s' } });
    expect(sorted(toxicsOf(plan).map((t) => t.proxy))).toEqual(sorted(disabledProxies(outage)));
    expect(toxicsOf(plan)[0]!.attributes.latency).toBe(1000);
  });

  it('bandwidth, reset and blackhole map to bandwidth, reset_peer and timeout toxics', () => {
    const link = 'client->router';
    const bw = toxicsOf(compile({ kind: 'bandwidth', target: { link }, params: { rateKBps: 64 } }, 'b'));
    expect(bw).toEqual([
      {
        proxy: link,
        name: 'cb-b-bandwidth-downstream',
        type: 'bandwidth',
        stream: 'downstream',
        toxicity: 1,
        attributes: { rate: 64 },
      },
    ]);
    const reset = toxicsOf(compile({ kind: 'reset', target: { link }, params: { timeout: '1s' } }, 'r'));
    expect(reset.map((t) => [t.type, t.stream, t.attributes.timeout])).toEqual([
      ['reset_peer', 'upstream', 1000],
      ['reset_peer', 'downstream', 1000],
    ]);
    const hole = toxicsOf(
      compile({ kind: 'blackhole', target: { link }, params: { stream: 'upstream' } }, 'h'),
    );
    expect(hole.map((t) => [t.name, t.type, t.attributes.timeout])).toEqual([
      ['cb-h-timeout-upstream', 'timeout', 0],
    ]);
  });
});

describe('compileFault: process faults', () => {
  it('kill, pause and restart carry their revert action', () => {
    expect(compile({ kind: 'process-kill', target: { component: 'api@eu-west' } }).operations).toEqual([
      { type: 'process', component: 'api@eu-west', action: 'kill', revert: 'restart' },
    ]);
    const pause = compile({ kind: 'process-pause', target: { component: 'router' } });
    expect(pause.reverts).toEqual([{ type: 'process', component: 'router', action: 'resume' }]);
    expect(compile({ kind: 'process-restart', target: { component: 'db@ap-south' } }).reverts).toEqual([]);
  });

  it('primary-db-kill is resolved at apply time, not from the initial primary', () => {
    const plan = compile({ kind: 'primary-db-kill' });
    expect(plan.operations).toEqual([
      { type: 'process', component: CURRENT_PRIMARY_DB, action: 'kill', revert: 'restart' },
    ]);
  });
});

describe('compileFault: errors', () => {
  it('names the valid regions, links and components of an unknown target', () => {
    const region = inputError(() => compile({ kind: 'region-outage', target: { region: 'mars' } }));
    expect(region.code).toBe('FAULT_UNKNOWN_TARGET');
    expect(region.message).toContain('mars');
    expect(region.details.join('\n')).toContain('us-east, eu-west, ap-south');

    const link = inputError(() =>
      compile({ kind: 'latency', target: { link: 'a->b' }, params: { latency: 10 } }),
    );
    expect(link.details.join('\n')).toContain('api@eu-west->db@us-east');

    const component = inputError(() => compile({ kind: 'process-kill', target: { component: 'api@mars' } }));
    expect(component.details.join('\n')).toContain('controller');
  });

  it('rejects missing targets, extra targets, wrong params and self partitions', () => {
    expect(inputError(() => compile({ kind: 'region-outage' })).code).toBe('FAULT_MISSING_TARGET');
    expect(inputError(() => compile({ kind: 'latency', target: { link: 'client->router' } })).code).toBe(
      'FAULT_MISSING_PARAM',
    );
    expect(
      inputError(() =>
        compile({
          kind: 'latency',
          target: { link: 'client->router', region: 'us-east' },
          params: { latency: 1 },
        }),
      ).code,
    ).toBe('FAULT_BAD_TARGET');
    expect(
      inputError(() =>
        compile({ kind: 'region-outage', target: { region: 'us-east' }, params: { latency: 5 } }),
      ).code,
    ).toBe('FAULT_BAD_PARAM');
    expect(
      inputError(() => compile({ kind: 'process-kill', target: { component: 'router', region: 'us-east' } }))
        .code,
    ).toBe('FAULT_BAD_TARGET');
    expect(
      inputError(() => compile({ kind: 'partition', target: { regions: ['us-east', 'us-east'] } })).code,
    ).toBe('FAULT_BAD_TARGET');
    expect(
      inputError(() => compile({ kind: 'region-outage', target: { region: 'us-east' } }, 'bad id/x')).code,
    ).toBe('FAULT_BAD_ID');
  });
});

describe('overlapping faults', () => {
  it('a proxy disabled by two faults is re-enabled only when the last one is reverted', () => {
    const outage = compile({ kind: 'region-outage', target: { region: 'us-east' } }, 'outage');
    const partition = compile({ kind: 'partition', target: { regions: ['us-east', 'eu-west'] } }, 'part');
    const shared = disabledProxies(partition); // every partition link touches us-east
    expect(shared.every((p) => disabledProxies(outage).includes(p))).toBe(true);

    // Revert the partition first: the outage still holds its links.
    expect(proxiesToEnable(partition, [outage, partition])).toEqual([]);
    // Then the outage: all of its links come back.
    expect(sorted(proxiesToEnable(outage, [outage]))).toEqual(sorted(disabledProxies(outage)));

    // Revert the outage first: only the links the partition does not hold come back.
    const back = proxiesToEnable(outage, [outage, partition]);
    expect(back).toHaveLength(disabledProxies(outage).length - shared.length);
    expect(back.some((p) => shared.includes(p))).toBe(false);
    expect(sorted(proxiesToEnable(partition, [partition]))).toEqual(sorted(shared));
  });
});
