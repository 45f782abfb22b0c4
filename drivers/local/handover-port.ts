/**
 * A port for a program that cannot bind port 0 itself (PostgreSQL): we pick it, test-bind it, release it
 * and hand it over. Picked below the kernel's ephemeral range, because a port from that range can be
 * taken in the gap by anything that binds port 0 or connects (our own proxies and APIs do both at that
 * moment), and then PostgreSQL exits with "Address already in use". The kernel never hands out a port
 * below the range on its own, so only a program that asks for that exact port could still take it.
 */
import { readFileSync } from 'node:fs';
import { probeBind, tryBind } from './loopback.js';

/** Linux's default lower bound, and what we assume where /proc does not say (macOS starts at 49152). */
const DEFAULT_EPHEMERAL_LOW = 32768;
const RANGE_SIZE = 12_000;
const LOWEST = 1024;
const ATTEMPTS = 64;

export function ephemeralLow(rangeFile = '/proc/sys/net/ipv4/ip_local_port_range'): number {
  try {
    const low = Number.parseInt(readFileSync(rangeFile, 'utf8').trim().split(/\s+/)[0] ?? '', 10);
    return Number.isInteger(low) && low > LOWEST ? low : DEFAULT_EPHEMERAL_LOW;
  } catch {
    return DEFAULT_EPHEMERAL_LOW;
  }
}

/** The ports we pick from: the RANGE_SIZE ports just below the ephemeral range (never below 1024). */
export function handoverRange(low = ephemeralLow()): { from: number; to: number } {
  return { from: Math.max(LOWEST, low - RANGE_SIZE), to: low - 1 };
}

/** A free port on `host` outside the ephemeral range; an OS-chosen one if none of ATTEMPTS is free. */
export async function handoverPort(host: string, random: () => number = Math.random): Promise<number> {
  const { from, to } = handoverRange();
  for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
    const port = from + Math.floor(random() * (to - from + 1));
    if (await tryBind(host, port)) return port;
  }
  return probeBind(host);
}
