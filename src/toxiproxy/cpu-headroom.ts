/**
 * Whether the machine has a core to spare for busy polling: the rest of the machine (every CPU's busy
 * time minus this process's own) must leave one whole core free, since a spinning proxy takes one.
 * Go's scheduler follows the same rule (it spins only while processors sit idle). Sampled from
 * /proc/stat (os.cpus() elsewhere) and process.cpuUsage() at most every `intervalMs`, only when asked.
 * The machine's busy time is everything but idle and iowait: on loopback much of the network work is
 * softirq time, and on a VM stolen time is a core we do not have; os.cpus() shows neither. Never when this process
 * may use fewer than two cores: CPU affinity (taskset) or a container's CPU quota (cgroup), which
 * os.cpus() does not show; spinning through a quota would get the proxy itself throttled.
 */
import { readFileSync } from 'node:fs';
import os from 'node:os';

/**
 * A quarter core of margin: the samples come in 10 ms ticks, and a core that is busy elsewhere with
 * pauses (between a benchmark's rounds, say) must not read as spare.
 */
const MARGIN_CORES = 0.25;

export interface CpuTimes {
  /** Busy and total time of all CPUs together, in any one unit (clock ticks). */
  machineBusy: number;
  machineTotal: number;
  /** This process's CPU time, ms. */
  ownMs: number;
  cpus: number;
}

type ReadText = (path: string) => string;
const readText: ReadText = (path) => readFileSync(path, 'utf8');

/** The cgroup CPU quota in cores (v2 `cpu.max`, else v1 `cpu.cfs_quota_us`), undefined when none. */
export function cgroupQuotaCores(read: ReadText = readText): number | undefined {
  const quotaOf = (quota: number, period: number): number | undefined =>
    Number.isFinite(quota) && Number.isFinite(period) && quota > 0 && period > 0 ? quota / period : undefined;
  try {
    const [quota, period] = read('/sys/fs/cgroup/cpu.max').trim().split(/\s+/);
    if (quota === 'max') return undefined;
    return quotaOf(Number(quota), Number(period));
  } catch {
    // not cgroup v2: try v1
  }
  try {
    const quota = Number(read('/sys/fs/cgroup/cpu/cpu.cfs_quota_us').trim());
    const period = Number(read('/sys/fs/cgroup/cpu/cpu.cfs_period_us').trim());
    return quotaOf(quota, period);
  } catch {
    return undefined;
  }
}

/** Cores this process may use: its CPU affinity and the cgroup quota, whichever allows fewer. */
export function usableCores(read: ReadText = readText): number {
  return Math.min(os.availableParallelism(), cgroupQuotaCores(read) ?? Number.POSITIVE_INFINITY);
}

/** The machine's times from /proc/stat's lines (Linux), undefined when they cannot be read. */
export function parseProcStat(
  text: string,
): Pick<CpuTimes, 'machineBusy' | 'machineTotal' | 'cpus'> | undefined {
  const lines = text.split('\n');
  const total = lines[0]?.startsWith('cpu ') ? lines[0].trim().split(/\s+/).slice(1).map(Number) : [];
  // user nice system idle iowait irq softirq steal (guest time is already inside user)
  if (total.length < 8 || total.some((n) => !Number.isFinite(n))) return undefined;
  const all = total.slice(0, 8).reduce((a, b) => a + b, 0);
  const idle = total[3]! + total[4]!;
  const cpus = lines.filter((line) => /^cpu\d+ /.test(line)).length;
  return cpus > 0 ? { machineBusy: all - idle, machineTotal: all, cpus } : undefined;
}

function readMachineTimes(): Pick<CpuTimes, 'machineBusy' | 'machineTotal' | 'cpus'> {
  try {
    const times = parseProcStat(readFileSync('/proc/stat', 'latin1'));
    if (times !== undefined) return times;
  } catch {
    // not Linux: os.cpus() below
  }
  const cpus = os.cpus();
  let busy = 0;
  let idle = 0;
  for (const { times } of cpus) {
    busy += times.user + times.nice + times.sys + times.irq;
    idle += times.idle;
  }
  return { machineBusy: busy, machineTotal: busy + idle, cpus: cpus.length };
}

export function readCpuTimes(): CpuTimes {
  const own = process.cpuUsage();
  return { ...readMachineTimes(), ownMs: (own.user + own.system) / 1000 };
}

/** Cores the rest of the machine used between two samples taken `elapsedMs` apart. */
export function othersCores(before: CpuTimes, after: CpuTimes, elapsedMs: number): number {
  const total = after.machineTotal - before.machineTotal;
  if (elapsedMs <= 0 || total <= 0) return 0;
  const machineCores = (after.cpus * (after.machineBusy - before.machineBusy)) / total;
  return Math.max(0, machineCores - (after.ownMs - before.ownMs) / elapsedMs);
}

export interface CpuHeadroomOptions {
  intervalMs?: number;
  read?: () => CpuTimes;
  now?: () => number;
  /** Cores this process may use (default usableCores()). */
  usable?: number;
  /** Runs a due sample later (default setImmediate): after the I/O that asked, not inside it. */
  defer?: (sample: () => void) => void;
}

export class CpuHeadroom {
  private readonly intervalMs: number;
  private readonly read: () => CpuTimes;
  private readonly now: () => number;
  private readonly usable: number;
  private readonly defer: (sample: () => void) => void;
  private last: CpuTimes;
  private lastAt: number;
  private spare = false; // until one interval has been measured
  private samplePending = false;

  constructor(options: CpuHeadroomOptions = {}) {
    this.intervalMs = options.intervalMs ?? 200;
    this.read = options.read ?? readCpuTimes;
    this.now = options.now ?? (() => performance.now());
    this.usable = options.usable ?? usableCores();
    this.defer = options.defer ?? ((sample) => setImmediate(sample));
    this.last = this.read();
    this.lastAt = this.now();
  }

  /**
   * True when the others left a core free over the last measured interval. Once an interval is over,
   * the next sample is taken after the current I/O (a /proc read costs 50–400 µs on a busy machine,
   * and the data path that asked should not wait for it).
   */
  hasSpareCore(): boolean {
    if (this.usable < 2) return false;
    if (!this.samplePending && this.now() - this.lastAt >= this.intervalMs) {
      this.samplePending = true;
      this.defer(this.sample);
    }
    return this.spare;
  }

  private readonly sample = (): void => {
    this.samplePending = false;
    const at = this.now();
    const sample = this.read();
    // After a quiet spell (nobody asked) the sample would average over minutes: keep the last answer
    // and measure afresh from now.
    if (at - this.lastAt <= 2 * this.intervalMs)
      this.spare =
        sample.cpus > 1 && othersCores(this.last, sample, at - this.lastAt) <= sample.cpus - 1 - MARGIN_CORES;
    this.last = sample;
    this.lastAt = at;
  };
}
