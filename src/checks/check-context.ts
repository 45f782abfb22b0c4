/** Everything the checkers read at finish time: the compact stores, the events and the expectations. */
import type { StackEvent } from '../contract/events.js';
import type { AnomalyCollector } from './anomaly-collector.js';
import type { AttemptStore, KeyTable } from './attempt-store.js';
import type { Interner } from './compact.js';
import type { CheckExpectations } from './expectations.js';
import type { KeyFacts } from './key-facts.js';
import type { RegionLedger } from './ledger-store.js';

export interface CheckContext {
  expectations: CheckExpectations;
  attempts: AttemptStore;
  keys: KeyTable;
  accounts: Interner;
  names: Interner;
  /** Ledger exports by region. */
  ledgers: Map<string, RegionLedger>;
  /** The authoritative region's ledger, when it was exported. */
  authority: RegionLedger | undefined;
  /** Events sorted by time. */
  events: StackEvent[];
  facts: KeyFacts;
  collector: AnomalyCollector;
}
