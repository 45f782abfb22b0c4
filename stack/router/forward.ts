/**
 * Forward one HTTP request to a region's API through its undici Pool, streaming both bodies, and map
 * network failures to gateway statuses.
 */
import type { IncomingHttpHeaders, IncomingMessage, OutgoingHttpHeaders, ServerResponse } from 'node:http';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Dispatcher, Pool } from 'undici';

// Hop-by-hop headers (RFC 9110 §7.6.1) belong to one connection and are never forwarded; `host` names the
// router, the upstream gets its own.
const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'proxy-authenticate',
  'proxy-authorization',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
  'host',
]);

// Failures before a single byte of the request left: the request cannot have had an effect.
const NOT_SENT_CODES = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EAI_AGAIN',
  'UND_ERR_CONNECT_TIMEOUT',
]);
const TIMEOUT_CODES = new Set(['UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT']);

export function requestHeaders(req: IncomingMessage): Record<string, string | string[]> {
  const headers: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(req.headers)) {
    if (value !== undefined && !HOP_BY_HOP.has(name)) headers[name] = value;
  }
  const forwardedFor = req.socket?.remoteAddress;
  if (forwardedFor) {
    const previous = req.headers['x-forwarded-for'];
    headers['x-forwarded-for'] = previous ? `${String(previous)}, ${forwardedFor}` : forwardedFor;
  }
  if (req.headers.host) headers['x-forwarded-host'] = req.headers.host;
  return headers;
}

export function responseHeaders(headers: IncomingHttpHeaders, region: string): OutgoingHttpHeaders {
  const out: OutgoingHttpHeaders = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value !== undefined && !HOP_BY_HOP.has(name)) out[name] = value;
  }
  out['x-routed-to'] = region;
  return out;
}

export function errorCode(error: unknown): string {
  const err = error as { code?: unknown; cause?: { code?: unknown } };
  const code = err.code ?? err.cause?.code;
  return typeof code === 'string' ? code : 'UNKNOWN';
}

/** Nothing was sent: safe to try another region, even for a POST. */
export function notSent(error: unknown): boolean {
  return NOT_SENT_CODES.has(errorCode(error));
}

export function gatewayStatus(error: unknown): 502 | 504 {
  return TIMEOUT_CODES.has(errorCode(error)) ? 504 : 502;
}

const hasBody = (req: IncomingMessage): boolean =>
  req.headers['transfer-encoding'] !== undefined ||
  (req.headers['content-length'] !== undefined && req.headers['content-length'] !== '0');

export interface LazyBody {
  /** A fresh stream for one upstream attempt (reads `req` only when undici pulls from it). */
  stream(): Readable | null;
  /** Whether any attempt has pulled from the client's body (then no other attempt may be made). */
  started(): boolean;
}

/**
 * The request body, read from the client only when undici starts sending it. An attempt that fails to
 * connect destroys its stream without having read from `req`, so the next region can still get the body.
 */
export function lazyBody(req: IncomingMessage): LazyBody {
  let started = false;
  return {
    started: () => started,
    stream: () => {
      if (!hasBody(req)) return null;
      const stream: Readable = new Readable({
        read() {
          if (started) {
            req.resume();
            return;
          }
          started = true;
          req.on('data', (chunk: Buffer) => {
            if (!stream.push(chunk)) req.pause();
          });
          req.once('end', () => stream.push(null));
          req.once('error', (error) => stream.destroy(error));
        },
      });
      return stream;
    },
  };
}

/**
 * Send `req` to `pool` and stream the answer into `res`. Resolves once the response is fully written;
 * rejects with the upstream error if nothing was written yet (the caller answers with a gateway status
 * or tries another region), or destroys `res` if the failure came mid-response.
 */
export async function forward(
  pool: Pool,
  region: string,
  req: IncomingMessage,
  res: ServerResponse,
  signal: AbortSignal,
  body: LazyBody,
): Promise<void> {
  const options: Dispatcher.RequestOptions = {
    method: req.method ?? 'GET',
    path: req.url ?? '/',
    headers: requestHeaders(req),
    body: body.stream(),
    signal,
  };
  const upstream = await pool.request(options);
  res.writeHead(upstream.statusCode, responseHeaders(upstream.headers, region));
  try {
    await pipeline(upstream.body, res);
  } catch (error) {
    res.destroy(error as Error);
  }
}
