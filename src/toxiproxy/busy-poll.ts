/**
 * Opt-in busy polling of the data path (server option `busyPollMicros`, CLI `--busy-poll-us`).
 * After a chunk is forwarded, the event loop keeps spinning (setImmediate, so libuv polls without
 * sleeping) until no data has come for the window, so that the reply which usually follows within
 * tens of µs is picked up at once; Go's scheduler spins in the same way before parking a thread.
 * Why: on an otherwise idle VM, waking a sleeping process costs tens of µs (its halted vCPU must be
 * woken), which dominates what a proxy hop adds. The price is CPU: the proxy process keeps a core
 * busy while traffic flows, which is why it is off by default.
 */
export class BusyPoll {
  private lastActivity = 0;
  private spinning: NodeJS.Immediate | undefined;
  private stopped = false;
  private readonly windowMs: number;

  constructor(windowMicros: number) {
    this.windowMs = windowMicros / 1000;
  }

  /** Data was just forwarded: spin for (at least) the window from now. */
  activity(): void {
    if (this.stopped) return;
    this.lastActivity = performance.now();
    this.spinning ??= setImmediate(this.spin);
  }

  get isSpinning(): boolean {
    return this.spinning !== undefined;
  }

  private readonly spin = (): void => {
    const quietFor = performance.now() - this.lastActivity;
    this.spinning = quietFor < this.windowMs ? setImmediate(this.spin) : undefined;
  };

  /** For good (the server closes): a pending spin would keep the process alive. */
  stop(): void {
    this.stopped = true;
    if (this.spinning) clearImmediate(this.spinning);
    this.spinning = undefined;
  }
}
