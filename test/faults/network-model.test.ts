/**
 * The network model on a real (embedded) Toxiproxy: its latency toxics make cross-region links as slow
 * as the model says, and no heal — revert, heal of everything, or the sweep of leftover toxics — takes
 * them away: after a region outage and a latency fault are healed, the regions are as far apart as before.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Toxiproxy } from 'toxiproxy-node-client';
import { FaultInjector } from '../../src/faults/injector.js';
import { applyNetworkModel, NETWORK_TOXIC_PREFIX } from '../../src/faults/network.js';
import { faultSchema } from '../../src/faults/spec.js';
import { FALLBACK_ONE_WAY_MS } from '../../src/topology/network.js';
import { echoOnce, proxiesOf, startFixture, type FaultFixture } from './helpers.js';

/** Regions `a` and `b` are not in the published table: they get the fallback one-way latency. */
const CROSS = ['api@a->db@b', 'api@b->db@a', 'repl@a->db@b', 'repl@b->db@a'];

let fx: FaultFixture;

beforeEach(async () => {
  fx = await startFixture();
});
afterEach(async () => {
  await fx[Symbol.asyncDispose]();
});

async function networkToxicsOnServer(): Promise<Record<string, string[]>> {
  const proxies = await proxiesOf(fx.toxiproxyUrl);
  const result: Record<string, string[]> = {};
  for (const [name, proxy] of Object.entries(proxies)) {
    const names = proxy.toxics.map((t) => t.name).filter((n) => n.startsWith(NETWORK_TOXIC_PREFIX));
    if (names.length > 0) result[name] = names.sort();
  }
  return result;
}

const BOTH = ['net-latency-downstream', 'net-latency-upstream'];
const EXPECTED = Object.fromEntries(CROSS.map((link) => [link, BOTH]));

describe('the network model on the embedded Toxiproxy', () => {
  it('delays every cross-region link by the round trip, and no other link', async () => {
    expect(await applyNetworkModel(fx.toxiproxyUrl, fx.topology)).toBe(CROSS.length * 2);
    expect(await networkToxicsOnServer()).toEqual(EXPECTED);
    // applying again changes nothing
    await applyNetworkModel(fx.toxiproxyUrl, fx.topology);
    expect(await networkToxicsOnServer()).toEqual(EXPECTED);

    const across = await echoOnce(fx.ports['api@a->db@b']!);
    expect(across.ok).toBe(true);
    expect(across.ms).toBeGreaterThanOrEqual(2 * FALLBACK_ONE_WAY_MS - 1);
    const local = await echoOnce(fx.ports['api@a->db@a']!);
    expect(local.ok).toBe(true);
  });

  it('survives a healed outage and latency fault, and the sweep of leftover fault toxics', async () => {
    await applyNetworkModel(fx.toxiproxyUrl, fx.topology);
    const injector = new FaultInjector({
      toxiproxyUrl: fx.toxiproxyUrl,
      topology: fx.topology,
      statePath: fx.statePath,
    });
    await injector.apply(faultSchema.parse({ at: 0, kind: 'region-outage', target: { region: 'a' } }), {
      id: 'out-a',
    });
    await injector.apply(
      faultSchema.parse({
        at: 0,
        kind: 'latency',
        target: { regions: ['a', 'b'] },
        params: { latency: '300ms', stream: 'both' },
      }),
      { id: 'slow' },
    );
    // a leftover fault toxic from a crashed run, unknown to faults.json
    await (
      await new Toxiproxy(fx.toxiproxyUrl).get('repl@b->db@a')
    ).addToxic({
      name: 'cb-crashed-latency-downstream',
      type: 'latency',
      stream: 'downstream',
      toxicity: 1,
      attributes: { latency: 1000, jitter: 0 },
    });

    const healed = await injector.healAll({
      sweep: true,
      ownedProxies: fx.topology.links.map((l) => l.name),
    });
    expect(healed.reverted.sort()).toEqual(['out-a', 'slow']);
    expect(healed.removedToxics).toEqual([{ proxy: 'repl@b->db@a', toxic: 'cb-crashed-latency-downstream' }]);

    const proxies = await proxiesOf(fx.toxiproxyUrl);
    expect(Object.values(proxies).every((p) => p.enabled)).toBe(true);
    expect(
      Object.values(proxies)
        .flatMap((p) => p.toxics.map((t) => t.name))
        .filter((n) => n.startsWith('cb-')),
    ).toEqual([]);
    expect(await networkToxicsOnServer()).toEqual(EXPECTED);
    const across = await echoOnce(fx.ports['repl@b->db@a']!);
    expect(across.ok).toBe(true);
    expect(across.ms).toBeGreaterThanOrEqual(2 * FALLBACK_ONE_WAY_MS - 1);
  });
});
