/** The controller's HTTP face: `GET /status` (StackStatus minus routerActive) and `GET /healthz`. */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { EnvironmentError } from '../../src/contract/errors.js';
import { STACK_PATHS } from '../../src/contract/stack-http.js';
import type { Logger } from '../shared/log.js';
import { createLogger } from '../shared/log.js';
import { validateConfig } from '../router/program-config.js';
import { controllerConfigSchema, type ControllerConfigInput } from './config.js';
import { createController, type ControllerStatus } from './controller.js';

export interface StartedController extends AsyncDisposable {
  readonly url: string;
  readonly port: number;
  status(): ControllerStatus;
  close(): Promise<void>;
}

export async function startController(
  input: ControllerConfigInput,
  options: { logger?: Logger } = {},
): Promise<StartedController> {
  const config = validateConfig(controllerConfigSchema, input, 'controller config');
  const log = options.logger ?? createLogger({ runId: config.runId, component: 'controller' });
  const controller = await createController(config, { logger: log });
  const server = http.createServer((req, res) => {
    const send = (status: number, body: unknown) => {
      const text = JSON.stringify(body);
      res.writeHead(status, {
        'content-type': 'application/json',
        'content-length': Buffer.byteLength(text),
      });
      res.end(text);
    };
    if (req.method === 'GET' && req.url === STACK_PATHS.controllerStatus)
      return send(200, controller.status());
    if (req.method === 'GET' && req.url === '/healthz') return send(200, { ok: true });
    send(404, { error: 'not_found' });
  });
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(config.port, config.host, () => resolve());
    });
  } catch (cause) {
    await controller.stop();
    throw new EnvironmentError(
      'CONTROLLER_LISTEN',
      `controller cannot listen on ${config.host}:${config.port}`,
      { cause },
    );
  }
  const port = (server.address() as AddressInfo).port;
  const host = config.host.includes(':') ? `[${config.host}]` : config.host;
  const url = `http://${host}:${port}`;
  log.info('listening', { url, host: config.host, port });
  let closing: Promise<void> | undefined;
  const close = () => {
    closing ??= (async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await controller.stop();
    })();
    return closing;
  };
  return { url, port, status: () => controller.status(), close, [Symbol.asyncDispose]: close };
}
