/**
 * One HTTP exchange on an undici Pool through `dispatch` (the cheapest path undici offers; never
 * fetch on the hot path). Collects status, the two headers the checkers need and the body bytes.
 *
 * The handler speaks undici's raw handler interface (onConnect/onHeaders/onData/onComplete/onError),
 * which undici's HTTP/1.1 core calls directly. A handler with the newer onRequestStart/onResponse*
 * methods gets wrapped per request (UnwrapHandler + controller) and every response's headers and
 * trailers parsed into objects; here the raw header list is scanned for the two names we need.
 */
import type { Dispatcher } from 'undici';
import { CANCELLED_ERROR } from '../history/attempt.js';
import { STACK_HEADERS } from '../contract/stack-http.js';

export interface HttpExchange {
  status: number;
  /** Network error name when status is 0: timeout, dial_timeout, ECONNREFUSED, ECONNRESET, aborted, ... */
  error?: string;
  body: string;
  servedBy?: string;
  epoch?: number;
}

export interface HttpRequestSpec {
  method: 'GET' | 'POST';
  path: string;
  headers: string[];
  body?: string;
  timeoutMs: number;
}

/** Cancels an exchange that has not finished (used to stop a run early). */
export interface Cancellable {
  cancel(): void;
}

export function errorName(error: unknown): string {
  const code = (error as { code?: unknown } | null)?.code;
  switch (code) {
    case 'UND_ERR_HEADERS_TIMEOUT':
    case 'UND_ERR_BODY_TIMEOUT':
    case 'ETIMEDOUT':
      return 'timeout';
    case 'UND_ERR_CONNECT_TIMEOUT':
      return 'dial_timeout';
    case 'UND_ERR_SOCKET':
    case 'ECONNRESET':
    case 'EPIPE':
      return 'ECONNRESET';
    case 'UND_ERR_ABORTED':
    case 'UND_ERR_DESTROYED':
    case 'UND_ERR_CLOSED':
      return CANCELLED_ERROR;
    default:
      return typeof code === 'string' && code !== '' ? code : 'error';
  }
}

const NO_BODY = Buffer.alloc(0);

function timedOutError(): Error {
  return Object.assign(new Error('request timed out'), { code: 'UND_ERR_ABORTED' });
}
const SERVED_BY = STACK_HEADERS.servedByRegion.toLowerCase();
const EPOCH = STACK_HEADERS.primaryEpoch.toLowerCase();

function headerText(value: Buffer | string): string {
  return typeof value === 'string' ? value : value.toString('latin1');
}

/** `name` equals `lowerName` ignoring ASCII case, without making a string (this runs per header). */
function isHeaderName(name: Buffer | string, lowerName: string): boolean {
  if (name.length !== lowerName.length) return false; // almost every header stops here
  for (let i = 0; i < lowerName.length; i++) {
    const c = typeof name === 'string' ? name.charCodeAt(i) : name[i]!;
    const expected = lowerName.charCodeAt(i);
    const isLetter = expected >= 0x61 && expected <= 0x7a;
    if ((isLetter ? c | 0x20 : c) !== expected) return false;
  }
  return true;
}

/**
 * Collects one response. Subclasses get `responseEnded()` exactly once, after the body completed
 * or the exchange failed (then `status` is 0 and `error` is set).
 */
export abstract class ResponseCollector implements Dispatcher.DispatchHandler, Cancellable {
  status = 0;
  error: string | undefined = undefined;
  servedBy: string | undefined = undefined;
  epoch: number | undefined = undefined;
  private chunk: Buffer | undefined = undefined;
  private chunks: Buffer[] | undefined = undefined;
  private abort: ((error?: Error) => void) | undefined = undefined;
  private cancelled = false;
  private timedOut = false;
  private over = false;

  protected abstract responseEnded(): void;

  /** True once the exchange completed, failed or timed out (`responseEnded()` was called). */
  get finished(): boolean {
    return this.over;
  }

  /** The response body's bytes (empty when none). */
  bodyBytes(): Buffer {
    if (this.chunks !== undefined) return Buffer.concat(this.chunks);
    return this.chunk ?? NO_BODY;
  }

  cancel(): void {
    this.cancelled = true;
    this.abort?.(
      Object.assign(new Error('request cancelled: the load run stopped'), { code: 'UND_ERR_ABORTED' }),
    );
  }

  /**
   * The client's deadline passed: end the exchange now as a timeout (status 0, error `timeout`) and
   * abort it, whatever the server sends later. A request still waiting for a connection is aborted
   * when it gets one, so it is never sent.
   */
  timeOut(): void {
    if (this.over) return;
    this.timedOut = true;
    this.fail('timeout');
    this.abort?.(timedOutError());
  }

  onConnect(abort: (error?: Error) => void): void {
    this.abort = abort;
    if (this.timedOut) abort(timedOutError());
    else if (this.cancelled) this.cancel();
  }

  onHeaders(statusCode: number, headers: Buffer[] | string[]): boolean {
    if (statusCode < 200 || this.over) return true; // 1xx informational, or too late
    this.status = statusCode;
    for (let i = 0; i + 1 < headers.length; i += 2) {
      const name = headers[i]!;
      if (isHeaderName(name, SERVED_BY)) this.servedBy ??= headerText(headers[i + 1]!);
      else if (isHeaderName(name, EPOCH)) {
        const n = Number(headerText(headers[i + 1]!));
        if (Number.isFinite(n)) this.epoch ??= n;
      }
    }
    return true;
  }

  onData(chunk: Buffer): boolean {
    if (this.over) return true;
    if (this.chunk === undefined) this.chunk = chunk;
    else (this.chunks ??= [this.chunk]).push(chunk);
    return true;
  }

  onComplete(): void {
    if (this.over) return;
    this.over = true;
    this.responseEnded();
  }

  onError(error: Error): void {
    if (this.over) return;
    this.fail(this.cancelled ? CANCELLED_ERROR : errorName(error));
  }

  private fail(error: string): void {
    this.over = true;
    this.status = 0;
    this.error = error;
    this.epoch = undefined;
    this.chunk = undefined;
    this.chunks = undefined;
    this.responseEnded();
  }
}

class CallbackExchange extends ResponseCollector {
  constructor(private readonly done: (exchange: HttpExchange) => void) {
    super();
  }

  protected responseEnded(): void {
    const exchange: HttpExchange = { status: this.status, body: this.bodyBytes().toString('utf8') };
    if (this.error !== undefined) exchange.error = this.error;
    if (this.servedBy !== undefined) exchange.servedBy = this.servedBy;
    if (this.epoch !== undefined) exchange.epoch = this.epoch;
    this.done(exchange);
  }
}

export function exchange(
  pool: Dispatcher,
  request: HttpRequestSpec,
  done: (exchange: HttpExchange) => void,
): Cancellable {
  const handler = new CallbackExchange(done);
  const options: Dispatcher.DispatchOptions = {
    method: request.method,
    path: request.path,
    headers: request.headers,
    headersTimeout: request.timeoutMs,
    bodyTimeout: request.timeoutMs,
  };
  if (request.body !== undefined) options.body = request.body;
  pool.dispatch(options, handler);
  return handler;
}
