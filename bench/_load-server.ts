/**
 * The trivial loopback HTTP server the load benchmark drives (run in its own process, pinned to its
 * own core where taskset exists). Answers like the payment API's happy path, with no work behind it.
 * Prints its port on stdout.
 *
 * A minimal HTTP/1.1 keep-alive responder on `net` with precomputed answers rather than node:http:
 * the server must not be the bottleneck when measuring how much CPU the clients use (node:http tops
 * out near the rates we measure on one shared core). It handles pipelined and split requests, reads
 * `content-length` bodies, and does not support chunked request bodies (no client here sends them).
 */
import { createServer } from 'node:net';
import type { AddressInfo, Socket } from 'node:net';

const PAYMENT = JSON.stringify({
  id: 'pay_1',
  from: 'acc-0001',
  to: 'acc-0002',
  amount: 100,
  currency: 'USD',
  status: 'succeeded',
  created_at: '2026-01-01T00:00:00.000Z',
  idempotency_key: 'k',
});
const ACCOUNT = JSON.stringify({ id: 'acc-0001', currency: 'USD', balance: 1000000 });

function response(status: string, body: string): Buffer {
  return Buffer.from(
    `HTTP/1.1 ${status}\r\ncontent-type: application/json\r\nx-served-by-region: us-east\r\n` +
      `x-primary-epoch: 1\r\nconnection: keep-alive\r\ncontent-length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
  );
}
const CREATED = response('201 Created', PAYMENT);
const OK = response('200 OK', ACCOUNT);
const HEAD_END = Buffer.from('\r\n\r\n');
const CONTENT_LENGTH = /\r\ncontent-length:\s*(\d+)/i;

function serve(socket: Socket): void {
  socket.setNoDelay(true);
  let pending: Buffer = Buffer.alloc(0);
  socket.on('data', (data: Buffer) => {
    pending = pending.length === 0 ? data : Buffer.concat([pending, data]);
    const out: Buffer[] = [];
    let offset = 0;
    for (;;) {
      const headEnd = pending.indexOf(HEAD_END, offset);
      if (headEnd < 0) break;
      const head = pending.toString('latin1', offset, headEnd);
      const bodyLength = Number(CONTENT_LENGTH.exec(head)?.[1] ?? '0');
      const end = headEnd + 4 + bodyLength;
      if (end > pending.length) break;
      out.push(head.startsWith('POST') ? CREATED : OK);
      offset = end;
    }
    pending = offset === pending.length ? Buffer.alloc(0) : pending.subarray(offset);
    if (out.length === 1) socket.write(out[0]!);
    else if (out.length > 1) socket.write(Buffer.concat(out));
  });
  socket.on('error', () => socket.destroy());
}

const server = createServer(serve);
server.listen(0, '127.0.0.1', () => {
  process.stdout.write(`${(server.address() as AddressInfo).port}\n`);
});
// Keep-alive sockets would hold server.close() open: just leave.
process.on('SIGTERM', () => process.exit(0));
process.on('disconnect', () => process.exit(0));
