/** The checkers' public API. */
export { createCheckAccumulator, checkRun, CHECKER_ANOMALIES } from './accumulator.js';
export type { CheckAccumulator, CheckRunInput } from './accumulator.js';
export { withDefaults } from './expectations.js';
export type { CheckExpectations, CheckExpectationsInput } from './expectations.js';
export { readLedgerExport, parseExportLine } from './ledger-reader.js';
export type { LedgerExportReader } from './ledger-reader.js';
export type {
  Verdict,
  Anomaly,
  AnomalySummary,
  AnomalyType,
  CheckerResult,
  WindowStat,
  RecoveryResult,
} from './verdict.js';
