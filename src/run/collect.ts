/**
 * Collect: each region's ledger export into `<out>/ledgers/`, the final primary (whose ledger is the
 * truth), and every event of the run (stack events + faults + phases) into `<out>/events.ndjson`.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { StackEvent } from '../contract/events.js';
import { note, type RunContext } from './context.js';

export async function collectArtifacts(ctx: RunContext): Promise<void> {
  const stack = ctx.stack!;
  ctx.finalPrimary = await stack
    .status()
    .then((s) => s.primary)
    .catch(() => lastPromoted(stack.events()) ?? ctx.topology.primary);
  ctx.ledgers = await stack.collectLedgers(join(ctx.outDir, 'ledgers'));
  for (const [region, result] of Object.entries(ctx.ledgers))
    if ('error' in result) note(ctx, `could not collect the ledger of ${region}: ${result.error}`);
  gatherEvents(ctx);
  await writeEvents(ctx);
}

/** Merge the stack's events with the run's own (phases, faults), in time order. */
export function gatherEvents(ctx: RunContext): StackEvent[] {
  const stackEvents = ctx.stack?.events() ?? [];
  const seen = new Set<string>();
  const merged: StackEvent[] = [];
  for (const event of [...ctx.runEvents, ...stackEvents]) {
    const id = `${event.time}|${event.type}|${event.component ?? ''}|${JSON.stringify(event.data ?? {})}`;
    if (seen.has(id)) continue;
    seen.add(id);
    merged.push(event);
  }
  merged.sort((a, b) => a.time - b.time);
  ctx.events = merged;
  return merged;
}

export async function writeEvents(ctx: RunContext): Promise<void> {
  const lines = (ctx.events ?? []).map((e) => JSON.stringify(e)).join('\n');
  await writeFile(join(ctx.outDir, 'events.ndjson'), lines === '' ? '' : `${lines}\n`);
}

/** The region promoted last, from the events (the final primary when the stack cannot be asked). */
export function lastPromoted(events: StackEvent[]): string | undefined {
  const promoted = events.filter((e) => e.type === 'failover.promoted' && e.region !== undefined);
  return promoted.at(-1)?.region;
}
