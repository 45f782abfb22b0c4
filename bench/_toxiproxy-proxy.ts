/**
 * Child process of bench/toxiproxy.ts: runs only the embedded Toxiproxy server (so its CPU cost is
 * measured apart from the client and echo server), prints `{"url":...}` and lives until stdin closes.
 */
import { startToxiproxyServer } from '../src/toxiproxy/server.js';

const server = await startToxiproxyServer({ port: 0 });
process.stdout.write(`${JSON.stringify({ url: server.url })}\n`);
process.stdin.resume();
process.stdin.on('end', () => void server.close().then(() => process.exit(0)));
