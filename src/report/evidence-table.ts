/**
 * An anomaly's evidence as tables rather than pretty-printed JSON: the key, one row per attempt (time on
 * the report's clock, kind, status, outcome, serving region, epoch, latency) and one row per ledger
 * transaction. Fields that fit no table stay as `name: value` lines.
 */
import { relativeSeconds } from './format.js';

export interface EvidenceTables {
  /** `key k-1`, `account a-3`...: the scalar fields of the evidence. */
  facts: string[];
  attempts: string[][];
  ledger: string[][];
  /** Anything else (nested objects) as compact JSON, `name: {...}`. */
  other: string[];
}

export const ATTEMPT_COLUMNS = ['time', 'kind', 'status', 'outcome', 'served by', 'epoch', 'latency'];
export const LEDGER_COLUMNS = ['region', 'transaction', 'created', 'entries'];

export function evidenceTables(evidence: Record<string, unknown>, origin: number): EvidenceTables {
  const tables: EvidenceTables = { facts: [], attempts: [], ledger: [], other: [] };
  for (const [name, value] of Object.entries(evidence)) {
    if (name === 'attempts' && Array.isArray(value))
      tables.attempts = value.filter(isRecord).map((a) => attemptRow(a, origin));
    else if (name === 'ledger' && Array.isArray(value))
      tables.ledger = value.filter(isRecord).map((t) => ledgerRow(t, origin));
    else if (value === null || ['string', 'number', 'boolean'].includes(typeof value))
      tables.facts.push(`${name} ${String(value)}`);
    else tables.other.push(`${name}: ${JSON.stringify(value)}`);
  }
  return tables;
}

function attemptRow(a: Record<string, unknown>, origin: number): string[] {
  const start = time(a.start);
  const end = time(a.end);
  const intended = time(a.intendedStart) ?? start;
  const status = typeof a.status === 'number' && a.status !== 0 ? String(a.status) : '';
  const error = typeof a.error === 'string' ? a.error : '';
  return [
    start === undefined ? '' : relativeSeconds(start, origin),
    text(a.kind),
    [status, error].filter(Boolean).join(' ') || '—',
    text(a.outcome),
    text(a.servedBy) || '—',
    text(a.epoch) || '—',
    intended === undefined || end === undefined ? '—' : `${Math.round(end - intended)} ms`,
  ];
}

function ledgerRow(t: Record<string, unknown>, origin: number): string[] {
  const created = time(t.created_at);
  const entries = Array.isArray(t.entries)
    ? t.entries
        .filter(isRecord)
        .map(
          (e) => `${text(e.account)} ${Number(e.amount) > 0 ? '+' : ''}${text(e.amount)} ${text(e.currency)}`,
        )
        .join(', ')
    : '';
  return [
    text(t.region),
    text(t.id),
    created === undefined ? '—' : relativeSeconds(created, origin),
    entries,
  ];
}

/** Epoch ms from an ISO string or a number. */
function time(value: unknown): number | undefined {
  if (typeof value === 'number') return value;
  if (typeof value !== 'string') return undefined;
  const ms = Date.parse(value);
  return Number.isFinite(ms) ? ms : undefined;
}

function text(value: unknown): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return value === undefined || value === null ? '' : JSON.stringify(value);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
