/**
 * A port for a program that cannot bind port 0 itself (PostgreSQL): we pick it, test-bind it, release it
 * and hand it over. Picked outside the kernel's ephemeral range, because a port from that range can be
 * taken in the gap by anything that binds port 0 or connects (our own proxies and APIs do both at that
 * moment), and then PostgreSQL exits with "Address already in use". The kernel never hands out a port
 * outside the range on its own, so only a program that asks for that exact port could still take it.
 * Ports handed out by this process are not handed out again (regions may share one address).
 */
import { readFileSync } from 'node:fs';
import { probeBind, tryBind } from './loopback.js';

export interface PortRange {
  from: number;
  to: number;
}

/** Linux's default, and what we assume where /proc does not say (macOS uses 49152–65535). */
const DEFAULT_EPHEMERAL: PortRange = { from: 32768, to: 60999 };
const LOWEST = 1024;
const HIGHEST = 65535;
/** Ports we pick from: up to this many just below the ephemeral range, or else above it. */
const RANGE_SIZE = 12_000;
/** A side with fewer free ports than this is not used. */
const MIN_RANGE = 1_000;
const ATTEMPTS = 64;

const handedOut = new Set<string>();

export function ephemeralRange(rangeFile = '/proc/sys/net/ipv4/ip_local_port_range'): PortRange {
  try {
    const [from, to] = readFileSync(rangeFile, 'utf8').trim().split(/\s+/).map(Number);
    const valid = (n: number | undefined): n is number => Number.isInteger(n) && n! >= 1 && n! <= HIGHEST;
    return valid(from) && valid(to) && from <= to ? { from, to } : DEFAULT_EPHEMERAL;
  } catch {
    return DEFAULT_EPHEMERAL;
  }
}

/**
 * The ports we pick from: the RANGE_SIZE ports just below the ephemeral range (never below 1024), or
 * those above it when too few are below; undefined when neither side has MIN_RANGE ports.
 */
export function handoverRange(ephemeral: PortRange = ephemeralRange()): PortRange | undefined {
  const below = { from: Math.max(LOWEST, ephemeral.from - RANGE_SIZE), to: ephemeral.from - 1 };
  if (below.to - below.from + 1 >= MIN_RANGE) return below;
  const above = { from: ephemeral.to + 1, to: Math.min(HIGHEST, ephemeral.to + RANGE_SIZE) };
  if (above.to - above.from + 1 >= MIN_RANGE) return above;
  return undefined;
}

/**
 * A free port on `host` outside the ephemeral range, not handed out before by this process; an
 * OS-chosen one (ephemeral, so the race is back, hence `onFallback`) when none can be found.
 */
export async function handoverPort(
  host: string,
  options: { random?: () => number; range?: PortRange | undefined; onFallback?: (why: string) => void } = {},
): Promise<number> {
  const random = options.random ?? Math.random;
  const range = 'range' in options ? options.range : handoverRange();
  if (range !== undefined) {
    for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
      const port = range.from + Math.floor(random() * (range.to - range.from + 1));
      const key = `${host}:${port}`;
      if (handedOut.has(key) || !(await tryBind(host, port))) continue;
      handedOut.add(key);
      return port;
    }
  }
  options.onFallback?.(
    range === undefined
      ? 'no room outside the ephemeral port range'
      : `no free port among ${ATTEMPTS} tries in ${range.from}-${range.to}`,
  );
  const port = await probeBind(host);
  handedOut.add(`${host}:${port}`);
  return port;
}
