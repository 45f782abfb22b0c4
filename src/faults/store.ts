/**
 * Where applied faults are remembered: `faults.json` in the run directory, so `chaosbank heal` (or
 * `status`) in a fresh process knows what chaosbank changed, even after a crash. Writes are atomic
 * (temp file + rename); readers never see half a file.
 */
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { EnvironmentError } from '../contract/errors.js';
import type { FaultKind } from './spec.js';
import type { FaultOperation, RevertOperation } from './plan.js';

export const FAULTS_FILE = 'faults.json';

export interface AppliedFault {
  id: string;
  kind: FaultKind;
  target: string;
  region?: string;
  component?: string;
  /** `applying` until every operation succeeded: a crash in between leaves it for heal to undo. */
  status: 'applying' | 'active';
  /** Epoch ms when the fault was meant to take effect (its `at` on the run's timeline, or the request). */
  scheduledAt?: number;
  /** Epoch ms when the fault took effect (its last change made; when it started applying, while `applying`). */
  appliedAt: number;
  /** Operations with every component resolved (the primary db of a primary-db-kill, for example). */
  operations: FaultOperation[];
  reverts: RevertOperation[];
}

export interface FaultsFile {
  version: 1;
  toxiproxyUrl: string;
  faults: AppliedFault[];
}

export interface FaultStore {
  load(): Promise<AppliedFault[]>;
  save(faults: AppliedFault[]): Promise<void>;
}

export function faultsPath(runDir: string): string {
  return join(runDir, FAULTS_FILE);
}

/** Read the faults file; an absent file means no faults. */
export async function readFaultsFile(path: string): Promise<FaultsFile | null> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw new EnvironmentError('FAULTS_FILE_UNREADABLE', `cannot read ${path}`, { cause: error });
  }
  try {
    const parsed = JSON.parse(text) as Partial<FaultsFile>;
    if (parsed.version !== 1 || !Array.isArray(parsed.faults)) throw new Error('not a chaosbank faults file');
    return parsed as FaultsFile;
  } catch (error) {
    throw new EnvironmentError('FAULTS_FILE_CORRUPT', `${path} is not a valid faults file`, {
      cause: error,
      details: [
        'Heal with `chaosbank heal` after removing it: leftover `cb-*` toxics are still found and removed.',
      ],
    });
  }
}

export class FileFaultStore implements FaultStore {
  constructor(
    readonly path: string,
    private readonly toxiproxyUrl: string,
  ) {}

  async load(): Promise<AppliedFault[]> {
    return (await readFaultsFile(this.path))?.faults ?? [];
  }

  async save(faults: AppliedFault[]): Promise<void> {
    const file: FaultsFile = { version: 1, toxiproxyUrl: this.toxiproxyUrl, faults };
    const temp = `${this.path}.${process.pid}.tmp`;
    try {
      await mkdir(dirname(this.path), { recursive: true });
      await writeFile(temp, `${JSON.stringify(file, null, 2)}\n`);
      await rename(temp, this.path);
    } catch (error) {
      throw new EnvironmentError('FAULTS_FILE_UNWRITABLE', `cannot write ${this.path}`, { cause: error });
    }
  }
}

export class MemoryFaultStore implements FaultStore {
  private faults: AppliedFault[] = [];

  load(): Promise<AppliedFault[]> {
    return Promise.resolve(structuredClone(this.faults));
  }

  save(faults: AppliedFault[]): Promise<void> {
    this.faults = structuredClone(faults);
    return Promise.resolve();
  }
}
