import { readFile } from 'node:fs/promises';
import net from 'node:net';
import { once } from 'node:events';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Toxiproxy } from 'toxiproxy-node-client';
import { EnvironmentError } from '../../src/contract/errors.js';
import { compileFault } from '../../src/faults/compile.js';
import { FaultInjector } from '../../src/faults/injector.js';
import { FileFaultStore } from '../../src/faults/store.js';
import { faultSchema, type FaultSpec } from '../../src/faults/spec.js';
import type { StackEvent } from '../../src/contract/events.js';
import { echoOnce, proxiesOf, startFixture, waitFor, type FaultFixture } from './helpers.js';

const fault = (input: Record<string, unknown>): FaultSpec => faultSchema.parse({ at: 0, ...input });

const OUTAGE_A = [
  'router->api@a',
  'api@a->db@a',
  'api@a->db@b',
  'api@b->db@a',
  'controller->db@a',
  'repl@a->db@b',
  'repl@b->db@a',
];
const UNTOUCHED_BY_OUTAGE_A = ['client->router', 'router->api@b', 'api@b->db@b', 'controller->db@b'];

let fx: FaultFixture;
let events: StackEvent[];
let injector: FaultInjector;

beforeEach(async () => {
  fx = await startFixture();
  events = [];
  injector = new FaultInjector({
    toxiproxyUrl: fx.toxiproxyUrl,
    topology: fx.topology,
    statePath: fx.statePath,
    onEvent: (event) => events.push(event),
  });
});

afterEach(async () => {
  await fx[Symbol.asyncDispose]();
});

describe('FaultInjector against the embedded Toxiproxy server', () => {
  it('region-outage closes open connections and refuses new ones through the region, and reverts', async () => {
    const open = net.connect({ host: '127.0.0.1', port: fx.ports['router->api@a']! });
    await once(open, 'connect');
    open.on('error', () => undefined);
    const closed = once(open, 'close');

    const before = Date.now();
    const applied = await injector.apply(fault({ kind: 'region-outage', target: { region: 'a' } }), {
      id: 'out-a',
    });
    const after = Date.now();
    expect([...applied.operations.map((op) => (op as { proxy: string }).proxy)].sort()).toEqual(
      [...OUTAGE_A].sort(),
    );

    await closed; // the open connection through the region is cut
    for (const link of OUTAGE_A) {
      const outcome = await echoOnce(fx.ports[link]!);
      expect(outcome, link).toMatchObject({ ok: false, error: 'ECONNREFUSED' });
    }
    for (const link of UNTOUCHED_BY_OUTAGE_A) expect((await echoOnce(fx.ports[link]!)).ok, link).toBe(true);

    const server = await proxiesOf(fx.toxiproxyUrl);
    expect(
      Object.entries(server)
        .filter(([, p]) => !p.enabled)
        .map(([name]) => name)
        .sort(),
    ).toEqual([...OUTAGE_A].sort());

    expect(events).toHaveLength(1);
    const [event] = events;
    expect(event!.type).toBe('fault.applied');
    expect(event!.region).toBe('a');
    expect(event!.time).toBeGreaterThanOrEqual(before);
    expect(event!.time).toBeLessThanOrEqual(after);
    expect(event!.data).toMatchObject({ id: 'out-a', kind: 'region-outage', target: 'region a', toxics: [] });
    expect((event!.data!.proxies as string[]).sort()).toEqual([...OUTAGE_A].sort());

    await injector.revert('out-a');
    for (const link of OUTAGE_A) expect((await echoOnce(fx.ports[link]!)).ok, link).toBe(true);
    expect(events.map((e) => e.type)).toEqual(['fault.applied', 'fault.reverted']);
    expect(events[1]!.time).toBeGreaterThanOrEqual(events[0]!.time);
    expect(await injector.active()).toEqual([]);
  });

  it('latency on a link delays round trips by at least the latency, and only on that link', async () => {
    const link = 'api@b->db@a';
    await injector.apply(fault({ kind: 'latency', target: { link }, params: { latency: '150ms' } }), {
      id: 'slow',
    });
    const slow = await echoOnce(fx.ports[link]!);
    expect(slow.ok).toBe(true);
    expect(slow.ms).toBeGreaterThanOrEqual(150);
    const server = await proxiesOf(fx.toxiproxyUrl);
    expect(server[link]!.toxics).toMatchObject([
      { name: 'cb-slow-latency-downstream', type: 'latency', stream: 'downstream' },
    ]);
    expect(server['api@a->db@b']!.toxics).toEqual([]);
    expect(events[0]!.data!.toxics).toEqual([
      { proxy: link, name: 'cb-slow-latency-downstream', type: 'latency', stream: 'downstream' },
    ]);
    await injector.revert('slow');
    expect((await proxiesOf(fx.toxiproxyUrl))[link]!.toxics).toEqual([]);
  });

  it('reset makes connections through the link fail with ECONNRESET', async () => {
    const link = 'client->router';
    await injector.apply(fault({ kind: 'reset', target: { link } }), { id: 'rst' });
    expect(await echoOnce(fx.ports[link]!)).toMatchObject({ ok: false, error: 'ECONNRESET' });
    await injector.revert('rst');
    expect((await echoOnce(fx.ports[link]!)).ok).toBe(true);
  });

  it('blackhole holds connections without answering until reverted', async () => {
    const link = 'router->api@b';
    await injector.apply(fault({ kind: 'blackhole', target: { link } }), { id: 'hole' });
    expect(await echoOnce(fx.ports[link]!, 300)).toMatchObject({ ok: false, error: 'TIMEOUT' });
    await injector.revert('hole');
    expect((await echoOnce(fx.ports[link]!)).ok).toBe(true);
  });

  it('apply and revert are idempotent', async () => {
    const spec = fault({ kind: 'latency', target: { region: 'b' }, params: { latency: 10 } });
    const first = await injector.apply(spec, { id: 'lat-b' });
    const again = await injector.apply(spec, { id: 'lat-b' });
    expect(again).toEqual(first);
    const server = await proxiesOf(fx.toxiproxyUrl);
    expect(server['router->api@b']!.toxics).toHaveLength(1);
    expect(events).toHaveLength(1);

    expect(await injector.revert('lat-b')).not.toBeNull();
    expect(await injector.revert('lat-b')).toBeNull();
    expect(events.map((e) => e.type)).toEqual(['fault.applied', 'fault.reverted']);
    const healed = await proxiesOf(fx.toxiproxyUrl);
    expect(Object.values(healed).every((p) => p.toxics.length === 0)).toBe(true);
  });

  it('the same id with another fault is refused', async () => {
    await injector.apply(fault({ kind: 'region-outage', target: { region: 'a' } }), { id: 'x' });
    await expect(
      injector.apply(fault({ kind: 'region-outage', target: { region: 'b' } }), { id: 'x' }),
    ).rejects.toMatchObject({ code: 'FAULT_ID_IN_USE' });
  });

  it('overlapping disables compose: a proxy stays down until the last fault holding it is reverted', async () => {
    await injector.apply(fault({ kind: 'region-outage', target: { region: 'a' } }), { id: 'outage' });
    await injector.apply(fault({ kind: 'partition', target: { regions: ['a', 'b'] } }), { id: 'split' });
    const shared = ['api@a->db@b', 'api@b->db@a', 'repl@a->db@b', 'repl@b->db@a'];

    await injector.revert('outage');
    let server = await proxiesOf(fx.toxiproxyUrl);
    for (const link of shared) expect(server[link]!.enabled, link).toBe(false);
    for (const link of ['router->api@a', 'api@a->db@a', 'controller->db@a'])
      expect(server[link]!.enabled, link).toBe(true);
    expect((await echoOnce(fx.ports['api@a->db@b']!)).ok).toBe(false);

    await injector.revert('split');
    server = await proxiesOf(fx.toxiproxyUrl);
    expect(Object.values(server).every((p) => p.enabled)).toBe(true);
    expect((await echoOnce(fx.ports['api@a->db@b']!)).ok).toBe(true);
  });

  it('healAll from a second injector (reading faults.json) removes every fault and leftover cb-* toxic', async () => {
    await injector.apply(fault({ kind: 'region-outage', target: { region: 'b' } }), { id: 'out-b' });
    await injector.apply(
      fault({ kind: 'latency', target: { link: 'client->router' }, params: { latency: 5 } }),
      {
        id: 'lat',
      },
    );
    // A toxic left by a crash before it was recorded, and one that is not ours.
    const proxy = await new Toxiproxy(fx.toxiproxyUrl).get('api@a->db@a');
    await proxy.addToxic({
      name: 'cb-orphan',
      type: 'latency',
      stream: 'upstream',
      toxicity: 1,
      attributes: { latency: 1, jitter: 0 },
    });
    await proxy.addToxic({
      name: 'someone-else',
      type: 'latency',
      stream: 'upstream',
      toxicity: 1,
      attributes: { latency: 1, jitter: 0 },
    });

    const persisted = JSON.parse(await readFile(fx.statePath, 'utf8')) as {
      faults: Array<{ id: string; status: string }>;
    };
    expect(persisted.faults.map((f) => [f.id, f.status])).toEqual([
      ['out-b', 'active'],
      ['lat', 'active'],
    ]);

    const healEvents: StackEvent[] = [];
    const fresh = new FaultInjector({
      toxiproxyUrl: fx.toxiproxyUrl,
      topology: fx.topology,
      statePath: fx.statePath,
      onEvent: (event) => healEvents.push(event),
    });
    const result = await fresh.healAll({ sweep: true, ownedProxies: fx.topology.links.map((l) => l.name) });
    expect(result.reverted).toEqual(['lat', 'out-b']);
    expect(result.removedToxics).toEqual([{ proxy: 'api@a->db@a', toxic: 'cb-orphan' }]);
    expect(healEvents.map((e) => [e.type, e.data!.id])).toEqual([
      ['fault.reverted', 'lat'],
      ['fault.reverted', 'out-b'],
    ]);

    const server = await proxiesOf(fx.toxiproxyUrl);
    expect(Object.values(server).every((p) => p.enabled)).toBe(true);
    const toxics = Object.values(server).flatMap((p) => p.toxics.map((t) => t.name));
    expect(toxics).toEqual(['someone-else']);
    expect(await fresh.active()).toEqual([]);
    expect(await injector.active()).toEqual([]);
    for (const link of Object.keys(fx.ports)) expect((await echoOnce(fx.ports[link]!)).ok, link).toBe(true);
  });

  it('an apply interrupted by a crash (record still `applying`) is healed, or completed, by a fresh injector', async () => {
    const spec = fault({ kind: 'region-outage', target: { region: 'a' } });
    const plan = compileFault(spec, fx.topology, { id: 'crashed' });
    // What a crash half-way leaves: the intent recorded, only the first proxy disabled.
    await new FileFaultStore(fx.statePath, fx.toxiproxyUrl).save([
      {
        id: 'crashed',
        kind: plan.kind,
        target: plan.target,
        status: 'applying',
        appliedAt: Date.now(),
        operations: plan.operations,
        reverts: plan.reverts,
      },
    ]);
    const first = (plan.operations[0] as { proxy: string }).proxy;
    await new Toxiproxy(fx.toxiproxyUrl)
      .get(first)
      .then((p) => p.update({ enabled: false, listen: p.listen, upstream: p.upstream }));

    const completed = await injector.apply(spec, { id: 'crashed' });
    expect(completed.status).toBe('active');
    let server = await proxiesOf(fx.toxiproxyUrl);
    expect(OUTAGE_A.every((link) => !server[link]!.enabled)).toBe(true);

    const fresh = new FaultInjector({
      toxiproxyUrl: fx.toxiproxyUrl,
      topology: fx.topology,
      statePath: fx.statePath,
    });
    expect((await fresh.healAll()).reverted).toEqual(['crashed']);
    server = await proxiesOf(fx.toxiproxyUrl);
    expect(Object.values(server).every((p) => p.enabled)).toBe(true);
  });

  it('the heal sweep re-enables owned proxies left disabled when faults.json lost them', async () => {
    await new Toxiproxy(fx.toxiproxyUrl)
      .get('router->api@a')
      .then((p) => p.update({ enabled: false, listen: p.listen, upstream: p.upstream }));
    const result = await injector.healAll({ sweep: true, ownedProxies: ['router->api@a'] });
    expect(result.enabledProxies).toEqual(['router->api@a']);
    await waitFor(
      'router->api@a to accept connections',
      async () => (await echoOnce(fx.ports['router->api@a']!)).ok,
    );
  });

  it('an unknown proxy is an EnvironmentError naming the URL, and the partial apply is rolled back', async () => {
    await new Toxiproxy(fx.toxiproxyUrl).get('repl@b->db@a').then((p) => p.remove());
    const error = await injector
      .apply(fault({ kind: 'region-outage', target: { region: 'a' } }), { id: 'broken' })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(EnvironmentError);
    expect((error as EnvironmentError).exitCode).toBe(3);
    expect((error as EnvironmentError).code).toBe('TOXIPROXY_PROXY_NOT_FOUND');
    expect((error as Error).message).toContain(fx.toxiproxyUrl);
    expect((error as Error).message).toContain('repl@b->db@a');
    const server = await proxiesOf(fx.toxiproxyUrl);
    expect(Object.values(server).every((p) => p.enabled)).toBe(true);
    expect(await injector.active()).toEqual([]);
    expect(events).toEqual([]);
  });

  it('an unreachable Toxiproxy API is an EnvironmentError naming the URL', async () => {
    const url = fx.toxiproxyUrl;
    await fx.server.close();
    const offline = new FaultInjector({ toxiproxyUrl: url, topology: fx.topology });
    const error = await offline
      .apply(fault({ kind: 'latency', target: { link: 'client->router' }, params: { latency: 1 } }))
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(EnvironmentError);
    expect((error as EnvironmentError).code).toBe('TOXIPROXY_UNREACHABLE');
    expect((error as Error).message).toContain(url);
    expect(await offline.active()).toEqual([]);
  });
});
