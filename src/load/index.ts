/** Public API of the load part: engine, workload, history (write/read), progress, k6 runner. */
export { LoadEngine, runLoad } from './engine.js';
export type { LoadEngineOptions, LoadSummary, LoadTargets, PaymentCounts } from './engine.js';
export { HistoryWriter } from './history-writer.js';
export type { AttemptSink } from './history-writer.js';
export { readHistory, readHistoryArray, readHistoryBatches } from './history-reader.js';
export type { ReadHistoryOptions } from './history-reader.js';
export { encodeAttempt, decodeLine, formatRfc3339, parseRfc3339 } from './history-codec.js';
export { ProgressReporter, formatProgressLine } from './progress.js';
export type { ProgressMode, ProgressOptions, ProgressStatus } from './progress.js';
export { LoadStats } from './stats.js';
export type { IntervalSnapshot, LatencySummary } from './stats.js';
export { ArrivalSchedule } from './schedule.js';
export { PaymentWorkload, accountId, backoffMs } from './workload.js';
export { findK6, requireK6, runK6, runK6Load, k6Environment, defaultK6Script } from './k6-runner.js';
export type { K6RunOptions, K6RunResult } from './k6-runner.js';
