/** The run pipeline's public API. */
export { runScenario, topologyOf } from './run-scenario.js';
export type { RunOptions, RunResult, LoadEngineName } from './options.js';
export { runSummary, formatRunSummary, type RunSummary } from './summary.js';
export { decideOutcome, ungatedAnomalies, ANOMALY_METRICS } from './outcome.js';
export { evaluateGates, type GateResult } from './gates.js';
