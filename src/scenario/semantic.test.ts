import { describe, expect, it } from 'vitest';
import { parseScenario } from './load.js';

/** Scenario text with the given faults (YAML flow mappings) on three regions and 60 s of load. */
function withFaults(...faults: string[]): string {
  return [
    'metadata: { name: t }',
    'load: { rate: 100, duration: 60s }',
    'faults:',
    ...faults.map((fault) => `  - ${fault}`),
  ].join('\n');
}
const errorsOf = (text: string): string[] =>
  parseScenario(text, 't.yaml').errors.map((e) => `${e.path}: ${e.message}`);
const warningsOf = (text: string): string[] =>
  parseScenario(text, 't.yaml').warnings.map((e) => `${e.path}: ${e.message}`);

describe('fault kinds against targets', () => {
  it.each([
    ['{at: 10s, kind: region-outage, target: {region: us-east}}'],
    ['{at: 10s, kind: partition, target: {regions: [us-east, eu-west], direction: one-way}}'],
    ['{at: 10s, kind: latency, target: {link: "api@us-east->db@eu-west"}, params: {latency: 100ms}}'],
    ['{at: 10s, kind: bandwidth, target: {region: eu-west}, params: {rateKBps: 10}}'],
    ['{at: 10s, kind: process-pause, target: {component: db@ap-south}}'],
    ['{at: 10s, kind: process-restart, target: {component: router}}'],
    ['{at: 10s, kind: primary-db-kill}'],
    ['{at: 10s, kind: reset, target: {link: "repl@eu-west->db@us-east"}}'],
  ])('accepts %s', (fault) => {
    expect(errorsOf(withFaults(fault))).toEqual([]);
  });

  it.each([
    ['{at: 10s, kind: region-outage}', 'faults.0.target: region-outage needs a target: `region`'],
    [
      '{at: 10s, kind: partition, target: {regions: [us-east, us-east]}}',
      'faults.0.target.regions: the two regions must differ',
    ],
    ['{at: 10s, kind: partition, target: {region: us-east}}', 'does not take a `region` target'],
    ['{at: 10s, kind: process-kill, target: {region: us-east}}', 'does not take a `region` target'],
    ['{at: 10s, kind: latency, target: {region: us-east}}', 'latency needs `params.latency`'],
    ['{at: 10s, kind: bandwidth, target: {region: us-east}}', 'bandwidth needs `params.rateKBps`'],
    ['{at: 10s, kind: primary-db-kill, target: {region: us-east}}', 'takes no target'],
    ['{at: 10s, kind: reset, target: {region: us-east, link: "router->api@us-east"}}', 'give one target'],
    [
      '{at: 10s, kind: reset, target: {region: us-east, direction: one-way}}',
      'only applies to a pair of `regions`',
    ],
    ['{at: 10s, kind: reset, target: {component: "api@mars"}}', 'unknown component `api@mars`'],
    ['{at: 10s, kind: reset, target: {link: "router->api@mars"}}', 'unknown link'],
    ['{at: 10s, duration: 5s, until: heal, kind: primary-db-kill}', 'either `duration` or `until: heal`'],
    ['{at: 60s, kind: primary-db-kill}', 'the load ends at 1m'],
  ])('rejects %s', (fault, fragment) => {
    const errors = errorsOf(withFaults(fault));
    expect(
      errors.some((e) => e.includes(fragment)),
      errors.join('\n'),
    ).toBe(true);
  });

  it('warns about faults outlasting the load', () => {
    const warnings = warningsOf(
      withFaults('{at: 50s, duration: 20s, kind: region-outage, target: {region: us-east}}'),
    );
    expect(warnings).toEqual([expect.stringContaining('faults.0.duration: the fault lasts until 70s')]);
  });

  it('rejects params the kind does not use, as the fault compiler does', () => {
    expect(
      errorsOf(
        withFaults('{at: 10s, kind: region-outage, target: {region: us-east}, params: {latency: 1s}}'),
      ),
    ).toEqual([expect.stringContaining('faults.0.params.latency: region-outage does not take `latency`')]);
    expect(
      errorsOf(
        withFaults('{at: 10s, kind: latency, target: {region: us-east}, params: {latency: 1s, rateKBps: 5}}'),
      ),
    ).toEqual([
      expect.stringContaining(
        'faults.0.params.rateKBps: latency does not take `rateKBps` (it uses latency, jitter',
      ),
    ]);
  });

  it('warns when there is too little baseline before the first fault', () => {
    expect(warningsOf(withFaults('{at: 1s, duration: 5s, kind: primary-db-kill}'))).toEqual([
      expect.stringContaining('faults.0.at: the first fault starts 1s into the load'),
    ]);
  });
});

describe('overlapping faults', () => {
  const outage = (at: string, duration?: string): string =>
    `{at: ${at}, ${duration ? `duration: ${duration}, ` : ''}kind: region-outage, target: {region: us-east}}`;

  it('rejects the same kind on the same target at once, also when the first lasts until heal', () => {
    expect(errorsOf(withFaults(outage('10s', '10s'), outage('15s', '10s')))).toEqual([
      expect.stringContaining(
        'faults.1.at: faults.1 (region-outage) overlaps faults.0 (region-outage): the same region-outage',
      ),
    ]);
    expect(errorsOf(withFaults(outage('10s'), outage('40s', '5s')))).toHaveLength(1);
  });

  it('accepts back-to-back windows', () => {
    expect(errorsOf(withFaults(outage('10s', '10s'), outage('20s', '10s')))).toEqual([]);
  });

  it('rejects an outage and an isolation of one region at once', () => {
    const isolation = '{at: 12s, duration: 2s, kind: region-isolation, target: {region: us-east}}';
    expect(errorsOf(withFaults(outage('10s', '10s'), isolation))).toEqual([
      expect.stringContaining('contradict'),
    ]);
  });

  it('rejects two process faults on one component at once', () => {
    const kill = '{at: 10s, duration: 10s, kind: process-kill, target: {component: api@eu-west}}';
    const pause = '{at: 15s, duration: 10s, kind: process-pause, target: {component: api@eu-west}}';
    expect(errorsOf(withFaults(kill, pause))).toEqual([expect.stringContaining('contradict')]);
  });

  it('only warns when another fault touches a region that is out', () => {
    const latency =
      '{at: 12s, duration: 5s, kind: latency, target: {link: "api@eu-west->db@us-east"}, params: {latency: 50ms}}';
    const text = withFaults(outage('10s', '10s'), latency);
    expect(errorsOf(text)).toEqual([]);
    expect(warningsOf(text)).toEqual([expect.stringContaining('region us-east is out meanwhile')]);
  });
});

describe('load, topology, idempotency and gates', () => {
  const base = (load: string, extra = ''): string => `metadata: { name: t }\nload: ${load}\n${extra}`;

  it('takes `rate` with `stages` as the rate the first stage ramps from, as the docs say (k6 startRate)', () => {
    const { value, errors } = parseScenario(
      base('{rate: 20, stages: [{target: 100, duration: 10s}, {target: 0, duration: 5s}]}'),
      't.yaml',
    );
    expect(errors).toEqual([]);
    expect(value!.load).toMatchObject({ rate: 20, stages: [{ target: 100 }, { target: 0 }] });
    expect(value!.load.duration).toBeUndefined();
    // Ramping down from a start rate to 0 still sends load; with no start rate it would not.
    expect(errorsOf(base('{rate: 20, stages: [{target: 0, duration: 10s}]}'))).toEqual([]);
    expect(errorsOf(base('{stages: [{target: 0, duration: 10s}]}'))).toEqual([
      'load.stages: every stage targets 0 requests/s: no load would be sent',
    ]);
  });

  it.each([
    [
      '{rate: 10, duration: 10s, mix: {replays: 0.5, reads: 0.6}}',
      '',
      'load.mix: the mix shares add up to 1.1',
    ],
    ['{stages: [{target: 10, duration: 10s}], duration: 10s}', '', 'load.duration: with `stages`'],
    ['{stages: [{target: 0, duration: 10s}]}', '', 'every stage targets 0'],
    ['{stages: [{target: 5, duration: 0s}]}', '', 'the load lasts 0s'],
    [
      '{rate: 10, duration: 10s, amount: {min: 500, max: 100}}',
      '',
      'amount.min (500) is above amount.max (100)',
    ],
    [
      '{rate: 10, duration: 10s, retry: {backoff: 5s, maxBackoff: 1s}}',
      '',
      'backoff (5s) is above maxBackoff (1s)',
    ],
    ['{rate: 10, duration: 10s}', 'topology: {regions: [a, b], primary: c}', 'primary `c` is not one of'],
    ['{rate: 10, duration: 10s}', 'topology: {regions: [a, b, a]}', 'region `a` is listed twice'],
    [
      '{rate: 10, duration: 10s, mix: {crossRegionDuplicates: 0.1}}',
      'topology: {regions: [a]}',
      'need at least two regions',
    ],
    [
      '{rate: 10, duration: 10s}',
      'idempotency: {mismatch: 409}',
      'idempotency.inFlight: status 409 is also used for `mismatch`',
    ],
    ['{rate: 10, duration: 10s}', 'gates: [succes_rate > 0.9]', 'did you mean `success_rate`?'],
    ['{rate: 10, duration: 10s}', 'aborts: [error_rate > 0.5 for soon]', '`for soon` is not a duration'],
  ])('rejects load %s %s', (load, extra, fragment) => {
    const errors = errorsOf(base(load, extra));
    expect(
      errors.some((e) => e.includes(fragment)),
      errors.join('\n'),
    ).toBe(true);
  });

  it('sums ramp stages to find when the load ends', () => {
    const text = base(
      '{stages: [{target: 50, duration: 10s}, {target: 100, duration: 20s}]}',
      'faults: [{at: 29s, kind: primary-db-kill}]',
    );
    expect(errorsOf(text)).toEqual([]);
    const late = base(
      '{stages: [{target: 50, duration: 10s}, {target: 100, duration: 20s}]}',
      'faults: [{at: 30s, kind: primary-db-kill}]',
    );
    expect(errorsOf(late)).toEqual([expect.stringContaining('the load ends at 30s')]);
  });
});

describe('topology.network', () => {
  const withNetwork = (network: string): string =>
    [
      'metadata: { name: t }',
      'load: { rate: 100, duration: 60s }',
      'topology:',
      `  network: ${network}`,
    ].join('\n');

  it.each([['lan'], ['wan'], ['{ latency: { us-east<->eu-west: 40ms, "*": 60ms }, jitter: { "*": 5ms } }']])(
    'accepts %s',
    (network) => {
      expect(errorsOf(withNetwork(network))).toEqual([]);
    },
  );

  it('parses per-pair overrides into milliseconds', () => {
    const { value } = parseScenario(withNetwork('{ latency: { eu-west<->ap-south: 1s } }'), 't.yaml');
    expect(value?.topology.network).toEqual({ latency: { 'eu-west<->ap-south': 1000 } });
  });

  it.each([
    [
      '{ latency: { us-east<->eu-wst: 40ms } }',
      'topology.network.latency.us-east<->eu-wst: region `eu-wst` is not one of topology.regions [us-east, eu-west, ap-south] (did you mean `eu-west`?)',
    ],
    [
      '{ jitter: { us-east<->us-east: 5ms } }',
      'topology.network.jitter.us-east<->us-east: names us-east twice: a pair is two different regions',
    ],
    [
      '{ latency: { us-east<->eu-west: 40ms, eu-west<->us-east: 50ms } }',
      'topology.network.latency.eu-west<->us-east: the same pair as `us-east<->eu-west`: give each pair once',
    ],
    [
      '{ latency: { us-east-eu-west: 40ms } }',
      'topology.network.latency.us-east-eu-west: a region pair such as us-east<->eu-west, or * for every other pair',
    ],
    [
      '{ latency: { us-east<->eu-west: fast } }',
      'topology.network.latency.us-east<->eu-west: expected a duration such as 500ms, 30s or 2m',
    ],
    [
      '{ latncy: { us-east<->eu-west: 40ms } }',
      'topology.network.latncy: unknown key (did you mean `latency`?)',
    ],
    ['lam', 'topology.network: expected `wan`, `lan` or a mapping'],
  ])('rejects %s', (network, message) => {
    expect(errorsOf(withNetwork(network)).join('\n')).toContain(message);
  });
});
