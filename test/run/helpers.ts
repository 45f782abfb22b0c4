/**
 * Helpers for the `chaosbank run` end-to-end tests: spawn the real CLI (bin/chaosbank.js, built by
 * `npm run build`), wait for lines on its stderr, and check that a run left nothing behind.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, afterEach } from 'vitest';
import type { RunReport } from '../../src/run/run-report.js';

export const CLI = resolve('bin/chaosbank.js');
export const FIXTURES = resolve('test/run/fixtures');

export interface CliRun {
  child: ChildProcess;
  stdout: () => string;
  stderr: () => string;
  /** Resolves with the exit code (or 128 + signal number when killed). */
  exited: Promise<number>;
  /** Resolves once stderr contains `text` (rejects after `timeoutMs` or when the process exits first). */
  waitForStderr(text: string, timeoutMs: number): Promise<void>;
}

export function runCli(args: string[], env: Record<string, string>): CliRun {
  const child = spawn(process.execPath, [CLI, ...args], {
    env: { ...process.env, NO_COLOR: '1', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  const waiters: Array<{ text: string; resolve: () => void }> = [];
  child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => {
    err += chunk.toString();
    for (const w of [...waiters]) if (err.includes(w.text)) w.resolve();
  });
  const exited = new Promise<number>((resolveExit) =>
    child.once('close', (code, signal) => resolveExit(code ?? (signal === null ? 1 : 128))),
  );
  return {
    child,
    stdout: () => out,
    stderr: () => err,
    exited,
    waitForStderr(text, timeoutMs) {
      if (err.includes(text)) return Promise.resolve();
      return new Promise<void>((resolveWait, reject) => {
        const timer = setTimeout(
          () => reject(new Error(`no "${text}" on stderr within ${timeoutMs} ms:\n${err.slice(-2000)}`)),
          timeoutMs,
        );
        const waiter = {
          text,
          resolve: () => {
            clearTimeout(timer);
            resolveWait();
          },
        };
        waiters.push(waiter);
        void exited.then(() => {
          clearTimeout(timer);
          if (!err.includes(text))
            reject(new Error(`exited before "${text}" appeared:\n${err.slice(-2000)}`));
        });
      });
    },
  };
}

export async function readReport(outDir: string): Promise<RunReport> {
  return JSON.parse(await readFile(join(outDir, 'report.json'), 'utf8')) as RunReport;
}

/** PIDs of live processes whose command line mentions `marker` (e.g. the run's out dir). */
export function processesMentioning(marker: string): number[] {
  const found: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    try {
      const cmdline = readFileSync(`/proc/${entry}/cmdline`, 'utf8');
      const state = /^State:\s+(\w)/m.exec(readFileSync(`/proc/${entry}/status`, 'utf8'))?.[1];
      if (cmdline.includes(marker) && state !== 'Z') found.push(Number(entry));
    } catch {
      // the process went away while we looked
    }
  }
  return found;
}

/** The ports the run's stack listened on (from its state file) that still accept connections. */
export async function openPorts(outDir: string): Promise<string[]> {
  const state = JSON.parse(readFileSync(join(outDir, 'stack', 'state.json'), 'utf8')) as {
    ports: Array<{ component: string; host: string; port: number }>;
    endpoints?: { routerUrl?: string };
  };
  const open: string[] = [];
  await Promise.all(
    state.ports.map(
      ({ component, host, port }) =>
        new Promise<void>((done) => {
          const socket = connect({ host, port });
          socket.setTimeout(1000);
          socket.once('connect', () => {
            open.push(`${component} ${host}:${port}`);
            socket.destroy();
            done();
          });
          socket.once('error', () => done());
          socket.once('timeout', () => {
            socket.destroy();
            done();
          });
        }),
    ),
  );
  return open;
}

/** Last resort in afterEach: kill whatever a failed test left behind. */
export function killLeftovers(marker: string): void {
  for (const pid of processesMentioning(marker)) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
}

export { CHROMIUM_PATH, launchChromium } from '../helpers/chromium.js';

/**
 * A temporary root with a private CHAOSBANK_HOME for one describe block of CLI runs; `outDir(name)`
 * names a run folder under it. After each test, whatever a run left running is killed; after all, the
 * root goes.
 */
export function runFolders(prefix: string): {
  root: string;
  env: Record<string, string>;
  outDir: (name: string) => string;
} {
  const root = mkdtempSync(join(tmpdir(), prefix));
  const outs: string[] = [];
  afterEach(() => {
    for (const dir of outs) killLeftovers(dir);
  });
  afterAll(() => {
    for (const dir of outs) killLeftovers(dir);
    rmSync(root, { recursive: true, force: true });
  });
  return {
    root,
    env: { CHAOSBANK_HOME: join(root, 'home') },
    outDir: (name) => {
      const dir = join(root, name);
      outs.push(dir);
      return dir;
    },
  };
}
