/**
 * Child process of bench/toxiproxy.ts: the upstream servers every side of the benchmark talks to,
 * in their own process as in a real deployment. An echo server (latency) and a bulk source that
 * streams `argv[2]` bytes to each client (throughput). Prints `{"echoPort":..,"sourcePort":..}` and
 * lives until stdin closes.
 */
import { once } from 'node:events';
import net from 'node:net';

const bulkBytes = Number(process.argv[2]);

async function listen(server: net.Server): Promise<number> {
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return (server.address() as net.AddressInfo).port;
}

/** Streams `bulkBytes` (one reused 1 MiB buffer) to every client, respecting backpressure. */
function startSource(): net.Server {
  const chunk = Buffer.alloc(1024 * 1024, 'x');
  return net.createServer({ noDelay: true }, (socket) => {
    socket.on('error', () => socket.destroy());
    let sent = 0;
    const pump = (): void => {
      while (sent < bulkBytes) {
        const piece = Math.min(chunk.length, bulkBytes - sent);
        sent += piece;
        if (!socket.write(piece === chunk.length ? chunk : chunk.subarray(0, piece)))
          return void socket.once('drain', pump);
      }
    };
    pump();
  });
}

const echo = net.createServer({ noDelay: true }, (socket) => {
  socket.on('error', () => socket.destroy());
  socket.pipe(socket);
});
const source = startSource();
const ports = { echoPort: await listen(echo), sourcePort: await listen(source) };
process.stdout.write(`${JSON.stringify(ports)}\n`);
process.stdin.resume();
process.stdin.on('end', () => process.exit(0));
