import { randomBytes, randomInt } from 'node:crypto';

/**
 * The one run id format, for runs, drills and `up` stacks: `20261122-101500-region-outage-3fa2c1`,
 * sortable by time, names what runs (a scenario, `drill-<runbook>`, `up`), unique.
 */
export function newRunId(label: string, now = new Date()): string {
  const stamp = now.toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
  const name = label
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 40);
  return `${stamp}-${name || 'run'}-${randomBytes(3).toString('hex')}`;
}

/** A fresh random seed (31 bits, so it prints and parses as a plain integer). */
export function randomSeed(): number {
  return randomInt(0, 2 ** 31 - 1);
}
