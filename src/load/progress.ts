/**
 * Live progress of a load run, written to a stream the caller gives (the CLI passes stderr; library
 * code never touches process.stdout). On a TTY: one line redrawn every second. Otherwise: a plain
 * status line every 5 s. `quiet`: nothing.
 */
import type { LoadStats, IntervalSnapshot } from './stats.js';

export type ProgressMode = 'auto' | 'tty' | 'plain' | 'quiet';

export interface ProgressStatus {
  /** Run phase supplied by the caller: steady-state, faults, heal, settle... */
  phase?: string;
  /** Names of the faults active now. */
  faults?: string[];
}

export interface ProgressOptions {
  stream: NodeJS.WritableStream & { isTTY?: boolean; columns?: number };
  stats: LoadStats;
  mode?: ProgressMode;
  status?: () => ProgressStatus;
  /** Defaults: 1000 ms on a TTY, 5000 ms otherwise. */
  intervalMs?: number;
}

function fixed(n: number, digits = 0): string {
  return n.toFixed(digits);
}

export function formatProgressLine(snapshot: IntervalSnapshot, status: ProgressStatus = {}): string {
  const parts = [
    `${fixed(snapshot.elapsedS)}s`,
    status.phase ?? 'load',
    `${fixed(snapshot.rate)} req/s`,
    `ok ${fixed(snapshot.okPerS)}/s`,
    `fail ${fixed(snapshot.failPerS)}/s`,
    `info ${fixed(snapshot.infoPerS)}/s`,
    `p99 ${fixed(snapshot.p99Ms, 1)} ms`,
    `in-flight ${snapshot.inFlight}`,
    `dropped ${snapshot.dropped}`,
  ];
  const faults = status.faults ?? [];
  parts.push(faults.length === 0 ? 'faults: none' : `faults: ${faults.join(', ')}`);
  return parts.join(' | ');
}

export class ProgressReporter {
  private readonly options: ProgressOptions;
  private readonly mode: Exclude<ProgressMode, 'auto'>;
  private timer: NodeJS.Timeout | undefined;
  private drewTtyLine = false;

  constructor(options: ProgressOptions) {
    this.options = options;
    const mode = options.mode ?? 'auto';
    this.mode = mode === 'auto' ? (options.stream.isTTY === true ? 'tty' : 'plain') : mode;
  }

  start(): this {
    if (this.mode === 'quiet' || this.timer !== undefined) return this;
    const interval = this.options.intervalMs ?? (this.mode === 'tty' ? 1000 : 5000);
    this.options.stats.takeInterval(performance.now()); // start the first interval now
    this.timer = setInterval(() => this.render(), interval);
    this.timer.unref();
    return this;
  }

  /** Draw one update now (also what the timer calls). */
  render(): void {
    if (this.mode === 'quiet') return;
    const line = formatProgressLine(
      this.options.stats.takeInterval(performance.now()),
      this.options.status?.(),
    );
    if (this.mode === 'tty') {
      const width = this.options.stream.columns ?? 120;
      this.options.stream.write(`\r\x1b[2K${line.length > width - 1 ? line.slice(0, width - 1) : line}`);
      this.drewTtyLine = true;
    } else {
      this.options.stream.write(`${line}\n`);
    }
  }

  /** Stop updating; on a TTY, end the redrawn line so later output starts on a fresh line. */
  stop(): void {
    if (this.timer !== undefined) clearInterval(this.timer);
    this.timer = undefined;
    if (this.drewTtyLine) this.options.stream.write('\n');
    this.drewTtyLine = false;
  }

  [Symbol.dispose](): void {
    this.stop();
  }
}
