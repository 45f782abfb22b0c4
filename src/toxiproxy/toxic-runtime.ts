/**
 * One toxic running on one link of one connection. Toxicity is drawn each time it (re)starts; an
 * inactive runtime passes data untouched. `process` receives each chunk (or EOF) in order and hands
 * what survives to `emit`; waits end early when the link's chain changes (data is then passed on,
 * never dropped — except by `timeout`, whose job is dropping it).
 */
import type { ToxicDefinition } from './toxic-definition.js';

export interface ChainItem {
  /** null = end of stream. */
  data: Buffer | null;
  /** performance.now() when the chunk was read, advanced by latency toxics (they stack). */
  time: number;
}

export interface LinkControl {
  /** Aborted whenever the link's chain changes or the connection closes. */
  readonly signal: AbortSignal;
  emit(item: ChainItem): Promise<void>;
  /** Close the whole connection, flushing what was already written. */
  close(): void;
  /** Abort the whole connection with a TCP RST when allowed (reset_peer), else close it. */
  reset(): void;
}

/** Resolves true after `ms`, or false as soon as `signal` aborts (Infinity waits for the abort only). */
export function abortableWait(ms: number, signal: AbortSignal): Promise<boolean> {
  if (signal.aborted) return Promise.resolve(false);
  return new Promise((resolve) => {
    let timer: NodeJS.Timeout | undefined;
    const onAbort = (): void => {
      if (timer) clearTimeout(timer);
      resolve(false);
    };
    if (ms !== Infinity) {
      timer = setTimeout(() => {
        signal.removeEventListener('abort', onAbort);
        resolve(true);
      }, ms);
    }
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

/** Piece sizes of about average ± variation (each >= 1) covering `length` bytes. */
export function slicePieces(length: number, average: number, variation: number): number[] {
  const pieces: number[] = [];
  let left = length;
  while (left > 0) {
    const jitter = variation > 0 ? Math.floor(Math.random() * (2 * variation + 1)) - variation : 0;
    const size = Math.min(left, Math.max(1, average + jitter));
    pieces.push(size);
    left -= size;
  }
  return pieces;
}

export class ToxicRuntime {
  active = false;
  private timer: NodeJS.Timeout | undefined;
  /** bandwidth: when the link is free to send again (virtual clock, keeps the average rate exact). */
  private nextFree = 0;
  /** limit_data: bytes passed so far on this link. */
  private passed = 0;

  constructor(
    readonly definition: ToxicDefinition,
    private readonly link: { close(): void },
  ) {}

  /** (Re)start on the link: draw toxicity and arm per-link timers. */
  start(): void {
    this.stopTimers();
    this.active = Math.random() < this.definition.toxicity;
    this.nextFree = 0;
    const timeout = this.definition.attributes.timeout ?? 0;
    if (this.active && this.definition.type === 'timeout' && timeout > 0) {
      this.timer = setTimeout(() => this.link.close(), timeout);
      this.timer.unref();
    }
  }

  /** Stop on the link; a removed `timeout` toxic closes the connections it held. */
  stop(removed: boolean): void {
    this.stopTimers();
    if (removed && this.active && this.definition.type === 'timeout') this.link.close();
    this.active = false;
  }

  private stopTimers(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }

  async process(item: ChainItem, control: LinkControl): Promise<void> {
    const attributes = this.definition.attributes;
    const attr = (name: string): number => attributes[name] ?? 0;
    const { data } = item;
    switch (this.definition.type) {
      case 'noop':
        return control.emit(item);
      case 'latency': {
        if (data === null) return control.emit(item);
        const jitter = attr('jitter');
        const delay = attr('latency') + (jitter > 0 ? Math.random() * 2 * jitter - jitter : 0);
        const due = item.time + delay;
        // Timers may fire up to a millisecond early against performance.now(): wait out the rest, so a
        // chunk is never delayed less than the toxic says. A removed or updated toxic releases it at once.
        for (let rest = due - performance.now(); rest > 0; rest = due - performance.now())
          if (!(await abortableWait(Math.ceil(rest), control.signal))) break;
        return control.emit({ data, time: due });
      }
      case 'bandwidth':
        return this.bandwidth(item, attr('rate'), control);
      case 'slow_close':
        if (data === null) await abortableWait(attr('delay'), control.signal);
        return control.emit(item);
      case 'timeout':
        // Data is dropped on the floor; the end of the stream still closes the connection.
        if (data === null) return control.emit(item);
        return;
      case 'reset_peer':
        if (await abortableWait(attr('timeout'), control.signal)) {
          control.reset();
          return;
        }
        return control.emit(item);
      case 'slicer':
        return this.slicer(item, attr('average_size'), attr('size_variation'), attr('delay'), control);
      case 'limit_data': {
        if (data === null) return control.emit(item);
        const remaining = attr('bytes') - this.passed;
        if (remaining > 0) {
          const piece = data.length > remaining ? data.subarray(0, remaining) : data;
          this.passed += piece.length;
          await control.emit({ data: piece, time: item.time });
        }
        if (this.passed >= attr('bytes')) control.close();
        return;
      }
    }
  }

  private async bandwidth(item: ChainItem, rate: number, control: LinkControl): Promise<void> {
    let data = item.data;
    if (data === null) return control.emit(item);
    if (rate <= 0) {
      await abortableWait(Infinity, control.signal);
      return control.emit(item);
    }
    // rate is KB/s = bytes per millisecond; big chunks go out in 100 ms slices.
    const slice = rate * 100;
    while (data.length > 0) {
      const piece = data.length > slice ? data.subarray(0, slice) : data;
      const now = performance.now();
      this.nextFree = Math.max(now, this.nextFree) + piece.length / rate;
      if (!(await abortableWait(this.nextFree - now, control.signal))) {
        return control.emit({ data, time: item.time });
      }
      await control.emit({ data: piece, time: item.time });
      data = data.subarray(piece.length);
    }
  }

  private async slicer(
    item: ChainItem,
    average: number,
    variation: number,
    delayMicros: number,
    control: LinkControl,
  ): Promise<void> {
    const data = item.data;
    if (data === null) return control.emit(item);
    let offset = 0;
    for (const size of slicePieces(data.length, average, variation)) {
      if (offset > 0 && delayMicros > 0 && !(await abortableWait(delayMicros / 1000, control.signal))) break;
      await control.emit({ data: data.subarray(offset, offset + size), time: item.time });
      offset += size;
    }
    if (offset < data.length) await control.emit({ data: data.subarray(offset), time: item.time });
  }
}
