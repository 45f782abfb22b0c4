/**
 * Split brain (anomaly 13). Two sound, client-observed signals:
 *  - epoch regression: a write acknowledged under epoch e that STARTED after a write under a newer
 *    epoch e' > e had already been acknowledged: the old primary kept accepting writes after the new
 *    one did, so two primaries acknowledged writes in overlapping windows;
 *  - the exports themselves: more than one region reports `role: primary` at the end.
 * One anomaly per stale epoch (with the count of its late writes), plus one for the exports.
 */
import { KIND, OUTCOME } from './attempt-store.js';
import type { CheckContext } from './check-context.js';
import { attemptEvidence } from './evidence.js';

export function checkSplitBrain(ctx: CheckContext): void {
  const s = ctx.attempts;
  const firstAck = new Map<number, number>(); // epoch -> attempt index of its earliest ack
  for (let i = 0; i < s.count; i++) {
    if (s.kind.data[i] === KIND.read || s.outcome.data[i] !== OUTCOME.ok) continue;
    const epoch = s.epoch.data[i]!;
    if (Number.isNaN(epoch)) continue;
    const first = firstAck.get(epoch);
    if (first === undefined || s.end.data[i]! < s.end.data[first]!) firstAck.set(epoch, i);
  }
  if (firstAck.size > 1) {
    // for each epoch, the earliest ack of any NEWER epoch
    const epochs = [...firstAck.keys()].sort((a, b) => a - b);
    const newerAck = new Map<number, number>();
    let best = -1;
    for (let x = epochs.length - 1; x >= 0; x--) {
      const e = epochs[x]!;
      if (best >= 0) newerAck.set(e, best);
      const mine = firstAck.get(e)!;
      if (best < 0 || s.end.data[mine]! < s.end.data[best]!) best = mine;
    }
    const late = new Map<number, number[]>();
    for (let i = 0; i < s.count; i++) {
      if (s.kind.data[i] === KIND.read || s.outcome.data[i] !== OUTCOME.ok) continue;
      const newer = newerAck.get(s.epoch.data[i]!);
      if (newer === undefined || !(s.start.data[i]! > s.end.data[newer]!)) continue;
      let list = late.get(s.epoch.data[i]!);
      if (!list) late.set(s.epoch.data[i]!, (list = []));
      list.push(i);
    }
    for (const [epoch, writes] of late) {
      const newer = newerAck.get(epoch)!;
      const first = writes[0]!;
      const region = s.servedBy.get(first) >= 0 ? s.names.value(s.servedBy.get(first)) : undefined;
      ctx.collector.add('split-brain', () => ({
        message: `${writes.length} write(s) were acknowledged under epoch ${epoch} after epoch ${s.epoch.get(newer)} had already acknowledged one: two primaries accepted writes at the same time.`,
        ...(region === undefined ? {} : { region }),
        evidence: {
          staleEpoch: epoch,
          newerEpoch: s.epoch.get(newer),
          lateWrites: writes.length,
          newerEpochFirstAck: attemptEvidence(s, newer),
          examples: writes.slice(0, ctx.expectations.examples).map((i) => attemptEvidence(s, i)),
        },
      }));
    }
  }
  const primaries = [...ctx.ledgers.values()].filter((l) => l.end?.role === 'primary');
  if (primaries.length > 1) {
    ctx.collector.add('split-brain', () => ({
      message: `${primaries.length} regions report themselves primary at the end: ${primaries.map((l) => `${l.region} (epoch ${l.end!.epoch})`).join(', ')}.`,
      evidence: { exports: primaries.map((l) => l.end) },
    }));
  }
}
