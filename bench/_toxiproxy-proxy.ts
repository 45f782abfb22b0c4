/**
 * Child process of bench/toxiproxy.ts: runs only the embedded Toxiproxy server (so its CPU cost is
 * measured apart from the client and echo server), prints `{"url":...}` and lives until stdin closes.
 * argv[2]: busyPollMicros (default 0 = off).
 */
import { startToxiproxyServer } from '../src/toxiproxy/server.js';

const busyPollMicros = Number(process.argv[2] ?? 0);
const server = await startToxiproxyServer({ port: 0, busyPollMicros });
process.stdout.write(`${JSON.stringify({ url: server.url })}\n`);
process.stdin.resume();
process.stdin.on('end', () => void server.close().then(() => process.exit(0)));
