/**
 * The client timeout of every attempt (`load.timeout`), enforced with one timer.
 *
 * undici's own `headersTimeout`/`bodyTimeout` run on its coarse timer wheel (it ticks about every
 * 0.5 s), so a 400 ms timeout fired after 0.5-1 s and a 201 arriving at 700 ms was taken as an
 * answer. Here: every attempt has the same timeout and attempts are sent in time order, so their
 * deadlines come in order too; a FIFO and one native timer armed for its oldest entry enforce them
 * all, to the millisecond, at a push per attempt.
 */

/** What the queue needs from an attempt in flight. */
export interface TimedExchange {
  /** When it was sent (ms, on the queue's clock). */
  readonly start: number;
  /** True once it completed, failed or timed out. */
  readonly finished: boolean;
  /** The deadline passed: end it now as a timeout. */
  timeOut(): void;
}

/** Drop the consumed head of the array once it is this long (and more than half of it). */
const COMPACT_AFTER = 4096;

export class DeadlineQueue {
  private items: TimedExchange[] = [];
  private head = 0;
  private timer: NodeJS.Timeout | undefined = undefined;

  constructor(
    private readonly timeoutMs: number,
    private readonly now: () => number,
  ) {}

  /** Track an exchange just sent (`start` not before any tracked one's). */
  add(exchange: TimedExchange): void {
    this.items.push(exchange);
    this.arm();
  }

  /** Forget every exchange and cancel the timer (the run ended or stopped). */
  clear(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    this.items = [];
    this.head = 0;
  }

  private arm(): void {
    if (this.timer !== undefined || this.head >= this.items.length) return;
    const due = this.items[this.head]!.start + this.timeoutMs - this.now();
    // Timers run in whole ms and may fire a fraction early: round up, and `expire` re-arms if early.
    this.timer = setTimeout(this.expire, Math.max(1, Math.ceil(due)));
  }

  private expire = (): void => {
    this.timer = undefined;
    const now = this.now();
    while (this.head < this.items.length) {
      const exchange = this.items[this.head]!;
      if (!exchange.finished) {
        if (exchange.start + this.timeoutMs > now) break;
        exchange.timeOut();
      }
      this.head++;
    }
    if (this.head >= COMPACT_AFTER && this.head * 2 >= this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
    this.arm();
  };
}
