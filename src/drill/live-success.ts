/** Client-side success rate over the last seconds, from attempts as they end (for `success-rate` conditions). */
import type { Attempt } from '../history/attempt.js';

export class LiveSuccess {
  private readonly ends: number[] = [];
  private readonly oks: boolean[] = [];
  constructor(
    /** Fails the client caused (declines, 409, 422...): not held against the stack. */
    private readonly clientCaused: ReadonlySet<number>,
    private readonly keepMs = 60_000,
  ) {}

  add(attempt: Attempt): void {
    if (attempt.outcome === 'fail' && this.clientCaused.has(attempt.status)) return;
    this.ends.push(attempt.end);
    this.oks.push(attempt.outcome === 'ok');
    if (this.ends.length > 4096 && this.ends[0]! < attempt.end - this.keepMs) {
      const drop = this.ends.findIndex((t) => t >= attempt.end - this.keepMs);
      this.ends.splice(0, drop);
      this.oks.splice(0, drop);
    }
  }

  /** ok / counted over attempts that ended in (now - spanMs, now]; null when none did. */
  rate(now: number, spanMs: number): number | null {
    let ok = 0;
    let counted = 0;
    for (let i = this.ends.length - 1; i >= 0 && this.ends[i]! > now - spanMs; i--) {
      if (this.ends[i]! > now) continue;
      counted++;
      if (this.oks[i]) ok++;
    }
    return counted === 0 ? null : ok / counted;
  }
}
