/**
 * The sensitivity matrix: for every seeded bug of the reference stack, the scenario that must expose it,
 * the anomaly (and gate metric) it must produce, and the checker that reports it. The correct twin of a
 * row is the same scenario with `bugs: []`.
 */
import type { MetricName } from '../../src/checks/metrics-catalog.js';
import type { AnomalyType } from '../../src/checks/verdict.js';
import type { SeededBug } from '../../src/contract/seeded-bugs.js';

export interface MatrixRow {
  bug: SeededBug;
  /** Path from the repository root. */
  scenario: string;
  anomaly: AnomalyType;
  metric: MetricName;
  checker: string;
  /**
   * Anomalies the correct twin may legitimately show under this row's faults, with why. Only the async
   * no-fencing row has any: async replication's RPO (writes acknowledged inside the lease window).
   */
  twinTolerates?: { anomalies: AnomalyType[]; why: string };
}

export const MATRIX: readonly MatrixRow[] = [
  {
    bug: 'idempotency-race',
    scenario: 'scenarios/bugs/idempotency-race.yaml',
    anomaly: 'duplicate-application',
    metric: 'duplicates',
    checker: 'idempotency',
  },
  {
    bug: 'idempotency-outside-tx',
    scenario: 'scenarios/bugs/idempotency-outside-tx.yaml',
    anomaly: 'duplicate-application',
    metric: 'duplicates',
    checker: 'idempotency',
  },
  {
    bug: 'split-debit-credit',
    scenario: 'scenarios/bugs/split-debit-credit.yaml',
    anomaly: 'unbalanced-entry',
    metric: 'unbalanced_entries',
    checker: 'ledger',
  },
  {
    bug: 'no-overdraft-check',
    scenario: 'scenarios/bugs/no-overdraft-check.yaml',
    anomaly: 'negative-balance',
    metric: 'negative_balances',
    checker: 'ledger',
  },
  {
    bug: 'local-idempotency-cache',
    scenario: 'scenarios/bugs/local-idempotency-cache.yaml',
    anomaly: 'cross-region-duplicate',
    metric: 'cross_region_duplicates',
    checker: 'idempotency',
  },
  {
    bug: 'ack-before-commit',
    scenario: 'scenarios/bugs/ack-before-commit.yaml',
    anomaly: 'lost-write',
    metric: 'lost_writes',
    checker: 'rpo',
  },
  {
    bug: 'no-fencing',
    scenario: 'scenarios/bugs/no-fencing.yaml',
    anomaly: 'split-brain',
    metric: 'split_brain',
    checker: 'split-brain',
    twinTolerates: {
      anomalies: ['lost-write', 'balance-bounds'],
      why: 'async replication: writes the isolated primary acknowledged inside its lease window are lost at failover (RPO > 0 by design; balance-bounds names the accounts they touched)',
    },
  },
];

/** The sync-vs-async RPO rows: WAL stream stalled 2 s, then the primary region is lost (correct stack). */
export const RPO_SCENARIO = 'test/matrix/fixtures/primary-region-outage.yaml';
