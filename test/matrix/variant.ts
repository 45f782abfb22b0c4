/**
 * Writes a variant of a scenario file into a temp folder: the same YAML with the seeded bugs and/or the
 * replication mode replaced (the correct twin is `bugs: []`). Comments and everything else stay as
 * written, so the variant differs from the original in exactly those fields.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { parseDocument } from 'yaml';
import type { SeededBug } from '../../src/contract/seeded-bugs.js';
import type { Replication } from '../../src/contract/topology.js';

export interface VariantEdit {
  bugs?: SeededBug[];
  replication?: Replication;
  /** Suffix of the written file's name, e.g. `twin`. */
  label: string;
}

export async function writeVariant(scenarioPath: string, dir: string, edit: VariantEdit): Promise<string> {
  const document = parseDocument(await readFile(scenarioPath, 'utf8'));
  if (document.errors.length > 0) throw new Error(`${scenarioPath}: ${document.errors[0]!.message}`);
  if (edit.bugs !== undefined) document.setIn(['topology', 'stack', 'bugs'], edit.bugs);
  if (edit.replication !== undefined) document.setIn(['topology', 'replication'], edit.replication);
  const name = `${basename(scenarioPath, '.yaml')}.${edit.label}.yaml`;
  document.setIn(['metadata', 'name'], `${String(document.getIn(['metadata', 'name']))}-${edit.label}`);
  const path = join(dir, name);
  await writeFile(path, document.toString());
  return path;
}
