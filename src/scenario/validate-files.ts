/**
 * Validates scenario files and directories (every *.yaml / *.yml inside, recursively): the library
 * behind `chaosbank validate`. A path that cannot be read becomes an invalid entry, not an abort.
 */
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { ChaosbankError } from '../contract/errors.js';
import { loadScenario } from './load.js';
import type { ScenarioIssue } from './issues.js';

export interface FileValidation {
  file: string;
  valid: boolean;
  errors: ScenarioIssue[];
  warnings: ScenarioIssue[];
}

const SCENARIO_FILE = /\.ya?ml$/i;
const SKIPPED_DIRS = new Set(['node_modules', '.git']);

async function scenarioFilesIn(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true });
  const files: string[] = [];
  for (const entry of entries.sort((a, b) => a.name.localeCompare(b.name))) {
    const path = join(dir, entry.name);
    if (entry.isDirectory() && !SKIPPED_DIRS.has(entry.name)) files.push(...(await scenarioFilesIn(path)));
    else if (entry.isFile() && SCENARIO_FILE.test(entry.name)) files.push(path);
  }
  return files;
}

const fileLevel = (file: string, message: string): FileValidation => ({
  file,
  valid: false,
  errors: [{ path: '', message, file, line: 0, col: 0 }],
  warnings: [],
});

/** Expand directories, then validate every file; results in the order given (directories sorted). */
export async function validateScenarioPaths(paths: readonly string[]): Promise<FileValidation[]> {
  const results: FileValidation[] = [];
  for (const path of paths) {
    let isDirectory = false;
    try {
      isDirectory = (await stat(path)).isDirectory();
    } catch {
      // not found or unreadable: validateFile reports it with the loader's wording
    }
    if (!isDirectory) {
      results.push(await validateFile(path));
      continue;
    }
    const files = await scenarioFilesIn(path);
    if (files.length === 0)
      results.push(fileLevel(path, 'no *.yaml or *.yml scenario files in this directory'));
    for (const file of files) results.push(await validateFile(file));
  }
  return results;
}

async function validateFile(file: string): Promise<FileValidation> {
  try {
    const result = await loadScenario(file);
    return { file, valid: result.errors.length === 0, errors: result.errors, warnings: result.warnings };
  } catch (error) {
    if (error instanceof ChaosbankError) return fileLevel(file, error.message);
    throw error;
  }
}
