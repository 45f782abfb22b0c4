import { describe, expect, it } from 'vitest';
import { planTopology } from './plan.js';

const stack = {
  bugs: [],
  failoverGraceMs: 2000,
  heartbeatIntervalMs: 250,
  routerHealthIntervalMs: 250,
  routerUnhealthyAfter: 2,
};

describe('planTopology', () => {
  it('gives every link a unique proxy name and covers every region pair', () => {
    const topology = planTopology({
      runId: 'r1',
      regions: ['a', 'b', 'c'],
      primary: 'a',
      replication: 'sync',
      stack,
      accounts: { count: 10, funding: 1000, currency: 'USD' },
    });
    const names = topology.links.map((l) => l.name);
    expect(new Set(names).size).toBe(names.length);
    // 1 client + 3 router + 9 api-db + 3 controller + 6 replication
    expect(names).toHaveLength(22);
    expect(names).toContain('api@b->db@a');
    expect(names).toContain('repl@c->db@b');
    expect(topology.components.map((c) => c.id)).toEqual([
      'router',
      'controller',
      'api@a',
      'db@a',
      'api@b',
      'db@b',
      'api@c',
      'db@c',
    ]);
  });
});
