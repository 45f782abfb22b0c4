import { describe, expect, it } from 'vitest';
import { recordToEvent } from './events.js';
import { describeThisProcess } from './proc.js';
import { parseHostPort } from './proxies.js';
import { toStackStatus } from './status.js';
import { topologyFromFlags } from '../../src/scenario/topology-from-flags.js';

describe('toStackStatus', () => {
  const topology = topologyFromFlags({ runId: 'r', regions: ['a', 'b'] });
  it('maps the controller and router status endpoints', () => {
    const s = toStackStatus(
      {
        primary: 'b',
        epoch: 3,
        regions: [
          { region: 'a', role: 'fenced', lagBytes: null },
          { region: 'b', role: 'primary', lagBytes: 0 },
        ],
      },
      { active: 'b' },
      topology,
    );
    expect(s).toEqual({
      primary: 'b',
      epoch: 3,
      routerActive: 'b',
      regions: [
        { region: 'a', role: 'fenced', lagBytes: null },
        { region: 'b', role: 'primary', lagBytes: 0 },
      ],
    });
  });

  it("passes on whether a standby counts for the synchronous quorum (sync mode's `synchronous`)", () => {
    const regions = (synchronous: unknown) =>
      toStackStatus(
        {
          primary: 'b',
          epoch: 2,
          regions: [
            { region: 'a', role: 'standby', lagBytes: 0, synchronous },
            { region: 'b', role: 'primary', lagBytes: 0 },
          ],
        },
        { active: 'b' },
        topology,
      ).regions;
    expect(regions(true)[0]).toEqual({ region: 'a', role: 'standby', lagBytes: 0, synchronous: true });
    expect(regions(false)[0]).toEqual({ region: 'a', role: 'standby', lagBytes: 0, synchronous: false });
    expect(regions(undefined)[0]).toEqual({ region: 'a', role: 'standby', lagBytes: 0 });
  });
});

describe('recordToEvent', () => {
  it('turns a log record with `event` into a StackEvent with its fields as data', () => {
    const e = recordToEvent(
      {
        time: '2026-01-01T00:00:00Z',
        msg: 'promoted',
        event: 'failover.promoted',
        eventTime: 42,
        component: 'controller',
        epoch: 2,
      },
      'controller',
    );
    expect(e).toEqual({
      time: 42,
      type: 'failover.promoted',
      component: 'controller',
      data: { epoch: 2, msg: 'promoted' },
    });
    expect(recordToEvent({ msg: 'listening' }, 'api@a')).toBeNull();
  });
});

describe('parseHostPort', () => {
  it('reads Toxiproxy listen strings', () => {
    expect(parseHostPort('127.0.2.1:4321')).toEqual({ host: '127.0.2.1', port: 4321 });
    expect(parseHostPort('[::1]:80')).toEqual({ host: '::1', port: 80 });
  });
});

describe('describeThisProcess (how status names a stack owner)', () => {
  it.each([
    [['/usr/bin/node', '/x/dist/drivers/local/supervisor.js', '--spec', 's.json'], 'supervisor pid 7'],
    [['/usr/bin/node', '/x/bin/chaosbank.js', 'run', 'a.yaml'], 'pid 7 (chaosbank run)'],
    [['/usr/bin/node', '/x/bin/chaosbank.js'], 'pid 7 (chaosbank)'],
    [['/usr/bin/node', '/x/vitest/dist/workers/forks.js'], 'pid 7 (forks.js)'],
  ])('%j -> %s', (argv, expected) => {
    expect(describeThisProcess(argv, 7)).toBe(expected);
  });
});
