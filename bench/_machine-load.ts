/**
 * How busy the machine was during a benchmark phase, and how much of that was the benchmark's own
 * processes: on a shared machine, figures mean little without it. Shares are of the whole machine
 * (all cores = 100 %). Read from /proc (Linux); elsewhere the shares are null.
 */
import { readFileSync } from 'node:fs';
import { parseProcStat } from '../src/toxiproxy/cpu-headroom.js';

export interface PhaseLoad {
  /** Wall time of the phase, ms. */
  wallMs: number;
  /** Share of all cores busy during the phase, whoever used them. */
  machineBusyPercent: number | null;
  /** Share used by the benchmark's own processes (this one and `pids`). */
  ownPercent: number | null;
  /** machineBusyPercent - ownPercent: about what other people's work took (kernel time on behalf of
   * a process is not always charged to it, so this is approximate). */
  othersPercent: number | null;
}

/** Busy and total CPU time of the machine in ms (/proc/stat, 100 ticks per second), null if unknown. */
function machineCpuMs(): { busy: number; total: number } | null {
  try {
    const times = parseProcStat(readFileSync('/proc/stat', 'latin1'));
    return times === undefined ? null : { busy: times.machineBusy * 10, total: times.machineTotal * 10 };
  } catch {
    return null;
  }
}

/** user + system CPU of a process in ms (/proc/<pid>/stat, 100 ticks per second), null if unknown. */
function processCpuMs(pid: number): number | null {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return (Number(fields[11]) + Number(fields[12])) * 10;
  } catch {
    return null;
  }
}

function ownCpuMs(pids: readonly number[]): number | null {
  const { user, system } = process.cpuUsage();
  let sum = (user + system) / 1000;
  for (const pid of pids) {
    const ms = processCpuMs(pid);
    if (ms === null) return null;
    sum += ms;
  }
  return sum;
}

const percent = (part: number, whole: number): number => Math.round((1000 * part) / whole) / 10;

/** Run `phase` and report how busy the machine was meanwhile (`pids`: the benchmark's children). */
export async function measurePhase<T>(
  pids: readonly number[],
  phase: () => Promise<T>,
): Promise<{ result: T; load: PhaseLoad }> {
  const start = performance.now();
  const machineBefore = machineCpuMs();
  const ownBefore = ownCpuMs(pids);
  const result = await phase();
  const machineAfter = machineCpuMs();
  const ownAfter = ownCpuMs(pids);
  if (machineBefore === null || machineAfter === null) {
    const load = { machineBusyPercent: null, ownPercent: null, othersPercent: null };
    return { result, load: { wallMs: Math.round(performance.now() - start), ...load } };
  }
  const total = machineAfter.total - machineBefore.total;
  const busy = machineAfter.busy - machineBefore.busy;
  const own = ownBefore === null || ownAfter === null ? null : ownAfter - ownBefore;
  return {
    result,
    load: {
      wallMs: Math.round(performance.now() - start),
      machineBusyPercent: percent(busy, total),
      ownPercent: own === null ? null : percent(own, total),
      othersPercent: own === null ? null : percent(Math.max(0, busy - own), total),
    },
  };
}
