/**
 * Child process of bench/toxiproxy.ts: the reference a proxy hop is compared with, a plain Node
 * socket pipe (`c.pipe(u).pipe(c)`, noDelay, default stream buffers) in its own process. One
 * listener per upstream port given in argv; prints `{"ports":[..]}` and lives until stdin closes.
 */
import { once } from 'node:events';
import net from 'node:net';

async function pipeProxy(upstreamPort: number): Promise<number> {
  const server = net.createServer({ noDelay: true }, (client) => {
    const upstream = net.connect({ host: '127.0.0.1', port: upstreamPort, noDelay: true });
    client.on('error', () => upstream.destroy());
    upstream.on('error', () => client.destroy());
    client.pipe(upstream).pipe(client);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return (server.address() as net.AddressInfo).port;
}

const ports: number[] = [];
for (const upstream of process.argv.slice(2)) ports.push(await pipeProxy(Number(upstream)));
process.stdout.write(`${JSON.stringify({ ports })}\n`);
process.stdin.resume();
process.stdin.on('end', () => process.exit(0));
