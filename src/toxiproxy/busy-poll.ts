/**
 * Busy polling of the data path (server option `busyPollMicros`, CLI `--busy-poll-us`).
 * After a chunk is forwarded, the event loop keeps spinning (setImmediate, so libuv polls without
 * sleeping) until no data has come for the window, so that the reply which usually follows within
 * tens of µs is picked up at once; Go's scheduler spins in the same way before parking a thread.
 * Why: on an otherwise idle VM, waking a sleeping process costs tens of µs (its halted vCPU must be
 * woken), which dominates what a proxy hop adds. The price is CPU: the proxy process keeps a core
 * busy while traffic flows. So it spins only while the rest of the machine leaves a core free (see
 * cpu-headroom.ts): with every core busy elsewhere, spinning would delay the very processes whose
 * replies it waits for.
 */
import { CpuHeadroom } from './cpu-headroom.js';

/**
 * The standalone server (`chaosbank toxiproxy`) busy-polls this long unless told otherwise: it takes
 * the wake-up of a sleeping process out of each hop, as Go's scheduler does for real Toxiproxy. The
 * library's default is off (0), and so is the local driver's in-process server, which shares its
 * process with the load engine.
 */
export const DEFAULT_BUSY_POLL_US = 100;

export class BusyPoll {
  private lastActivity = 0;
  private spinning: NodeJS.Immediate | undefined;
  private stopped = false;
  private readonly windowMs: number;

  constructor(
    windowMicros: number,
    private readonly headroom: Pick<CpuHeadroom, 'hasSpareCore'> = new CpuHeadroom(),
  ) {
    this.windowMs = windowMicros / 1000;
  }

  /** Data was just forwarded: spin for (at least) the window from now. */
  activity(): void {
    if (this.stopped) return;
    this.lastActivity = performance.now();
    if (this.spinning === undefined && this.headroom.hasSpareCore()) this.spinning = setImmediate(this.spin);
  }

  get isSpinning(): boolean {
    return this.spinning !== undefined;
  }

  private readonly spin = (): void => {
    const quietFor = performance.now() - this.lastActivity;
    const goOn = quietFor < this.windowMs && this.headroom.hasSpareCore();
    this.spinning = goOn ? setImmediate(this.spin) : undefined;
  };

  /** For good (the server closes): a pending spin would keep the process alive. */
  stop(): void {
    this.stopped = true;
    if (this.spinning) clearImmediate(this.spinning);
    this.spinning = undefined;
  }
}
