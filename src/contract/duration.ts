/**
 * Durations in scenarios, runbooks and flags: `500ms`, `30s`, `2m`, `1h`, `1m30s`, or a bare number of
 * milliseconds. One parser and one schema for every section that takes a duration.
 */
import { z } from 'zod';

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
const PART = /(\d+(?:\.\d+)?)(ms|s|m|h)/g;
export const DURATION_PATTERN = '^(\\d+(\\.\\d+)?(ms|s|m|h))+$';

/** Parse a duration to milliseconds; undefined when the text is not a duration. */
export function parseDuration(text: string | number): number | undefined {
  if (typeof text === 'number') return Number.isFinite(text) && text >= 0 ? text : undefined;
  const trimmed = text.trim();
  if (!new RegExp(DURATION_PATTERN).test(trimmed)) return undefined;
  let total = 0;
  for (const match of trimmed.matchAll(PART)) total += Number(match[1]) * (UNIT_MS[match[2]!] ?? 0);
  return total;
}

export function formatDuration(ms: number): string {
  if (ms % 3_600_000 === 0 && ms > 0) return `${ms / 3_600_000}h`;
  if (ms % 60_000 === 0 && ms > 0) return `${ms / 60_000}m`;
  if (ms % 1000 === 0) return `${ms / 1000}s`;
  return `${ms}ms`;
}

/** `30s`, `2m`, `500ms` (or a number of ms) -> milliseconds. */
export const duration = z
  .union(
    [
      z.string().regex(new RegExp(DURATION_PATTERN), 'expected a duration such as 500ms, 30s or 2m'),
      z.number().int().nonnegative(),
    ],
    { error: 'expected a duration such as 500ms, 30s or 2m (or a number of milliseconds)' },
  )
  .transform((value) => parseDuration(value)!)
  .meta({ description: 'A duration: 500ms, 30s, 2m, 1h, or a number of milliseconds' });
