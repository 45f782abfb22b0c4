/**
 * One direction of a proxied connection: upstream = client→server, downstream = server→client.
 * With no active toxic, chunks are written straight through (pipe-like, no promise per chunk).
 * With toxics, chunks queue and run through the chain in order; the queue is bounded so a slow
 * reader or a stalled toxic pauses the source instead of buffering without limit.
 */
import type { Socket } from 'node:net';
import type { Direction, ToxicDefinition } from './toxic-definition.js';
import { ToxicRuntime, type ChainItem, type LinkControl } from './toxic-runtime.js';

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

export class Link {
  private runtimes: ToxicRuntime[] = [];
  private readonly queue: ChainItem[] = [];
  private queuedBytes = 0;
  private processing = false;
  /** True while some toxic is active or queued items still have to go through the chain. */
  private chained = false;
  private waitingForDrain = false;
  private closed = false;
  private abort = new AbortController();

  constructor(
    readonly direction: Direction,
    private readonly source: Socket,
    private readonly dest: Socket,
    private readonly owner: LinkOwner,
  ) {
    source.on('data', this.onData);
    source.on('end', this.onEnd);
    dest.on('drain', this.onDrain);
  }

  private readonly onData = (chunk: Buffer): void => {
    if (!this.chained) {
      if (!this.dest.write(chunk)) {
        this.waitingForDrain = true;
        this.source.pause();
      }
      return;
    }
    this.enqueue({ data: chunk, time: performance.now() });
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
    const hold = this.waitingForDrain || this.queuedBytes >= QUEUE_HIGH_WATER;
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
