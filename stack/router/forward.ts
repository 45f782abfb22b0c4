/**
 * Forward one HTTP request to a region's API through its undici Pool and map network failures to
 * gateway statuses. The hot path (a small payment) costs one socket write each way: a request body of up
 * to 64 KiB with a Content-Length is read whole first (it arrives in a segment or two) and sent as a
 * Buffer with the headers; the answer goes out as headers + first chunk in one write, later chunks stream
 * with backpressure. Larger or chunked request bodies stream.
 */
import type { IncomingHttpHeaders, IncomingMessage, OutgoingHttpHeaders, ServerResponse } from 'node:http';
import { Readable } from 'node:stream';
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

/** Request bodies up to this size (with a Content-Length) are read whole before forwarding. */
export const MAX_BUFFERED_BODY = 64 * 1024;

/** The client's headers for the upstream, as undici's flat `[name, value, ...]` list. */
export function requestHeaders(req: IncomingMessage): string[] {
  const raw = req.rawHeaders;
  const headers: string[] = [];
  let forwardedFor: string | undefined;
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i]!.toLowerCase();
    if (HOP_BY_HOP.has(name)) continue;
    if (name === 'x-forwarded-for') {
      forwardedFor = forwardedFor === undefined ? raw[i + 1]! : `${forwardedFor}, ${raw[i + 1]!}`;
      continue;
    }
    headers.push(name, raw[i + 1]!);
  }
  const remote = req.socket?.remoteAddress;
  if (remote) forwardedFor = forwardedFor === undefined ? remote : `${forwardedFor}, ${remote}`;
  if (forwardedFor !== undefined) headers.push('x-forwarded-for', forwardedFor);
  if (req.headers.host) headers.push('x-forwarded-host', req.headers.host);
  return headers;
}

export function responseHeaders(headers: IncomingHttpHeaders, region: string): OutgoingHttpHeaders {
  const out: OutgoingHttpHeaders = {};
  for (const name in headers) {
    const value = headers[name];
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

/** The request body as each upstream attempt gets it. */
export interface RequestBody {
  /** What undici sends for one attempt. */
  forAttempt(): Buffer | Readable | null;
  /** Whether another attempt may still be made (the body can be sent again). */
  resendable(): boolean;
}

const NO_BODY: RequestBody = { forAttempt: () => null, resendable: () => true };

/**
 * The client's request body: read whole when it is small and has a Content-Length (a Buffer can be sent
 * to the next region after a refused connection); otherwise a lazy stream (see `lazyBody`).
 */
export async function requestBody(req: IncomingMessage): Promise<RequestBody> {
  const length = req.headers['content-length'];
  const chunked = req.headers['transfer-encoding'] !== undefined;
  if (!chunked && (length === undefined || length === '0')) return NO_BODY;
  const size = Number(length);
  if (chunked || !(size <= MAX_BUFFERED_BODY)) return lazyBody(req);
  const whole = await new Promise<Buffer>((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.once('end', () => resolve(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks)));
    req.once('error', reject);
    req.once('close', () => {
      if (!req.complete) reject(new Error('the client closed its connection before sending the whole body'));
    });
  });
  return { forAttempt: () => whole, resendable: () => true };
}

/**
 * A large body, read from the client only when undici starts sending it. An attempt that fails to
 * connect destroys its stream without having read from `req`, so the next region can still get the body.
 * (undici destroys a failed attempt's body stream: it must be this wrapper, never `req` itself.)
 */
function lazyBody(req: IncomingMessage): RequestBody {
  let started = false;
  return {
    resendable: () => !started,
    forAttempt: () => {
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
 * undici dispatch handler that writes the upstream's answer into `res`. The first chunk is held until the
 * next one (or the end) arrives, so a small answer leaves in one write with its headers.
 */
class ResponseWriter implements Dispatcher.DispatchHandler {
  #pending: Buffer | null = null;
  #controller: Dispatcher.DispatchController | null = null;
  #settled = false;

  constructor(
    private readonly res: ServerResponse,
    private readonly region: string,
    private readonly resolve: () => void,
    private readonly reject: (error: Error) => void,
  ) {}

  onRequestStart(controller: Dispatcher.DispatchController): void {
    this.#controller = controller;
    // the client went away before we got here: do not send on its behalf
    if (this.res.destroyed) controller.abort(new Error('client closed the connection'));
  }

  onResponseStart(
    _controller: Dispatcher.DispatchController,
    statusCode: number,
    headers: IncomingHttpHeaders,
  ): void {
    this.res.writeHead(statusCode, responseHeaders(headers, this.region));
  }

  onResponseData(controller: Dispatcher.DispatchController, chunk: Buffer): void {
    const previous = this.#pending;
    this.#pending = chunk;
    if (previous !== null && !this.res.write(previous)) {
      controller.pause();
      this.res.once('drain', () => controller.resume());
    }
  }

  onResponseEnd(): void {
    const last = this.#pending;
    this.#pending = null;
    if (last === null) this.res.end();
    else this.res.end(last);
    this.#settle();
  }

  onResponseError(_controller: Dispatcher.DispatchController, error: Error): void {
    if (this.res.headersSent) {
      this.res.destroy(error);
      this.#settle();
    } else if (!this.#settled) {
      this.#settled = true;
      this.reject(error);
    }
  }

  /** The client closed its connection before the answer was complete: stop the upstream request. */
  clientClosed(): void {
    if (!this.#settled) this.#controller?.abort(new Error('client closed the connection'));
  }

  #settle(): void {
    if (this.#settled) return;
    this.#settled = true;
    this.resolve();
  }
}

/**
 * Send `req` to `pool` and stream the answer into `res`. Resolves once the response is fully written
 * (or the client went away); rejects with the upstream error if nothing was written yet (the caller
 * answers with a gateway status or tries another region), or destroys `res` if the failure came
 * mid-response.
 */
export function forward(
  pool: Pool,
  region: string,
  req: IncomingMessage,
  res: ServerResponse,
  headers: string[],
  body: RequestBody,
): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const writer = new ResponseWriter(res, region, resolve, reject);
    const onClose = () => {
      if (!res.writableFinished) writer.clientClosed();
    };
    res.once('close', onClose);
    pool.dispatch(
      {
        method: req.method ?? 'GET',
        path: req.url ?? '/',
        headers,
        body: body.forAttempt(),
      },
      writer,
    );
  });
}
