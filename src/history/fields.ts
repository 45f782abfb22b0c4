/**
 * The one table of a history line's tags and metadata: each field's name on the wire, its section and
 * how its string value becomes part of an Attempt. The encoder (codec.ts) writes these names, the
 * general decoder (codec.ts, from JSON.parse) and the fast decoder (fast-decoder.ts, from bytes) read
 * them; a field is added or renamed here and nowhere else.
 */
import type { AttemptKind, Outcome } from './attempt.js';

export type FieldSection = 'tags' | 'metadata';

/** The PointFields properties each kind of value lands in. */
type NumberProperty = 'status' | 'seq' | 'intendedMs' | 'startMs' | 'endMs' | 'amount' | 'epoch' | 'balance';
type StringProperty =
  | 'target'
  | 'region'
  | 'errorCode'
  | 'key'
  | 'payloadHash'
  | 'from'
  | 'to'
  | 'currency'
  | 'account'
  | 'error'
  | 'paymentId'
  | 'bodyHash';

interface FieldBase {
  /** The tag or metadata name in the line (k6 names where k6 has one). */
  name: string;
  section: FieldSection;
}

export type HistoryField =
  /** A decimal; NaN when absent or not a finite number. */
  | (FieldBase & { type: 'number'; property: NumberProperty })
  /** A string that repeats across lines (targets, regions, accounts, currencies, errors): decoders may cache it. */
  | (FieldBase & { type: 'repeated'; property: StringProperty })
  /** A string different on every line (keys, hashes, payment ids). */
  | (FieldBase & { type: 'unique'; property: StringProperty })
  /** The attempt kind, the outcome, and whether the method is GET (the kind when the `kind` tag is absent). */
  | (FieldBase & { type: 'kind' | 'outcome' | 'method' });

const tag = <F extends Omit<HistoryField, 'section'>>(field: F) => ({ ...field, section: 'tags' as const });
const meta = <F extends Omit<HistoryField, 'section'>>(field: F) => ({
  ...field,
  section: 'metadata' as const,
});

/** Every field, in the order the encoder writes them. */
export const FIELDS = {
  status: tag({ name: 'status', type: 'number', property: 'status' }),
  method: tag({ name: 'method', type: 'method' }),
  kind: tag({ name: 'kind', type: 'kind' }),
  target: tag({ name: 'target', type: 'repeated', property: 'target' }),
  region: tag({ name: 'region', type: 'repeated', property: 'region' }),
  errorCode: tag({ name: 'error_code', type: 'repeated', property: 'errorCode' }),
  seq: meta({ name: 'seq', type: 'number', property: 'seq' }),
  intendedMs: meta({ name: 'intended_ms', type: 'number', property: 'intendedMs' }),
  startMs: meta({ name: 'start_ms', type: 'number', property: 'startMs' }),
  endMs: meta({ name: 'end_ms', type: 'number', property: 'endMs' }),
  outcome: meta({ name: 'outcome', type: 'outcome' }),
  key: meta({ name: 'key', type: 'unique', property: 'key' }),
  payloadHash: meta({ name: 'payload_hash', type: 'unique', property: 'payloadHash' }),
  from: meta({ name: 'from', type: 'repeated', property: 'from' }),
  to: meta({ name: 'to', type: 'repeated', property: 'to' }),
  amount: meta({ name: 'amount', type: 'number', property: 'amount' }),
  currency: meta({ name: 'currency', type: 'repeated', property: 'currency' }),
  account: meta({ name: 'account', type: 'repeated', property: 'account' }),
  error: meta({ name: 'error', type: 'repeated', property: 'error' }),
  paymentId: meta({ name: 'payment_id', type: 'unique', property: 'paymentId' }),
  epoch: meta({ name: 'epoch', type: 'number', property: 'epoch' }),
  bodyHash: meta({ name: 'body_hash', type: 'unique', property: 'bodyHash' }),
  balance: meta({ name: 'balance', type: 'number', property: 'balance' }),
} satisfies Record<string, HistoryField>;

export const fieldsOf = (section: FieldSection): HistoryField[] =>
  Object.values<HistoryField>(FIELDS).filter((f) => f.section === section);

const KINDS: ReadonlySet<string> = new Set<AttemptKind>([
  'first',
  'retry',
  'replay',
  'concurrent',
  'mismatch',
  'read',
]);
const OUTCOMES: ReadonlySet<string> = new Set<Outcome>(['ok', 'fail', 'info']);
export const ATTEMPT_KINDS: readonly AttemptKind[] = [...KINDS] as AttemptKind[];
export const OUTCOME_NAMES: readonly Outcome[] = [...OUTCOMES] as Outcome[];

/** A numeric tag or metadata value; NaN stands for "none" (absent, empty or not a finite number). */
export function numberOf(text: string): number {
  if (text === '') return Number.NaN;
  const n = Number(text);
  return Number.isFinite(n) ? n : Number.NaN;
}

export function kindOf(text: string): AttemptKind | undefined {
  return KINDS.has(text) ? (text as AttemptKind) : undefined;
}

export function outcomeOf(text: string): Outcome | undefined {
  return OUTCOMES.has(text) ? (text as Outcome) : undefined;
}

/**
 * The tags and metadata values an Attempt is built from (tag and metadata names do not overlap),
 * already typed: numbers are NaN when absent or not numeric, kind and outcome undefined when absent
 * or not one we know. decodeLine fills it from strings, the fast path (fast-decoder.ts) from bytes.
 */
export class PointFields {
  // tags
  status = Number.NaN;
  /** `method` is GET (or absent): decides the kind when the `kind` tag does not. */
  methodIsGet = true;
  kind: AttemptKind | undefined = undefined;
  target: string | undefined = undefined;
  region: string | undefined = undefined;
  errorCode: string | undefined = undefined;
  // metadata
  seq = Number.NaN;
  intendedMs = Number.NaN;
  startMs = Number.NaN;
  endMs = Number.NaN;
  outcome: Outcome | undefined = undefined;
  key: string | undefined = undefined;
  payloadHash: string | undefined = undefined;
  from: string | undefined = undefined;
  to: string | undefined = undefined;
  amount = Number.NaN;
  currency: string | undefined = undefined;
  account: string | undefined = undefined;
  error: string | undefined = undefined;
  paymentId: string | undefined = undefined;
  epoch = Number.NaN;
  bodyHash: string | undefined = undefined;
  balance = Number.NaN;

  reset(): void {
    this.status = this.seq = this.intendedMs = this.startMs = this.endMs = Number.NaN;
    this.amount = this.epoch = this.balance = Number.NaN;
    this.methodIsGet = true;
    this.kind = this.outcome = undefined;
    this.target = this.region = this.errorCode = this.key = this.payloadHash = undefined;
    this.from = this.to = this.currency = this.account = this.error = undefined;
    this.paymentId = this.bodyHash = undefined;
  }

  /** Keep the string value of one field. */
  set(field: HistoryField, value: string): void {
    switch (field.type) {
      case 'number':
        this[field.property] = numberOf(value);
        break;
      case 'repeated':
      case 'unique':
        this[field.property] = value;
        break;
      case 'kind':
        this.kind = kindOf(value);
        break;
      case 'outcome':
        this.outcome = outcomeOf(value);
        break;
      case 'method':
        this.methodIsGet = value === 'GET';
        break;
    }
  }
}
