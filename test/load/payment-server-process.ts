/**
 * Runs the loopback payment double (payment-server.ts) in a child process, so that at thousands of
 * requests per second the engine under test and the server do not share one event loop and core.
 * The TypeScript source is transpiled with the TypeScript compiler API into a temp dir (no type check).
 */
import { fork } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import type { PaymentServerOptions } from './payment-server.js';

const here = dirname(fileURLToPath(import.meta.url));

const ENTRY = `
import { startPaymentServers } from './payment-server.js';
const servers = await startPaymentServers(JSON.parse(process.argv[2]));
const commands = {
  stall: () => servers.stall(),
  resume: () => servers.resume(),
  held: () => servers.held(),
  committed: () => servers.committed(),
  received: () => Object.fromEntries(servers.received),
};
process.on('message', (message) => {
  const result = commands[message.command]();
  process.send({ id: message.id, result: result === undefined ? null : result });
});
process.on('disconnect', () => void servers.close().then(() => process.exit(0)));
process.send({ ready: true, routerUrl: servers.routerUrl, regionUrls: servers.regionUrls });
`;

export interface RemotePaymentServers extends AsyncDisposable {
  routerUrl: string;
  regionUrls: Record<string, string>;
  stall(): Promise<void>;
  resume(): Promise<void>;
  held(): Promise<number>;
  committed(): Promise<number>;
  received(): Promise<Record<string, string[]>>;
  close(): Promise<void>;
}

export async function startPaymentServersProcess(
  options: PaymentServerOptions = {},
): Promise<RemotePaymentServers> {
  const dir = mkdtempSync(join(tmpdir(), 'chaosbank-payment-double-'));
  const source = readFileSync(join(here, 'payment-server.ts'), 'utf8');
  const js = ts.transpileModule(source, {
    compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 },
  }).outputText;
  writeFileSync(join(dir, 'package.json'), '{"type":"module"}');
  writeFileSync(join(dir, 'payment-server.js'), js);
  writeFileSync(join(dir, 'main.js'), ENTRY);

  const child: ChildProcess = fork(join(dir, 'main.js'), [JSON.stringify(options)], {
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const cleanup = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) {
      if (child.connected) child.disconnect();
      const timer = setTimeout(() => child.kill('SIGKILL'), 3000);
      await exited;
      clearTimeout(timer);
    }
    rmSync(dir, { recursive: true, force: true });
  };

  let nextId = 0;
  const waiting = new Map<number, (result: unknown) => void>();
  let ready: ((m: { routerUrl: string; regionUrls: Record<string, string> }) => void) | undefined;
  const readyMessage = new Promise<{ routerUrl: string; regionUrls: Record<string, string> }>(
    (resolve, reject) => {
      ready = resolve;
      child.once('exit', (code) =>
        reject(new Error(`payment double exited before it was ready (code ${code})`)),
      );
    },
  );
  child.on(
    'message',
    (message: {
      ready?: boolean;
      id?: number;
      result?: unknown;
      routerUrl: string;
      regionUrls: Record<string, string>;
    }) => {
      if (message.ready === true) ready?.(message);
      else if (message.id !== undefined) {
        waiting.get(message.id)?.(message.result);
        waiting.delete(message.id);
      }
    },
  );
  const call = <T>(command: string): Promise<T> =>
    new Promise<T>((resolve) => {
      const id = nextId++;
      waiting.set(id, resolve as (result: unknown) => void);
      child.send({ id, command });
    });

  let urls: { routerUrl: string; regionUrls: Record<string, string> };
  try {
    urls = await readyMessage;
  } catch (error) {
    await cleanup();
    throw error;
  }
  return {
    routerUrl: urls.routerUrl,
    regionUrls: urls.regionUrls,
    stall: () => call<void>('stall'),
    resume: () => call<void>('resume'),
    held: () => call<number>('held'),
    committed: () => call<number>('committed'),
    received: () => call<Record<string, string[]>>('received'),
    close: cleanup,
    [Symbol.asyncDispose]: cleanup,
  };
}
