/**
 * When is the primary lost? Not at the first slow heartbeat: under CPU starvation one renewal can time
 * out while the primary is fine. The primary is lost only when
 * - at least `minFailures` renewals in a row have failed,
 * - the first of them started at least `graceMs` ago (the failures span the whole grace period), and
 * - every renewal that may have reached the server (sent, unanswered) has expired: by then its lease has
 *   run out and `chaosbank_assert_writable` refuses every write there (fencing by lease).
 */
export interface LossDetectorOptions {
  graceMs: number;
  minFailures: number;
}

export class LossDetector {
  #failedSince: number | null = null;
  #failures = 0;
  /** A renewal that was sent but not confirmed may still have extended the lease until this time. */
  #leaseMayHoldUntil: number;

  constructor(
    private readonly options: LossDetectorOptions,
    now: number,
  ) {
    this.#leaseMayHoldUntil = now + options.graceMs;
  }

  /** A renewal that started at `startedAt` succeeded. */
  renewed(startedAt: number): void {
    this.#failedSince = null;
    this.#failures = 0;
    this.#leaseMayHoldUntil = Math.max(this.#leaseMayHoldUntil, startedAt + this.options.graceMs);
  }

  /** A renewal that started at `startedAt` failed; `maybeApplied` when it may have reached the server. */
  failed(startedAt: number, maybeApplied: boolean): void {
    this.#failedSince ??= startedAt;
    this.#failures++;
    if (maybeApplied)
      this.#leaseMayHoldUntil = Math.max(this.#leaseMayHoldUntil, startedAt + this.options.graceMs);
  }

  /** A fresh primary (after a promotion or at start-up): its lease was just granted. */
  reset(now: number): void {
    this.#failedSince = null;
    this.#failures = 0;
    this.#leaseMayHoldUntil = now + this.options.graceMs;
  }

  lost(now: number): boolean {
    return (
      this.#failedSince !== null &&
      this.#failures >= this.options.minFailures &&
      now - this.#failedSince >= this.options.graceMs &&
      now >= this.#leaseMayHoldUntil
    );
  }

  /** How long renewals have been failing (0 when the last one succeeded). */
  failingForMs(now: number): number {
    return this.#failedSince === null ? 0 : now - this.#failedSince;
  }

  get failures(): number {
    return this.#failures;
  }
}
