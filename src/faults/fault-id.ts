/**
 * Fault ids name toxics (`cb-<id>-...`) and appear in Toxiproxy API paths, so they are restricted to
 * URL-safe characters.
 */
import { InputError } from '../contract/errors.js';
import type { FaultSpec } from './spec.js';

const FAULT_ID = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;

export function assertFaultId(id: string): string {
  if (!FAULT_ID.test(id))
    throw new InputError(
      'FAULT_BAD_ID',
      `invalid fault id \`${id}\`: use 1-64 letters, digits, \`.\`, \`_\` or \`-\`, starting with a letter or digit`,
    );
  return id;
}

function slug(text: string): string {
  return text
    .toLowerCase()
    .replace(/[^a-z0-9_.-]+/g, '-')
    .replace(/^[-_.]+|[-_.]+$/g, '')
    .slice(0, 48);
}

/** The id of the n-th (0-based) fault of a scenario: its name as a slug, else `f<n+1>-<kind>`. */
export function scenarioFaultId(fault: Pick<FaultSpec, 'name' | 'kind'>, index: number): string {
  const fromName = fault.name === undefined ? '' : slug(fault.name);
  return fromName === '' ? `f${index + 1}-${fault.kind}` : fromName;
}

/** Ids for every fault of a scenario, made unique by suffixing the position when two collide. */
export function scenarioFaultIds(faults: Array<Pick<FaultSpec, 'name' | 'kind'>>): string[] {
  const seen = new Set<string>();
  return faults.map((fault, index) => {
    let id = scenarioFaultId(fault, index);
    if (seen.has(id)) id = `${id}-${index + 1}`;
    seen.add(id);
    return id;
  });
}
