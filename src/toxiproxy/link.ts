/**
 * One direction of a proxied connection: upstream = client→server, downstream = server→client.
 * Chunks come from the source's 'data' events, or, for a source that reads into one reused buffer
 * (`readsIntoReusedBuffer`), from `receiveBorrowed`.
 * With no active toxic, chunks are written straight through (pipe-like, no promise per chunk).
 * With toxics, chunks queue and run through the chain in order; the queue is bounded so a slow
 * reader or a stalled toxic pauses the source instead of buffering without limit.
 */
import type { Socket } from 'node:net';
import type { Direction, ToxicDefinition } from './toxic-definition.js';
import { ToxicRuntime, type ChainItem, type LinkControl } from './toxic-runtime.js';
import type { BusyPoll } from './busy-poll.js';

/** Bytes queued in front of the toxic chain before the source is paused. */
const QUEUE_HIGH_WATER = 8 * 1024 * 1024;

export interface LinkOwner {
  /** The end of this link's stream reached the far side: close the whole connection. */
  linkEnded(link: Link): void;
  close(): void;
  reset(): void;
  /** Something unexpected broke this link: log it and destroy the connection. */
  failed(error: unknown): void;
}

export interface LinkOptions {
  /** The source reads into one reused buffer; its chunks come through `receiveBorrowed`. */
  readsIntoReusedBuffer?: boolean;
  /** Told of every chunk read (busy polling, when the server has it on). */
  busyPoll?: BusyPoll | undefined;
}

export class Link {
  private runtimes: ToxicRuntime[] = [];
  private readonly queue: ChainItem[] = [];
  private queuedBytes = 0;
  private processing = false;
  /** True while some toxic is active or queued items still have to go through the chain. */
  private chained = false;
  private waitingForDrain = false;
  /** Writes of borrowed chunks not yet flushed; the source may not read again until they are. */
  private borrowedWrites = 0;
  private waitingForFlush = false;
  private closed = false;
  private abort = new AbortController();
  private readonly busyPoll: BusyPoll | undefined;

  constructor(
    readonly direction: Direction,
    private readonly source: Socket,
    private readonly dest: Socket,
    private readonly owner: LinkOwner,
    options: LinkOptions = {},
  ) {
    this.busyPoll = options.busyPoll;
    if (!options.readsIntoReusedBuffer) source.on('data', this.onData);
    source.on('end', this.onEnd);
    dest.on('drain', this.onDrain);
  }

  private readonly onData = (chunk: Buffer): void => {
    this.busyPoll?.activity();
    if (!this.chained) {
      if (!this.dest.write(chunk)) {
        this.waitingForDrain = true;
        this.source.pause();
      }
      return;
    }
    this.enqueue({ data: chunk, time: performance.now() });
  };

  /** A chunk that lives in the source's reused read buffer: valid only until the source reads again. */
  receiveBorrowed(chunk: Buffer): void {
    if (this.closed) return;
    this.busyPoll?.activity();
    if (this.chained) return this.enqueue({ data: Buffer.from(chunk), time: performance.now() });
    this.borrowedWrites += 1;
    if (!this.dest.write(chunk, this.onBorrowedFlushed)) this.waitingForDrain = true;
    // Most writes complete at once; otherwise the socket still points into the buffer.
    if (this.dest.writableLength > 0) this.waitingForFlush = true;
    if (this.waitingForDrain || this.waitingForFlush) this.source.pause();
  }

  private readonly onBorrowedFlushed = (): void => {
    this.borrowedWrites -= 1;
    if (this.borrowedWrites > 0 || !this.waitingForFlush) return;
    this.waitingForFlush = false;
    this.updateFlow();
  };

  private readonly onEnd = (): void => {
    if (!this.chained) this.owner.linkEnded(this);
    else this.enqueue({ data: null, time: performance.now() });
  };

  private readonly onDrain = (): void => {
    if (!this.waitingForDrain) return;
    this.waitingForDrain = false;
    this.updateFlow();
  };

  private updateFlow(): void {
    if (this.closed) return;
    const hold = this.waitingForDrain || this.waitingForFlush || this.queuedBytes >= QUEUE_HIGH_WATER;
    if (hold) {
      if (!this.source.isPaused()) this.source.pause();
    } else if (this.source.isPaused()) {
      this.source.resume();
    }
  }

  private enqueue(item: ChainItem): void {
    this.queue.push(item);
    if (item.data) this.queuedBytes += item.data.length;
    if (this.queuedBytes >= QUEUE_HIGH_WATER) this.updateFlow();
    void this.pump();
  }

  private async pump(): Promise<void> {
    if (this.processing) return;
    this.processing = true;
    try {
      while (this.queue.length > 0 && !this.closed) {
        const item = this.queue[0]!;
        try {
          await this.pass(item, new Set());
        } catch (error) {
          // A failing toxic must not take the server down: this connection ends, the others go on.
          this.owner.failed(error);
          return;
        }
        this.queue.shift();
        if (item.data) this.queuedBytes -= item.data.length;
        if (this.queuedBytes < QUEUE_HIGH_WATER) this.updateFlow();
      }
    } finally {
      this.processing = false;
      this.refreshMode();
    }
  }

  /** Run an item through the toxics of the current chain it has not been through yet. */
  private async pass(item: ChainItem, visited: Set<ToxicRuntime>): Promise<void> {
    if (this.closed) return;
    const next = this.runtimes.find((runtime) => runtime.active && !visited.has(runtime));
    if (!next) return this.deliver(item);
    const after = new Set(visited).add(next);
    const control: LinkControl = {
      signal: this.abort.signal,
      emit: (out) => this.pass(out, after),
      close: () => this.owner.close(),
      reset: () => this.owner.reset(),
    };
    await next.process(item, control);
  }

  private async deliver(item: ChainItem): Promise<void> {
    if (this.closed) return;
    if (item.data === null) {
      this.owner.linkEnded(this);
      return;
    }
    if (this.dest.write(item.data)) return;
    await new Promise<void>((resolve) => {
      const done = (): void => {
        this.dest.off('drain', done);
        this.dest.off('close', done);
        resolve();
      };
      this.dest.on('drain', done);
      this.dest.on('close', done);
    });
  }

  private refreshMode(): void {
    this.chained =
      this.processing || this.queue.length > 0 || this.runtimes.some((runtime) => runtime.active);
  }

  /** Interrupt waits in the chain so that the change applies at once. */
  private chainChanged(): void {
    this.abort.abort();
    this.abort = new AbortController();
    this.refreshMode();
  }

  addToxic(definition: ToxicDefinition): void {
    const runtime = new ToxicRuntime(definition, this.owner);
    this.runtimes.push(runtime);
    runtime.start();
    this.chainChanged();
  }

  updateToxic(definition: ToxicDefinition): void {
    const runtime = this.runtimes.find((candidate) => candidate.definition === definition);
    if (!runtime) return;
    runtime.stop(false);
    runtime.start();
    this.chainChanged();
  }

  removeToxic(definition: ToxicDefinition): void {
    const index = this.runtimes.findIndex((candidate) => candidate.definition === definition);
    if (index < 0) return;
    const [runtime] = this.runtimes.splice(index, 1);
    this.chainChanged();
    runtime!.stop(true);
  }

  /** Stop forwarding: drop queued data, end waits, detach from the sockets. */
  dispose(): void {
    if (this.closed) return;
    this.closed = true;
    for (const runtime of this.runtimes) runtime.stop(false);
    this.abort.abort();
    this.queue.length = 0;
    this.queuedBytes = 0;
    this.source.off('data', this.onData);
    this.source.off('end', this.onEnd);
    this.dest.off('drain', this.onDrain);
  }
}
