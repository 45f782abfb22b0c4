/**
 * The trivial loopback HTTP server the load benchmark drives (run in its own process, pinned to its
 * own core where taskset exists). Answers like the payment API's happy path, with no work behind it.
 * Prints its port on stdout.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

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

const server = createServer((req, res) => {
  req.resume();
  req.on('end', () => {
    const post = req.method === 'POST';
    res.writeHead(post ? 201 : 200, {
      'content-type': 'application/json',
      'x-served-by-region': 'us-east',
      'x-primary-epoch': '1',
    });
    res.end(post ? PAYMENT : ACCOUNT);
  });
});
server.keepAliveTimeout = 60_000;
server.listen(0, '127.0.0.1', () => {
  process.stdout.write(`${(server.address() as AddressInfo).port}\n`);
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
process.on('disconnect', () => process.exit(0));
