import { describe, expect, it } from 'vitest';
import type { Topology } from '../contract/topology.js';
import { planTopology } from '../topology/plan.js';
import type { NetworkSpec } from '../contract/network.js';
import { NETWORK_TOXIC_PREFIX, networkToxics } from './network.js';
import { TOXIC_PREFIX } from './plan.js';

function topology(network?: NetworkSpec): Topology {
  return planTopology({
    runId: 'r',
    regions: ['us-east', 'eu-west', 'ap-south'],
    primary: 'us-east',
    replication: 'async',
    stack: {
      bugs: [],
      failoverGraceMs: 2000,
      heartbeatIntervalMs: 250,
      routerHealthIntervalMs: 250,
      routerUnhealthyAfter: 2,
    },
    accounts: { count: 2, funding: 1, currency: 'USD' },
    ...(network === undefined ? {} : { network }),
  });
}

describe('networkToxics', () => {
  it('puts the pair latency on both directions of every cross-region link, and on nothing else', () => {
    const toxics = networkToxics(topology());
    const proxies = [...new Set(toxics.map((t) => t.proxy))].sort();
    // 6 cross-region api->db links + 6 replication links; no client, router, controller or local link
    expect(proxies).toEqual(
      [
        'api@ap-south->db@eu-west',
        'api@ap-south->db@us-east',
        'api@eu-west->db@ap-south',
        'api@eu-west->db@us-east',
        'api@us-east->db@ap-south',
        'api@us-east->db@eu-west',
        'repl@ap-south->db@eu-west',
        'repl@ap-south->db@us-east',
        'repl@eu-west->db@ap-south',
        'repl@eu-west->db@us-east',
        'repl@us-east->db@ap-south',
        'repl@us-east->db@eu-west',
      ].sort(),
    );
    expect(toxics.filter((t) => t.proxy === 'repl@eu-west->db@us-east')).toEqual([
      {
        proxy: 'repl@eu-west->db@us-east',
        toxic: {
          name: 'net-latency-upstream',
          type: 'latency',
          stream: 'upstream',
          toxicity: 1,
          attributes: { latency: 42, jitter: 0 },
        },
      },
      {
        proxy: 'repl@eu-west->db@us-east',
        toxic: {
          name: 'net-latency-downstream',
          type: 'latency',
          stream: 'downstream',
          toxicity: 1,
          attributes: { latency: 42, jitter: 0 },
        },
      },
    ]);
  });

  it('names its toxics apart from fault toxics, so heal never removes them', () => {
    for (const { toxic } of networkToxics(topology())) {
      expect(toxic.name.startsWith(NETWORK_TOXIC_PREFIX)).toBe(true);
      expect(toxic.name.startsWith(TOXIC_PREFIX)).toBe(false);
    }
  });

  it('lan and zero-latency pairs get no toxic; `links` limits the result', () => {
    expect(networkToxics(topology('lan'))).toEqual([]);
    const some = networkToxics(topology({ latency: { 'us-east<->eu-west': 0 } }));
    expect(some.some((t) => t.proxy === 'api@us-east->db@eu-west')).toBe(false);
    expect(some.some((t) => t.proxy === 'api@us-east->db@ap-south')).toBe(true);
    expect(
      networkToxics(topology(), ['router->api@us-east', 'api@us-east->db@eu-west']).map((t) => t.proxy),
    ).toEqual(['api@us-east->db@eu-west', 'api@us-east->db@eu-west']);
  });
});
