/**
 * Lost acknowledged writes and the observed RPO (anomaly 2): an ok payment missing from the
 * authoritative ledger. RPO = max(t_failover - t_ack) over lost writes, t_failover being the first
 * `failover.promoted` event at or after the ack (the failover that dropped it).
 */
import type { CheckContext } from './check-context.js';
import { iso } from './compact.js';
import { keyEvidence } from './evidence.js';
import { KeyClass } from './key-facts.js';

export interface RpoResult {
  /** Seconds; 0 when nothing was lost; null when writes were lost but no failover followed them. */
  rpoS: number | null;
}

export function checkLostWrites(ctx: CheckContext): RpoResult {
  const promotions = ctx.events.filter((e) => e.type === 'failover.promoted').map((e) => e.time);
  let rpoMs: number | null = 0;
  let attributed = 0;
  let lost = 0;
  for (let k = 0; k < ctx.keys.keys.size; k++) {
    if (ctx.facts.cls[k] !== KeyClass.acked || ctx.keys.txCount.get(k) > 0) continue;
    lost++;
    const tAck = ctx.facts.ackEnd[k]!;
    const tFailover = promotions.find((t) => t >= tAck);
    if (tFailover !== undefined) {
      attributed++;
      rpoMs = Math.max(rpoMs ?? 0, tFailover - tAck);
    }
    const key = ctx.keys.keys.value(k);
    ctx.collector.add('lost-write', () => ({
      message:
        tFailover === undefined
          ? `Payment ${key} was acknowledged at ${iso(tAck)} but is missing from the ledger of ${ctx.expectations.authoritativeRegion} (no failover followed the ack).`
          : `Payment ${key} was acknowledged at ${iso(tAck)} and lost by the failover at ${iso(tFailover)} (${tFailover - tAck} ms of data).`,
      key,
      region: ctx.expectations.authoritativeRegion,
      evidence: keyEvidence(ctx, k, {
        ackedAt: iso(tAck),
        failoverAt: tFailover === undefined ? null : iso(tFailover),
      }),
    }));
  }
  if (lost > 0 && attributed === 0) rpoMs = null;
  return { rpoS: rpoMs === null ? null : rpoMs / 1000 };
}
