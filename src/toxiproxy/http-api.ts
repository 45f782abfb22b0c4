/**
 * The Toxiproxy HTTP API on node:http: routing, body reading, JSON responses, request ids, the
 * browser (CSRF) guard. Requests are handled one at a time, like the real server's collection lock.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { randomUUID } from 'node:crypto';
import { ApiError } from './api-error.js';
import { parseJsonBody } from './decode.js';
import type { ProxyCollection } from './collection.js';
import { VERSION } from '../version.js';

const MAX_BODY_BYTES = 1024 * 1024;

type Handler = (params: string[], body: () => unknown) => Promise<Reply> | Reply;
interface Reply {
  status: number;
  body?: unknown;
  /** No route matched: gorilla/mux's plain-text 404, sent before any middleware (no request id). */
  unrouted?: true;
}

const NOT_FOUND_TEXT = '404 page not found\n';
const unrouted: Reply = { status: 404, unrouted: true };
type Route = { pattern: string[]; methods: Record<string, Handler> };

function routes(proxies: ProxyCollection): Route[] {
  const ok = (body: unknown, status = 200): Reply => ({ status, body });
  const noContent: Reply = { status: 204 };
  return [
    { pattern: ['version'], methods: { GET: () => ok({ version: VERSION }) } },
    {
      pattern: ['proxies'],
      methods: {
        GET: () => ok(proxies.listJson()),
        POST: async (_, body) => ok(await proxies.create(body()), 201),
      },
    },
    {
      pattern: ['populate'],
      methods: {
        POST: async (_, body) => {
          try {
            const result = await proxies.populate(body());
            if (!result.error) return ok({ proxies: result.proxies }, 201);
            const { status, message } = result.error;
            return ok({ error: message, status, proxies: result.proxies }, status);
          } catch (error) {
            if (!(error instanceof ApiError)) throw error;
            return ok({ error: error.message, status: error.status, proxies: [] }, error.status);
          }
        },
      },
    },
    {
      pattern: ['reset'],
      methods: {
        POST: async () => {
          await proxies.reset();
          return noContent;
        },
      },
    },
    {
      pattern: ['proxies', ':proxy'],
      methods: {
        GET: ([name]) => ok(proxies.get(name!).toJSON()),
        POST: async ([name], body) => ok(await proxies.update(name!, body())),
        PATCH: async ([name], body) => ok(await proxies.update(name!, body())),
        DELETE: ([name]) => {
          proxies.remove(name!);
          return noContent;
        },
      },
    },
    {
      pattern: ['proxies', ':proxy', 'toxics'],
      methods: {
        GET: ([name]) => ok(proxies.listToxics(name!)),
        POST: ([name], body) => {
          proxies.get(name!);
          return ok(proxies.addToxic(name!, body()));
        },
      },
    },
    {
      pattern: ['proxies', ':proxy', 'toxics', ':toxic'],
      methods: {
        GET: ([name, toxic]) => ok(proxies.getToxic(name!, toxic!)),
        POST: ([name, toxic], body) => {
          proxies.getToxic(name!, toxic!);
          return ok(proxies.updateToxic(name!, toxic!, body()));
        },
        PATCH: ([name, toxic], body) => {
          proxies.getToxic(name!, toxic!);
          return ok(proxies.updateToxic(name!, toxic!, body()));
        },
        DELETE: ([name, toxic]) => {
          proxies.removeToxic(name!, toxic!);
          return noContent;
        },
      },
    },
  ];
}

function match(pattern: string[], segments: string[]): string[] | undefined {
  if (pattern.length !== segments.length) return undefined;
  const params: string[] = [];
  for (const [index, part] of pattern.entries()) {
    const segment = segments[index]!;
    if (part.startsWith(':')) {
      if (segment === '') return undefined;
      params.push(segment);
    } else if (part !== segment) {
      return undefined;
    }
  }
  return params;
}

function send(response: ServerResponse, reply: Reply): void {
  if (reply.unrouted) {
    response.removeHeader('X-Toxiproxy-Request-Id');
    response.writeHead(reply.status, {
      'Content-Type': 'text/plain; charset=utf-8',
      'X-Content-Type-Options': 'nosniff',
      'Content-Length': Buffer.byteLength(NOT_FOUND_TEXT),
    });
    response.end(NOT_FOUND_TEXT);
    return;
  }
  if (reply.body === undefined) {
    response.writeHead(reply.status).end();
    return;
  }
  const isError = reply.status >= 400;
  const text = JSON.stringify(reply.body) + (isError ? '\n' : '');
  response.writeHead(reply.status, {
    'Content-Type': 'application/json',
    'Content-Length': Buffer.byteLength(text),
  });
  response.end(text);
}

function errorReply(status: number, message: string): Reply {
  return { status, body: { error: message, status } };
}

function readBody(request: IncomingMessage): Promise<string | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_BODY_BYTES) chunks.push(chunk);
    });
    request.on('end', () =>
      resolve(size > MAX_BODY_BYTES ? undefined : Buffer.concat(chunks).toString('utf8')),
    );
    request.on('error', reject);
  });
}

export interface ApiHandlerOptions {
  log: (record: Record<string, unknown>) => void;
}

export function createApiHandler(
  proxies: ProxyCollection,
  options: ApiHandlerOptions,
): (request: IncomingMessage, response: ServerResponse) => void {
  const table = routes(proxies);
  let queue: Promise<void> = Promise.resolve();

  async function handle(request: IncomingMessage, rawBody: string | undefined): Promise<Reply> {
    const rawPath = (request.url ?? '/').split('?')[0]!;
    let path: string;
    try {
      path = decodeURIComponent(rawPath);
    } catch {
      return errorReply(400, 'bad request: malformed URL path');
    }
    if (!path.startsWith('/')) return unrouted;
    const segments = path.slice(1).split('/');
    for (const route of table) {
      const params = match(route.pattern, segments);
      if (!params) continue;
      const handler = route.methods[request.method ?? ''];
      if (!handler) return errorReply(405, 'method not allowed');
      // The browser guard is middleware: like the real server's, it runs only once a route matched.
      if ((request.headers['user-agent'] ?? '').startsWith('Mozilla/'))
        return errorReply(403, 'User agent not allowed');
      if (rawBody === undefined)
        return errorReply(413, `request body too large (limit ${MAX_BODY_BYTES} bytes)`);
      let decoded: { value: unknown } | undefined;
      const body = (): unknown => (decoded ??= { value: parseJsonBody(rawBody) }).value;
      try {
        return await handler(params, body);
      } catch (error) {
        if (error instanceof ApiError) return errorReply(error.status, error.message);
        throw error;
      }
    }
    return unrouted;
  }

  return (request, response) => {
    response.setHeader('X-Toxiproxy-Request-Id', randomUUID());
    const respond = (reply: Reply): void => {
      if (!response.destroyed) send(response, reply);
      options.log({ event: 'api_request', method: request.method, url: request.url, status: reply.status });
    };
    const failed = (error: unknown): void => {
      const message = error instanceof Error ? error.message : String(error);
      options.log({ event: 'api_error', method: request.method, url: request.url, error: message });
      respond(errorReply(500, message));
    };
    readBody(request).then((rawBody) => {
      // One request at a time, like the real server's collection lock.
      const work = (): Promise<void> => handle(request, rawBody).then(respond, failed);
      queue = queue.then(work, work);
    }, failed);
  };
}
