/**
 * The owner's side of the watchdog (watchdog.ts): start it for a stack before the stack starts anything,
 * and release it once the stack is down. It runs in a session of its own (`detached`: setsid), so a
 * `kill -9 -<pgid>` of the owner's process group spares it; its stdin is a pipe whose other end only
 * this process holds (Node opens it close-on-exec, so no component inherits it). Neither the child nor
 * the pipe keeps this process alive.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, mkdirSync, openSync } from 'node:fs';
import type { Socket } from 'node:net';
import { join } from 'node:path';
import { EnvironmentError } from '../../src/contract/errors.js';
import { watchdogProgram } from './paths.js';
import { identify, type ProcessIdentity } from './proc.js';

/** How long `release()` waits for the watchdog to exit before it SIGKILLs it. */
const RELEASE_GRACE_MS = 5000;

export class Watchdog {
  readonly identity: ProcessIdentity;
  private readonly child: ChildProcess;
  private readonly exited: Promise<void>;
  private released = false;

  private constructor(child: ChildProcess, exited: Promise<void>) {
    this.child = child;
    this.exited = exited;
    this.identity = identify(child.pid!);
  }

  /** Start the watchdog of the stack in `runDir`, owned by `owner`; resolves once it runs. */
  static async start(
    runDir: string,
    owner: ProcessIdentity,
    log: (message: string) => void = () => undefined,
  ): Promise<Watchdog> {
    const program = watchdogProgram();
    mkdirSync(join(runDir, 'logs'), { recursive: true });
    const logPath = join(runDir, 'logs', 'watchdog.log');
    const logFd = openSync(logPath, 'a');
    let child: ChildProcess;
    try {
      child = spawn(
        process.execPath,
        [program, '--run-dir', runDir, '--owner', `${owner.pid}:${owner.startTime ?? ''}`],
        { detached: true, stdio: ['pipe', logFd, logFd], cwd: '/', env: process.env },
      );
    } finally {
      closeSync(logFd);
    }
    await new Promise<void>((resolve, reject) => {
      child.once('spawn', resolve);
      child.once('error', (error) =>
        reject(
          new EnvironmentError('SPAWN_FAILED', `cannot start the stack's watchdog: ${error.message}`, {
            cause: error,
            details: [`log: ${logPath}`],
          }),
        ),
      );
    });
    const stdin = child.stdin as Socket;
    stdin.on('error', () => undefined); // EPIPE when the watchdog is gone: nothing to tell it then
    const watchdog = new Watchdog(child, new Promise((resolve) => child.once('exit', () => resolve())));
    child.once('exit', (code, signal) => {
      if (!watchdog.released)
        log(
          `note: the stack's watchdog (pid ${child.pid}) ended (${signal ?? `code ${code}`}); ` +
            'if this process dies now, the next `chaosbank up` or `run` reaps the stack',
        );
    });
    child.unref();
    stdin.unref();
    return watchdog;
  }

  /** The stack is down: tell the watchdog its job is done and wait until it has exited. Idempotent. */
  async release(): Promise<void> {
    this.released = true;
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    this.child.ref(); // keep this process alive until the watchdog is gone
    (this.child.stdin as Socket).end('release\n');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), RELEASE_GRACE_MS);
    await this.exited;
    clearTimeout(timer);
  }
}
