/**
 * The owner's control API (HTTP on 127.0.0.1, port from the OS, URL in the state file): lets another
 * process — `chaosbank fault`, `chaosbank down` — run process actions with the owner's handles (restart
 * needs them) and ask for an orderly down.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  ChaosbankError,
  EnvironmentError,
  InputError,
  isChaosbankError,
  isErrorCode,
} from '../../src/contract/errors.js';
import type { StartedStack } from '../driver.js';
import type { ProcessAction } from '../../src/contract/process-action.js';

const ACTIONS = new Set<ProcessAction>(['kill', 'pause', 'resume', 'restart']);

export interface ControlServer {
  url: string;
  close(): Promise<void>;
}

async function readBody(req: http.IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const text = Buffer.concat(chunks).toString('utf8');
  return text === '' ? {} : JSON.parse(text);
}

function sendError(res: http.ServerResponse, error: unknown): void {
  const body = isChaosbankError(error)
    ? { code: error.code, message: error.message, details: error.details, exitCode: error.exitCode }
    : {
        code: 'INTERNAL',
        message: error instanceof Error ? error.message : String(error),
        details: [],
        exitCode: 3,
      };
  res.writeHead(isChaosbankError(error) && error.exitCode === 2 ? 400 : 500, {
    'content-type': 'application/json',
  });
  res.end(JSON.stringify(body));
}

export function startControlServer(stack: StartedStack, onDown: () => void): Promise<ControlServer> {
  const server = http.createServer((req, res) => {
    void (async () => {
      try {
        if (req.method === 'POST' && req.url === '/action') {
          const body = (await readBody(req)) as { component?: unknown; action?: unknown };
          if (typeof body.component !== 'string' || !ACTIONS.has(body.action as ProcessAction))
            throw new InputError(
              'BAD_ACTION',
              'expected {"component": "<id>", "action": "kill|pause|resume|restart"}',
            );
          await stack.processAction(body.component, body.action as ProcessAction);
          res.writeHead(204).end();
        } else if (req.method === 'POST' && req.url === '/down') {
          res.writeHead(202).end();
          onDown();
        } else if (req.method === 'GET' && req.url === '/healthz') {
          res.writeHead(200, { 'content-type': 'application/json' }).end('{"status":"ok"}');
        } else {
          res.writeHead(404).end();
        }
      } catch (error) {
        sendError(res, error);
      }
    })();
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      resolve({
        url: `http://127.0.0.1:${port}`,
        close: () =>
          new Promise<void>((done) => {
            server.closeAllConnections();
            server.close(() => done());
          }),
      });
    });
  });
}

/** Client side: run a process action through the owner's control API. */
export async function requestAction(
  controlUrl: string,
  component: string,
  action: ProcessAction,
): Promise<void> {
  let response: Response;
  try {
    response = await fetch(`${controlUrl}/action`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ component, action }),
      signal: AbortSignal.timeout(60_000),
    });
  } catch (cause) {
    throw new EnvironmentError(
      'STACK_OWNER_UNREACHABLE',
      `the stack's supervisor at ${controlUrl} does not answer`,
      {
        cause,
      },
    );
  }
  if (response.status === 204) return;
  const body = (await response.json().catch(() => ({}))) as {
    code?: string;
    message?: string;
    details?: string[];
    exitCode?: number;
  };
  throw new ChaosbankError(
    isErrorCode(body.code) ? body.code : 'ACTION_FAILED',
    body.message ?? `HTTP ${response.status}`,
    {
      exitCode: body.exitCode === 2 ? 2 : 3,
      details: body.details ?? [],
    },
  );
}

export async function requestDown(controlUrl: string): Promise<boolean> {
  try {
    const response = await fetch(`${controlUrl}/down`, { method: 'POST', signal: AbortSignal.timeout(2000) });
    return response.status === 202;
  } catch {
    return false;
  }
}
