/**
 * A small but complete RunReport built from numbers, for reporter tests and for previewing the HTML
 * report without running a stack (`node dist/src/report/sample-report.js > /tmp/sample.json`).
 */
import type { RunReport } from '../run/run-report.js';
import type { WindowStat } from '../checks/verdict.js';
import type { StackEvent } from '../contract/events.js';

/** The 11 links a region-outage of us-east takes down (toxiproxy proxy names). */
const US_EAST_LINKS = [
  'client-router',
  'router-api-us-east',
  'api-us-east-db-us-east',
  'api-eu-west-db-us-east',
  'api-ap-south-db-us-east',
  'replication-eu-west-us-east',
  'replication-ap-south-us-east',
  'controller-db-us-east',
  'controller-api-us-east',
  'router-health-us-east',
  'api-us-east-db-eu-west',
];

/** A fault event as the injector emits it: proxy names, toxics, scheduled and applied instants. */
function faultEvent(
  type: 'fault.applied' | 'fault.reverted',
  time: number,
  scheduledAt: number,
  appliedAt: number,
): StackEvent {
  return {
    time,
    type,
    region: 'us-east',
    data: {
      id: 'f1',
      kind: 'region-outage',
      target: 'region us-east',
      proxies: US_EAST_LINKS,
      toxics: [],
      disabled: US_EAST_LINKS,
      processes: [],
      scheduledAt,
      appliedAt,
      ...(type === 'fault.reverted' ? { revertedAt: time } : {}),
    },
  };
}

export function sampleReport(overrides: { failGate?: boolean; start?: number } = {}): RunReport {
  const start = overrides.start ?? Date.parse('2026-11-22T10:00:00Z');
  const windows: WindowStat[] = [];
  for (let i = 0; i < 160; i++) {
    const t = start + i * 250;
    const down = i >= 60 && i < 90;
    windows.push({
      start: t,
      ok: down ? 2 : 50,
      fail: 0,
      info: down ? 48 : 0,
      declines: 1,
      successRate: down ? 0.04 : 1,
      p99Ms: down ? 2000 : 40 + (i % 7),
      byRegion: i < 75 ? { 'us-east': 50 } : { 'eu-west': 45, 'ap-south': 5 },
    });
  }
  const failed = overrides.failGate === true;
  return {
    schemaVersion: 1,
    kind: 'run',
    run: {
      id: '20261122-100000-sample',
      scenario: { name: 'region-outage', file: 'scenarios/region-outage.yaml', sha256: 'abc123' },
      seed: 42,
      driver: 'local',
      startedAt: new Date(start).toISOString(),
      endedAt: new Date(start + 40_000).toISOString(),
      durationMs: 40_000,
      status: failed ? 'failed' : 'passed',
      exitCode: failed ? 1 : 0,
      versions: { chaosbank: '0.1.0', node: 'v20.20.2' },
      host: { hostname: 'ci', platform: 'linux', arch: 'x64', cpus: 2 },
    },
    topology: {
      regions: ['us-east', 'eu-west', 'ap-south'],
      primary: 'us-east',
      replication: 'sync',
      bugs: [],
    },
    load: {
      plannedRate: 200,
      achievedRate: 199.6,
      attempts: 8000,
      ok: 6600,
      fail: 160,
      info: 1240,
      dropped: 0,
    },
    phases: [
      { name: 'steady-state', start, end: start + 5000 },
      { name: 'load', start: start + 5000, end: start + 40_000 },
    ],
    faults: [
      {
        id: 'f1',
        kind: 'region-outage',
        target: { region: 'us-east' },
        scheduledAt: start + 15_000,
        appliedAt: start + 15_012,
        revertedAt: start + 30_000,
      },
    ],
    events: [
      faultEvent('fault.applied', start + 15_012, start + 15_000, start + 15_012),
      { time: start + 17_000, type: 'failover.detected', component: 'controller', region: 'us-east' },
      {
        time: start + 18_000,
        type: 'failover.promoted',
        component: 'controller',
        region: 'eu-west',
        data: { epoch: 2 },
      },
      {
        time: start + 18_700,
        type: 'router.switch',
        component: 'router',
        data: { from: 'us-east', to: 'eu-west' },
      },
      faultEvent('fault.reverted', start + 30_000, start + 30_000, start + 15_012),
    ],
    verdict: {
      passed: !failed,
      checkers: [
        { name: 'idempotency', passed: true, summary: 'no key applied twice', anomalies: [] },
        {
          name: 'rpo',
          passed: !failed,
          summary: failed ? '1 acknowledged payment lost' : 'every acknowledged payment is durable',
          anomalies: failed
            ? [
                {
                  type: 'lost-write',
                  count: 1,
                  examples: [
                    {
                      type: 'lost-write',
                      message: 'payment acknowledged at t+14.9s is missing from the ledger <after failover>',
                      key: 'k-1',
                      evidence: {
                        key: 'k-1',
                        attempts: [
                          {
                            seq: 4711,
                            kind: 'first',
                            target: 'router',
                            intendedStart: new Date(start + 14_880).toISOString(),
                            start: new Date(start + 14_881).toISOString(),
                            end: new Date(start + 14_923).toISOString(),
                            status: 201,
                            outcome: 'ok',
                            servedBy: 'us-east',
                            epoch: 1,
                          },
                        ],
                        ledger: [],
                      },
                    },
                  ],
                },
              ]
            : [],
        },
      ],
      metrics: {
        mttr_s: 7.5,
        outage_s: 7.5,
        detection_s: 2,
        rpo_s: failed ? 0.1 : 0,
        success_rate: 0.84,
        p99_ms: 2000,
        duplicates: 0,
        lost_writes: failed ? 1 : 0,
        anomalies: failed ? 1 : 0,
        attempts: 8000,
        dropped: 0,
        payments: 6000,
        payments_succeeded: 5900,
        payments_declined: 60,
        unresolved_payments: 40,
        attempts_per_payment: 8000 / 6000,
      },
      windows,
      recovery: {
        tFault: start + 15_000,
        tImpact: start + 15_000,
        tRecovered: start + 22_500,
        baseline: 1,
        threshold: 0.99,
        recovered: true,
      },
    },
    gates: [
      {
        gate: 'mttr_s < 30',
        metric: 'mttr_s',
        op: '<',
        threshold: 30,
        actual: 7.5,
        passed: true,
        reason: '',
      },
      {
        gate: 'lost_writes == 0',
        metric: 'lost_writes',
        op: '==',
        threshold: 0,
        actual: failed ? 1 : 0,
        passed: !failed,
        reason: failed ? 'lost_writes was 1, expected == 0' : '',
      },
    ],
    artifacts: { history: 'history.ndjson' },
  };
}
