/**
 * `host:port` addresses the way Go's net package reads them, and listening on one with Go-style
 * error messages (`listen tcp 127.0.0.1:8474: bind: address already in use`).
 */
import net from 'node:net';
import { lookup } from 'node:dns/promises';
import { ApiError } from './api-error.js';

export type HostPort = { ok: true; host: string; port: number } | { ok: false; error: string };

export function splitHostPort(address: string): HostPort {
  let host: string;
  let portText: string;
  if (address.startsWith('[')) {
    const close = address.indexOf(']');
    if (close < 0) return { ok: false, error: `address ${address}: missing ']' in address` };
    if (address[close + 1] !== ':')
      return { ok: false, error: `address ${address}: missing port in address` };
    host = address.slice(1, close);
    portText = address.slice(close + 2);
  } else {
    const colon = address.lastIndexOf(':');
    if (colon < 0) return { ok: false, error: `address ${address}: missing port in address` };
    host = address.slice(0, colon);
    portText = address.slice(colon + 1);
    if (host.includes(':')) return { ok: false, error: `address ${address}: too many colons in address` };
  }
  if (portText === '') portText = '0';
  if (!/^\d{1,5}$/.test(portText) || Number(portText) > 65535) {
    return { ok: false, error: `address ${portText}: invalid port` };
  }
  return { ok: true, host, port: Number(portText) };
}

export function formatAddress(host: string, port: number): string {
  return net.isIPv6(host) ? `[${host}]:${port}` : `${host}:${port}`;
}

const bindErrors: Record<string, string> = {
  EADDRINUSE: 'bind: address already in use',
  EADDRNOTAVAIL: 'bind: cannot assign requested address',
  EACCES: 'bind: permission denied',
  EPERM: 'bind: operation not permitted',
};

/** Resolve a host like Go's Listen does: IP literals as they are, names to their first IPv4 address. */
async function resolveListenHost(host: string): Promise<string | undefined> {
  if (host === '') return undefined;
  if (net.isIP(host)) return host;
  const addresses = await lookup(host, { all: true });
  const chosen = addresses.find((entry) => entry.family === 4) ?? addresses[0];
  if (!chosen) throw new Error(`lookup ${host}: no such host`);
  return chosen.address;
}

export interface BoundListener {
  server: net.Server;
  /** The address actually bound, e.g. `127.0.0.1:37951` or `[::]:37951`. */
  address: string;
}

/** Listen on `listen` (`host:port`, port 0 = any); failures are 500 ApiErrors with Go's wording. */
export async function listenOn(listen: string, server: net.Server): Promise<BoundListener> {
  const fail = (detail: string): ApiError => new ApiError(500, `listen tcp ${listen}: ${detail}`);
  const parsed = splitHostPort(listen === '' ? ':0' : listen);
  if (!parsed.ok) throw new ApiError(500, `listen tcp ${listen}: ${parsed.error}`);
  let host: string | undefined;
  try {
    host = await resolveListenHost(parsed.host);
  } catch {
    throw fail(`lookup ${parsed.host}: no such host`);
  }
  await new Promise<void>((resolve, reject) => {
    const onError = (error: NodeJS.ErrnoException): void => {
      reject(fail(bindErrors[error.code ?? ''] ?? error.message));
    };
    server.once('error', onError);
    server.listen({ host, port: parsed.port, exclusive: true }, () => {
      server.off('error', onError);
      resolve();
    });
  });
  const bound = server.address() as net.AddressInfo;
  return { server, address: formatAddress(bound.address, bound.port) };
}
