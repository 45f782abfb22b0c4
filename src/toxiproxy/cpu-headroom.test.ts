import { describe, expect, it } from 'vitest';
import {
  cgroupQuotaCores,
  parseProcStat,
  CpuHeadroom,
  othersCores,
  readCpuTimes,
  usableCores,
  type CpuTimes,
} from './cpu-headroom.js';

/** Takes a due sample at once, so each answer reflects the interval just ended. */
const now = (sample: () => void): void => sample();

describe('CpuHeadroom', () => {
  it('counts the machine busy time that is not our own, in cores', () => {
    // 2 CPUs, 100 ms: 200 ms of CPU time, 150 busy, 100 of them ours
    const before: CpuTimes = { machineBusy: 1_000, machineTotal: 2_000, ownMs: 100, cpus: 2 };
    const after: CpuTimes = { machineBusy: 1_150, machineTotal: 2_200, ownMs: 200, cpus: 2 };
    expect(othersCores(before, after, 100)).toBeCloseTo(0.5);
    expect(othersCores(before, before, 0)).toBe(0);
  });

  it('has a spare core while the others leave one free, and re-samples only after the interval', () => {
    let clock = 0;
    let busy = 0;
    let own = 0;
    const samples: CpuTimes[] = [];
    const read = (): CpuTimes => {
      const sample = { machineBusy: busy, machineTotal: 2 * clock, ownMs: own, cpus: 2 };
      samples.push(sample);
      return sample;
    };
    const headroom = new CpuHeadroom({ intervalMs: 100, read, now: () => clock, usable: 2, defer: now });
    expect(headroom.hasSpareCore()).toBe(false); // nothing measured yet
    // 100 ms: we spun (100 ms), others used 50 ms (0.5 core): spare
    clock = 100;
    own += 100;
    busy += 150;
    expect(headroom.hasSpareCore()).toBe(true);
    // 200 ms: others used 150 ms of 100 (1.5 cores): no spare core
    clock = 200;
    busy += 150;
    expect(headroom.hasSpareCore()).toBe(false);
    // 300 ms: others used one core exactly (a busy core elsewhere, nothing else): not spare either
    clock = 300;
    busy += 100;
    expect(headroom.hasSpareCore()).toBe(false);
    // within the interval: the last answer, no new sample
    const taken = samples.length;
    clock = 350;
    expect(headroom.hasSpareCore()).toBe(false);
    expect(samples).toHaveLength(taken);
    // 400 ms: others used 0.8 cores, just over the 0.25 margin: not spare
    clock = 400;
    busy += 80;
    expect(headroom.hasSpareCore()).toBe(false);
    // 500 ms: others used 0.7 cores: spare
    clock = 500;
    busy += 70;
    expect(headroom.hasSpareCore()).toBe(true);
  });

  it('after a quiet spell, keeps its last answer and measures afresh instead of averaging over it', () => {
    let clock = 0;
    let busy = 0;
    const headroom = new CpuHeadroom({
      intervalMs: 100,
      read: () => ({ machineBusy: busy, machineTotal: 2 * clock, ownMs: 0, cpus: 2 }),
      now: () => clock,
      usable: 2,
      defer: now,
    });
    clock = 100;
    busy += 150; // 1.5 cores busy elsewhere
    expect(headroom.hasSpareCore()).toBe(false);
    // ten minutes nobody asked (the machine idle): their average would say "spare"; the last answer stands
    clock = 600_100;
    expect(headroom.hasSpareCore()).toBe(false);
    // the first fresh interval decides
    clock = 600_200;
    busy += 10;
    expect(headroom.hasSpareCore()).toBe(true);
  });

  it('never spins on one CPU', () => {
    const headroom = new CpuHeadroom({
      intervalMs: 100,
      read: () => ({ machineBusy: 0, machineTotal: 0, ownMs: 0, cpus: 1 }),
      now: () => 0,
      usable: 1,
      defer: now,
    });
    expect(headroom.hasSpareCore()).toBe(false);
  });

  it('reads real CPU times that only grow', () => {
    const first = readCpuTimes();
    let x = 0;
    for (let i = 0; i < 1e6; i++) x += i;
    const second = readCpuTimes();
    expect(x).toBeGreaterThan(0);
    expect(second.cpus).toBeGreaterThan(0);
    expect(second.machineBusy).toBeGreaterThanOrEqual(first.machineBusy);
    expect(second.machineTotal).toBeGreaterThanOrEqual(first.machineTotal);
    expect(second.ownMs).toBeGreaterThan(first.ownMs);
  });

  it('never spins when the process may use only one core (affinity or a container quota), however idle the machine', () => {
    let clock = 0;
    const idle = (): CpuTimes => ({ machineBusy: 0, machineTotal: 8 * clock, ownMs: 0, cpus: 8 });
    const headroom = new CpuHeadroom({
      intervalMs: 100,
      read: idle,
      now: () => clock,
      usable: 1.5,
      defer: now,
    });
    expect(headroom.hasSpareCore()).toBe(false);
    clock = 1_000;
    expect(headroom.hasSpareCore()).toBe(false);
  });

  it('reads the cgroup CPU quota, v2 first, then v1', () => {
    const files = (entries: Record<string, string>) => (path: string) => {
      const text = entries[path];
      if (text === undefined) throw Object.assign(new Error(`ENOENT ${path}`), { code: 'ENOENT' });
      return text;
    };
    expect(cgroupQuotaCores(files({ '/sys/fs/cgroup/cpu.max': '150000 100000\n' }))).toBe(1.5);
    expect(cgroupQuotaCores(files({ '/sys/fs/cgroup/cpu.max': 'max 100000\n' }))).toBeUndefined();
    const v1 = {
      '/sys/fs/cgroup/cpu/cpu.cfs_quota_us': '200000\n',
      '/sys/fs/cgroup/cpu/cpu.cfs_period_us': '100000\n',
    };
    expect(cgroupQuotaCores(files(v1))).toBe(2);
    expect(cgroupQuotaCores(files({ ...v1, '/sys/fs/cgroup/cpu/cpu.cfs_quota_us': '-1\n' }))).toBeUndefined();
    expect(cgroupQuotaCores(files({}))).toBeUndefined();
    expect(usableCores(files({ '/sys/fs/cgroup/cpu.max': '100000 100000' }))).toBe(1);
    expect(usableCores(files({}))).toBeGreaterThanOrEqual(1);
  });

  it('reads /proc/stat: busy is everything but idle and iowait, softirq and steal included', () => {
    const stat = [
      'cpu  100 10 50 800 20 5 30 15 0 0',
      'cpu0 50 5 25 400 10 3 15 7 0 0',
      'cpu1 50 5 25 400 10 2 15 8 0 0',
      'intr 12345',
    ].join('\n');
    expect(parseProcStat(stat)).toEqual({ machineBusy: 210, machineTotal: 1030, cpus: 2 });
    expect(parseProcStat('garbage')).toBeUndefined();
    expect(parseProcStat('cpu  1 2 3\ncpu0 1 2 3')).toBeUndefined();
  });

  it('takes a due sample after the I/O that asked, not inside it', () => {
    let clock = 0;
    let reads = 0;
    const queued: (() => void)[] = [];
    const headroom = new CpuHeadroom({
      intervalMs: 100,
      read: () => {
        reads += 1;
        return { machineBusy: 0, machineTotal: 2 * clock, ownMs: 0, cpus: 2 };
      },
      now: () => clock,
      usable: 2,
      defer: (sample) => queued.push(sample),
    });
    expect(reads).toBe(1); // the baseline
    clock = 100;
    expect(headroom.hasSpareCore()).toBe(false); // the last answer; the sample waits
    expect(headroom.hasSpareCore()).toBe(false);
    expect(reads).toBe(1);
    expect(queued).toHaveLength(1); // asked twice, queued once
    queued.shift()!();
    expect(reads).toBe(2);
    expect(headroom.hasSpareCore()).toBe(true); // an idle machine
  });
});
