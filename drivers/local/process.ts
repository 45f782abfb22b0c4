/**
 * One supervised child process of the stack: spawned from an argv array (never a shell), stdout and
 * stderr appended to `<runDir>/logs/<component>.log`, stdout parsed as JSON lines (stack/shared/log.ts)
 * so that `listening` records and stack events reach the driver.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, createWriteStream, mkdirSync, openSync, readFileSync, type WriteStream } from 'node:fs';
import { dirname } from 'node:path';
import { createInterface } from 'node:readline';
import { EnvironmentError } from '../../src/contract/errors.js';
import { identify, type ProcessIdentity } from './proc.js';
import { waitFor } from './wait.js';

export interface ProcessSpec {
  component: string;
  argv: [string, ...string[]];
  logPath: string;
  cwd?: string;
  env?: NodeJS.ProcessEnv;
}

export interface LogRecord {
  msg?: string;
  event?: string;
  [field: string]: unknown;
}

export interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export class ManagedProcess {
  readonly component: string;
  readonly spec: ProcessSpec;
  readonly identity: ProcessIdentity;
  private readonly child: ChildProcess;
  private readonly log: WriteStream;
  private readonly listeners = new Set<(record: LogRecord) => void>();
  /** Recent records (bounded), so a waiter that subscribes late still sees e.g. the `listening` line. */
  private readonly recent: LogRecord[] = [];
  private exitInfo: Exit | null = null;
  readonly exited: Promise<Exit>;

  private constructor(spec: ProcessSpec, child: ChildProcess, log: WriteStream) {
    this.component = spec.component;
    this.spec = spec;
    this.child = child;
    this.log = log;
    this.identity = identify(child.pid ?? -1);
    this.exited = new Promise((resolve) => {
      // 'close' (not 'exit'): stdout is drained too, so no log line is lost after the process ends.
      child.once('close', (code, signal) => {
        this.exitInfo = { code, signal };
        resolve(this.exitInfo);
      });
    });
    const lines = createInterface({ input: child.stdout! });
    lines.on('line', (line) => {
      log.write(`${line}\n`);
      if (!line.startsWith('{')) return;
      let record: LogRecord;
      try {
        record = JSON.parse(line) as LogRecord;
      } catch {
        return; // not a JSON record: kept in the log only
      }
      this.recent.push(record);
      if (this.recent.length > 500) this.recent.shift();
      for (const listener of this.listeners) listener(record);
    });
  }

  /** Spawn; resolves once the OS reported the pid (rejects with EnvironmentError if the binary is missing). */
  static async start(spec: ProcessSpec): Promise<ManagedProcess> {
    mkdirSync(dirname(spec.logPath), { recursive: true });
    const log = createWriteStream(spec.logPath, { flags: 'a' });
    const stderrFd = openSync(spec.logPath, 'a');
    const [command, ...args] = spec.argv;
    const child = spawn(command, args, {
      cwd: spec.cwd,
      env: spec.env ?? process.env,
      stdio: ['ignore', 'pipe', stderrFd],
    });
    closeSync(stderrFd);
    await new Promise<void>((resolve, reject) => {
      child.once('spawn', resolve);
      child.once('error', (error: NodeJS.ErrnoException) => {
        log.end();
        reject(
          new EnvironmentError(
            error.code === 'ENOENT' ? 'BINARY_MISSING' : 'SPAWN_FAILED',
            `cannot start ${spec.component}: ${command} ${error.code === 'ENOENT' ? 'not found' : error.message}`,
            { cause: error, details: [`log: ${spec.logPath}`] },
          ),
        );
      });
    });
    return new ManagedProcess(spec, child, log);
  }

  get pid(): number {
    return this.identity.pid;
  }

  get exit(): Exit | null {
    return this.exitInfo;
  }

  onRecord(listener: (record: LogRecord) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Wait for the first stdout record matching `match`; fails early (with the log tail) if the process exits. */
  async waitForRecord(
    match: (record: LogRecord) => boolean,
    timeout: number,
    signal?: AbortSignal,
  ): Promise<LogRecord> {
    let found: LogRecord | null = this.recent.find(match) ?? null;
    const off = this.onRecord((r) => {
      if (found === null && match(r)) found = r;
    });
    try {
      return await waitFor(
        () => {
          this.assertRunning('while starting');
          return found;
        },
        {
          timeout,
          description: `${this.component} to log \`listening\``,
          signal,
          details: () => this.logDetails(),
        },
      );
    } finally {
      off();
    }
  }

  /** Throw an EnvironmentError naming the component and its log if the process has exited. */
  assertRunning(when: string): void {
    if (this.exitInfo === null) return;
    const how = this.exitInfo.signal
      ? `killed by ${this.exitInfo.signal}`
      : `exited with code ${this.exitInfo.code}`;
    throw new EnvironmentError('COMPONENT_EXITED', `${this.component} ${how} ${when}`, {
      details: this.logDetails(),
    });
  }

  logDetails(lines = 15): string[] {
    return [`log: ${this.spec.logPath}`, ...tailLines(this.spec.logPath, lines).map((l) => `  | ${l}`)];
  }

  signal(signal: NodeJS.Signals): void {
    if (this.exitInfo !== null) return;
    this.child.kill(signal);
  }

  /** SIGTERM, then SIGKILL after `graceMs`; resolves when the process has exited. */
  async stop(graceMs = 1500): Promise<Exit> {
    if (this.exitInfo === null) {
      // A paused process cannot act on SIGTERM: continue it first.
      this.child.kill('SIGCONT');
      this.child.kill('SIGTERM');
      const timer = setTimeout(() => this.child.kill('SIGKILL'), graceMs);
      await this.exited;
      clearTimeout(timer);
    }
    await new Promise<void>((resolve) => this.log.end(resolve));
    return this.exitInfo!;
  }
}

export function tailLines(path: string, count: number): string[] {
  try {
    const text = readFileSync(path, 'utf8');
    return text.trimEnd().split('\n').slice(-count);
  } catch {
    return [];
  }
}
