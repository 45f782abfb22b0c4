/**
 * A region outage cuts the region's replication links first, then the rest: were the primary's client
 * links cut first, it would stop acknowledging while its replication stream still drained, and the WAL in
 * flight (what a real outage loses) would reach the standbys. Order seen by the embedded Toxiproxy.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { FaultInjector } from '../../src/faults/injector.js';
import { faultSchema } from '../../src/faults/spec.js';
import { smallTopology, startFixture, type FaultFixture } from './helpers.js';

let fx: FaultFixture | undefined;
afterEach(async () => {
  await fx?.[Symbol.asyncDispose]();
  fx = undefined;
});

describe('region outage: the order links are cut in', () => {
  it.each(['a', 'b'])('cuts every replication link of region %s before any other link', async (region) => {
    const stopped: string[] = [];
    const topology = smallTopology(['a', 'b', 'c']);
    fx = await startFixture(topology, (record) => {
      const r = record as { event?: string; proxy?: string };
      if (r.event === 'proxy_stopped' && r.proxy !== undefined) stopped.push(r.proxy);
    });
    const injector = new FaultInjector({ toxiproxyUrl: fx.toxiproxyUrl, topology, statePath: fx.statePath });
    await injector.apply(faultSchema.parse({ at: 0, kind: 'region-outage', target: { region } }), {
      id: 'out',
    });

    const kindOf = (name: string) => topology.links.find((l) => l.name === name)!.kind;
    const expected = topology.links
      .filter((l) => l.fromRegion === region || l.toRegion === region)
      .map((l) => l.name);
    expect([...stopped].sort()).toEqual([...expected].sort());
    const replication = stopped.filter((name) => kindOf(name) === 'replication');
    expect(replication.length).toBeGreaterThan(0);
    expect(stopped.slice(0, replication.length)).toEqual(replication);
  });
});
