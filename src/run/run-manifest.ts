/**
 * What a run folder needs so that `chaosbank report` can re-check it when the run never wrote its
 * report.json (`kill -9`, OOM, power loss): `run.json` (the run's inputs) and `scenario.yaml` (the exact
 * scenario text), written before anything starts, and `events.ndjson`, appended as events happen.
 */
import { appendFileSync } from 'node:fs';
import { readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { StackEvent } from '../contract/events.js';
import type { HistoryFormat } from '../history/writer.js';
import type { LoadEngineName } from './options.js';

export const MANIFEST_FILE = 'run.json';
export const SCENARIO_COPY_FILE = 'scenario.yaml';
export const EVENTS_FILE = 'events.ndjson';
/**
 * History files a run may write, relative to its folder: the embedded engine's and k6's, each gzip
 * (`.gz`, the default) or plain text (`--history plain`).
 */
export const HISTORY_FILES = [
  'history.ndjson.gz',
  'history.ndjson',
  'history.k6.ndjson.gz',
  'history.k6.ndjson',
] as const;

/** The history file of one engine in one format, relative to the run folder. */
export function historyFileName(engine: 'embedded' | 'k6', format: HistoryFormat): string {
  const name = engine === 'k6' ? 'history.k6.ndjson' : 'history.ndjson';
  return format === 'gzip' ? `${name}.gz` : name;
}

/** The report's artifact key of a history file: `history` or `k6History`. */
export function historyArtifactName(file: string): 'history' | 'k6History' {
  return /history\.k6\.ndjson(\.gz)?$/.test(file) ? 'k6History' : 'history';
}

export interface RunManifest {
  manifestVersion: 1;
  runId: string;
  /** The scenario as given on the command line; its text is in scenario.yaml beside this file. */
  scenarioFile: string;
  scenarioSha256: string;
  seed: number;
  driver: string;
  loadEngine: LoadEngineName;
  /** Epoch ms. */
  startedAt: number;
}

/**
 * What an earlier run in the same folder (`--out reports/ci` every time) left and this run writes
 * again: gone before this run starts, so a run killed mid-way is never re-checked with another run's
 * ledgers or events, nor shown with another run's verdict.
 */
const PREVIOUS_RUN_FILES = [
  'report.json',
  'junit.xml',
  'summary.md',
  'report.html',
  EVENTS_FILE,
  'ledgers',
  ...HISTORY_FILES,
];

/** Start a run folder: clear what an earlier run left, then write run.json and scenario.yaml. */
export async function writeRunManifest(
  outDir: string,
  manifest: RunManifest,
  scenarioText: string,
): Promise<void> {
  for (const name of PREVIOUS_RUN_FILES) await rm(join(outDir, name), { recursive: true, force: true });
  await writeFile(join(outDir, SCENARIO_COPY_FILE), scenarioText);
  await writeFile(join(outDir, MANIFEST_FILE), `${JSON.stringify(manifest, null, 2)}\n`);
}

export async function readRunManifest(outDir: string): Promise<RunManifest | undefined> {
  let text: string;
  try {
    text = await readFile(join(outDir, MANIFEST_FILE), 'utf8');
  } catch {
    return undefined;
  }
  const value = JSON.parse(text) as Partial<RunManifest>;
  if (value.manifestVersion !== 1 || typeof value.runId !== 'string') return undefined;
  return value as RunManifest;
}

/**
 * Appends each event to `events.ndjson` as it happens. Synchronous on purpose: an event the process
 * has seen is in the file even when the process dies the next instant. The run rewrites the file with
 * every event, merged and sorted, when it ends normally.
 */
export function appendEvent(outDir: string, event: StackEvent): void {
  appendFileSync(join(outDir, EVENTS_FILE), `${JSON.stringify(event)}\n`);
}

/** The events of `events.ndjson`, sorted, without duplicates; a torn last line is skipped. */
export async function readEvents(outDir: string): Promise<StackEvent[]> {
  let text: string;
  try {
    text = await readFile(join(outDir, EVENTS_FILE), 'utf8');
  } catch {
    return [];
  }
  const seen = new Set<string>();
  const events: StackEvent[] = [];
  for (const line of text.split('\n')) {
    if (line.trim() === '' || seen.has(line)) continue;
    seen.add(line);
    try {
      events.push(JSON.parse(line) as StackEvent);
    } catch {
      // the process died while writing this line
    }
  }
  return events.sort((a, b) => a.time - b.time);
}
