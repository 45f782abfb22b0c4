/**
 * A complete scenario that sets every key once. Error messages quote from it (`e.g. attempts: 3`),
 * and a test keeps it valid and covering every key of the schema.
 */
import { IETF_STATUSES } from '../contract/stack-http.js';
import type { ScenarioInput } from './schema.js';

export const EXAMPLE_SCENARIO = {
  $schema: './schema.json',
  version: 1,
  metadata: {
    name: 'region-outage',
    description: 'The primary region is lost under load',
    owner: 'sre-payments',
    tags: ['failover'],
  },
  topology: {
    regions: ['us-east', 'eu-west', 'ap-south'],
    primary: 'us-east',
    replication: 'sync',
    network: { latency: { 'us-east<->eu-west': '40ms' }, jitter: { '*': '2ms' } },
    stack: {
      bugs: ['no-fencing'],
      failoverGrace: '2s',
      heartbeatInterval: '250ms',
      routerHealthInterval: '250ms',
      routerUnhealthyAfter: 2,
    },
  },
  load: {
    engine: 'embedded',
    rate: 150,
    stages: [{ target: 150, duration: '30s' }],
    duration: '60s',
    accounts: { count: 100, funding: 1_000_000, currency: 'USD' },
    amount: { distribution: 'uniform', min: 100, max: 10_000 },
    timeout: '2s',
    maxInFlight: 1000,
    warmUp: 200,
    retry: { attempts: 3, backoff: '100ms', maxBackoff: '2s', sameKey: true },
    mix: {
      replays: 0.05,
      concurrentDuplicates: 0.02,
      crossRegionDuplicates: 0.01,
      mismatches: 0.01,
      reads: 0.1,
    },
  },
  steadyState: { duration: '5s', successRate: 0.99, p99: '500ms', timeout: '30s' },
  faults: [
    {
      name: 'lose us-east',
      at: '20s',
      duration: '30s',
      until: 'heal',
      kind: 'region-outage',
      target: {
        region: 'us-east',
        regions: ['us-east', 'eu-west'],
        link: 'api@eu-west->db@us-east',
        component: 'api@us-east',
        direction: 'both',
      },
      params: { latency: '200ms', jitter: '50ms', rateKBps: 64, timeout: '1s', toxicity: 1, stream: 'both' },
    },
  ],
  heal: { timeout: '30s' },
  settle: { timeout: '60s' },
  gates: ['mttr_s < 30'],
  aborts: ['error_rate > 0.9 for 10s'],
  idempotency: { ...IETF_STATUSES },
  checks: { window: '250ms', recoveryHold: '5s', recoveryP99: '1s', examples: 10 },
} satisfies ScenarioInput;
