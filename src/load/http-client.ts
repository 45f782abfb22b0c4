/**
 * One HTTP exchange on an undici Pool through `dispatch` (the cheapest path undici offers; never
 * fetch on the hot path). Collects status, the two headers the checkers need and the body text.
 */
import type { Dispatcher } from 'undici';

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
      return 'aborted';
    default:
      return typeof code === 'string' && code !== '' ? code : 'error';
  }
}

function header(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

class ExchangeHandler implements Dispatcher.DispatchHandler, Cancellable {
  private controller: Dispatcher.DispatchController | undefined;
  private cancelled = false;
  private finished = false;
  private status = 0;
  private servedBy: string | undefined;
  private epoch: number | undefined;
  private chunks: Buffer[] = [];

  constructor(private readonly done: (exchange: HttpExchange) => void) {}

  cancel(): void {
    this.cancelled = true;
    this.controller?.abort(
      Object.assign(new Error('request cancelled: the load run stopped'), { code: 'UND_ERR_ABORTED' }),
    );
  }

  onRequestStart(controller: Dispatcher.DispatchController): void {
    this.controller = controller;
    if (this.cancelled) this.cancel();
  }

  onResponseStart(
    _controller: Dispatcher.DispatchController,
    statusCode: number,
    headers: Record<string, string | string[] | undefined>,
  ): void {
    if (statusCode < 200) return; // 1xx informational
    this.status = statusCode;
    this.servedBy = header(headers['x-served-by-region']);
    const epoch = header(headers['x-primary-epoch']);
    if (epoch !== undefined) {
      const n = Number(epoch);
      if (Number.isFinite(n)) this.epoch = n;
    }
  }

  onResponseData(_controller: Dispatcher.DispatchController, chunk: Buffer): void {
    this.chunks.push(chunk);
  }

  onResponseEnd(): void {
    if (this.finished) return;
    this.finished = true;
    const body =
      this.chunks.length === 1
        ? this.chunks[0]!.toString('utf8')
        : Buffer.concat(this.chunks).toString('utf8');
    const exchange: HttpExchange = { status: this.status, body };
    if (this.servedBy !== undefined) exchange.servedBy = this.servedBy;
    if (this.epoch !== undefined) exchange.epoch = this.epoch;
    this.done(exchange);
  }

  onResponseError(_controller: Dispatcher.DispatchController, error: Error): void {
    if (this.finished) return;
    this.finished = true;
    const exchange: HttpExchange = {
      status: 0,
      error: this.cancelled ? 'aborted' : errorName(error),
      body: '',
    };
    if (this.servedBy !== undefined) exchange.servedBy = this.servedBy;
    this.done(exchange);
  }
}

export function exchange(
  pool: Dispatcher,
  request: HttpRequestSpec,
  done: (exchange: HttpExchange) => void,
): Cancellable {
  const handler = new ExchangeHandler(done);
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
