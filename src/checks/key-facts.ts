/**
 * What the client history says about each idempotency key, computed once: was the payment
 * acknowledged (some ok), unknown (no ok, some info) or definitively failed (every attempt failed);
 * when it was first sent and first acknowledged; which attempt carries its original payload.
 */
import { KIND, OUTCOME, type AttemptStore } from './attempt-store.js';
import { f64, i32, u8 } from './compact.js';

export const KeyClass = { none: 0, acked: 1, unknown: 2, failed: 3 } as const;

export interface KeyFacts {
  cls: Uint8Array;
  /** Earliest end of an ok write attempt; +Infinity when never acknowledged. */
  ackEnd: Float64Array;
  ackAttempt: Int32Array;
  /** Earliest start of a write attempt; +Infinity when none. */
  firstStart: Float64Array;
  /** The first non-mismatch write attempt (its payload is the key's original payload); -1 when none. */
  orig: Int32Array;
  /** No ok and no definitive answer (a non-409 fail of the original payload): unresolved payment. */
  unresolved: Uint8Array;
}

export function computeKeyFacts(store: AttemptStore, inFlightStatus: number): KeyFacts {
  const n = store.keyTable.keys.size;
  const cls = u8();
  const ackEnd = f64(Number.POSITIVE_INFINITY);
  const ackAttempt = i32();
  const firstStart = f64(Number.POSITIVE_INFINITY);
  const orig = i32();
  const unresolved = u8();
  for (const c of [cls, ackEnd, ackAttempt, firstStart, orig, unresolved]) c.ensure(Math.max(0, n - 1));
  const kind = store.kind.data;
  const outcome = store.outcome.data;
  const start = store.start.data;
  const end = store.end.data;
  const status = store.status.data;
  for (let k = 0; k < n; k++) {
    let anyOk = false;
    let anyInfo = false;
    let anyWrite = false;
    let definitive = false;
    let first = -1;
    let firstAny = -1;
    for (let i = store.keyTable.firstAttempt.get(k); i >= 0; i = store.nextSameKey.data[i]!) {
      if (kind[i] === KIND.read) continue;
      anyWrite = true;
      if (start[i]! < firstStart.data[k]!) firstStart.data[k] = start[i]!;
      if (firstAny < 0 || start[i]! < start[firstAny]!) firstAny = i;
      if (kind[i] !== KIND.mismatch && (first < 0 || start[i]! < start[first]!)) first = i;
      if (outcome[i] === OUTCOME.ok) {
        anyOk = true;
        if (end[i]! < ackEnd.data[k]!) {
          ackEnd.data[k] = end[i]!;
          ackAttempt.data[k] = i;
        }
      } else if (outcome[i] === OUTCOME.info) {
        anyInfo = true;
      } else if (kind[i] !== KIND.mismatch && status[i] !== inFlightStatus) {
        definitive = true;
      }
    }
    if (!anyWrite) continue;
    cls.data[k] = anyOk ? KeyClass.acked : anyInfo ? KeyClass.unknown : KeyClass.failed;
    orig.data[k] = first >= 0 ? first : firstAny;
    unresolved.data[k] = !anyOk && !definitive ? 1 : 0;
  }
  return {
    cls: cls.data,
    ackEnd: ackEnd.data,
    ackAttempt: ackAttempt.data,
    firstStart: firstStart.data,
    orig: orig.data,
    unresolved: unresolved.data,
  };
}
