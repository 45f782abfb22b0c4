/** Real-socket helpers for the Toxiproxy tests: echo/sink servers, clients and condition waits. */
import net from 'node:net';
import { once } from 'node:events';

export interface TcpServerHandle extends AsyncDisposable {
  port: number;
  address: string;
  server: net.Server;
  sockets: Set<net.Socket>;
  close(): Promise<void>;
}

async function serve(onSocket: (socket: net.Socket) => void): Promise<TcpServerHandle> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer({ noDelay: true }, (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => socket.destroy());
    onSocket(socket);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as net.AddressInfo;
  const close = async (): Promise<void> => {
    for (const socket of sockets) socket.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  };
  return { port, address: `127.0.0.1:${port}`, server, sockets, close, [Symbol.asyncDispose]: close };
}

/** Echoes every byte back; ends when the client ends. */
export function startEchoServer(): Promise<TcpServerHandle> {
  return serve((socket) => socket.pipe(socket));
}

/** Sends `payload` to every client on connect, then keeps the connection open. */
export function startGreeterServer(payload: Buffer): Promise<TcpServerHandle> {
  return serve((socket) => socket.write(payload));
}

export interface Client {
  socket: net.Socket;
  received: Buffer[];
  bytes(): number;
  text(): string;
  /** Arrival time (performance.now()) of each chunk. */
  times: number[];
  ended: Promise<void>;
  closed: Promise<{ error?: NodeJS.ErrnoException }>;
  events: string[];
}

export async function connect(port: number): Promise<Client> {
  const socket = net.connect({ host: '127.0.0.1', port, noDelay: true });
  const received: Buffer[] = [];
  const times: number[] = [];
  const events: string[] = [];
  let error: NodeJS.ErrnoException | undefined;
  socket.on('data', (chunk: Buffer) => {
    received.push(chunk);
    times.push(performance.now());
  });
  socket.on('error', (e: NodeJS.ErrnoException) => {
    error = e;
    events.push(`error:${e.code}`);
  });
  const ended = new Promise<void>((resolve) => socket.once('end', () => (events.push('end'), resolve())));
  const closed = new Promise<{ error?: NodeJS.ErrnoException }>((resolve) =>
    socket.once('close', () => (events.push('close'), resolve(error ? { error } : {}))),
  );
  await once(socket, 'connect');
  return {
    socket,
    received,
    times,
    events,
    ended,
    closed,
    bytes: () => received.reduce((sum, chunk) => sum + chunk.length, 0),
    text: () => Buffer.concat(received).toString('utf8'),
  };
}

/** Poll `condition` until it holds or `timeoutMs` passes (then throw with `what`). */
export async function waitFor(condition: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!condition()) {
    if (performance.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/** Send `message` and resolve with the time until `expectBytes` came back. */
export async function roundTrip(
  client: Client,
  message: string,
  expectBytes = Buffer.byteLength(message),
): Promise<number> {
  const before = client.bytes();
  const start = performance.now();
  client.socket.write(message);
  await waitFor(() => client.bytes() >= before + expectBytes, `${expectBytes} echoed bytes`);
  return performance.now() - start;
}
