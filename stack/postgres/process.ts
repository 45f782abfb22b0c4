/**
 * Start and stop one PostgreSQL server (`postgres -D dataDir`, argv only, as the postgres OS user when we
 * are root). Everything a server needs (port, listen address, replication settings) lives in its data
 * directory, so anyone — the driver, the controller on rejoin — can start it again with the data dir alone.
 */
import { spawn } from 'node:child_process';
import { open, readFile } from 'node:fs/promises';
import { EnvironmentError } from '../../src/contract/errors.js';
import { postgresBinaries } from './binaries.js';
import { connString, withClient, type Address } from './conn.js';
import { postgresOsUser } from './os-user.js';
import { waitFor } from './wait.js';

export type StopMode = 'smart' | 'fast' | 'immediate';
const STOP_SIGNAL: Record<StopMode, NodeJS.Signals> = {
  smart: 'SIGTERM',
  fast: 'SIGINT',
  immediate: 'SIGQUIT',
};

export interface PostgresExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface PostgresProcess {
  readonly pid: number;
  readonly dataDir: string;
  readonly address: Address;
  readonly logFile: string;
  /** Resolves when the postmaster has exited (however it ended). */
  readonly exited: Promise<PostgresExit>;
  /** Shut down (fast by default: roll back sessions, checkpoint) and wait for the exit. */
  stop(mode?: StopMode): Promise<void>;
  /** Send a signal (SIGKILL for a crash, SIGSTOP/SIGCONT for a pause). */
  kill(signal: NodeJS.Signals): void;
}

export interface StartOptions {
  dataDir: string;
  /** Where clients reach it to check readiness (its own listen address). */
  address: Address;
  /** stdout/stderr of the server; default `<dataDir>.log`. */
  logFile?: string;
  /** Survive our own exit (the controller starts rejoined servers this way). */
  detached?: boolean;
  /**
   * A session (and process group) of its own, still waited for like any child: a signal to the
   * caller's process group (a terminal's Ctrl-C, `kill -9 -<pgid>`) does not reach the server, whose
   * owner stops it in order instead (a SIGKILLed postmaster leaves its shared memory behind).
   */
  ownSession?: boolean;
  timeoutMs?: number;
  signal?: AbortSignal;
}

const isAlive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
};

/** The postmaster's pid from `postmaster.pid`, or undefined when the server is not running. */
export async function postmasterPid(dataDir: string): Promise<number | undefined> {
  const text = await readFile(`${dataDir}/postmaster.pid`, 'utf8').catch(() => undefined);
  const pid = text === undefined ? Number.NaN : Number.parseInt(text.split('\n')[0] ?? '', 10);
  return Number.isInteger(pid) && pid > 0 && isAlive(pid) ? pid : undefined;
}

/** The last lines of the log written since byte `from` (the log is appended to across restarts). */
async function logTail(logFile: string, from = 0): Promise<string[]> {
  const bytes = await readFile(logFile).catch(() => Buffer.alloc(0));
  const text = bytes.subarray(Math.min(from, bytes.length)).toString('utf8').trim();
  return text === '' ? [] : text.split('\n').slice(-8);
}

/**
 * Why a server exited while starting, from its log: a failed bind first (its FATAL line only says
 * "could not create any TCP/IP sockets"), else the last FATAL or PANIC that is not our own readiness
 * probe being turned away ("the database system is starting up").
 */
export function startFailureReason(lines: string[]): string | undefined {
  const strip = (line: string) => line.replace(/^.*?\b(LOG|FATAL|PANIC):\s*/, '');
  const bind = lines.find((line) => /could not bind/.test(line));
  if (bind !== undefined) return strip(bind);
  const fatal = lines.findLast(
    (line) =>
      /\b(FATAL|PANIC):/.test(line) && !/the database system is (starting up|shutting down)/.test(line),
  );
  return fatal === undefined ? undefined : strip(fatal);
}

/** Start `postgres -D dataDir` and wait until it accepts connections (read-only ones for a standby). */
export async function startPostgres(options: StartOptions): Promise<PostgresProcess> {
  const { postgres } = await postgresBinaries();
  const user = await postgresOsUser();
  const logFile = options.logFile ?? `${options.dataDir}.log`;
  const log = await open(logFile, 'a');
  const logStart = (await log.stat()).size;
  let child;
  let exited: Promise<PostgresExit>;
  try {
    child = spawn(postgres, ['-D', options.dataDir], {
      stdio: ['ignore', log.fd, log.fd],
      detached: options.detached === true || options.ownSession === true,
      env: { ...process.env, LC_MESSAGES: 'C' },
      ...(user ?? {}),
    });
    // Listen before the next await: a failed spawn (EACCES) emits 'error' on the next tick.
    const spawned = child;
    exited = new Promise<PostgresExit>((resolve) => {
      spawned.once('exit', (code, signal) => resolve({ code, signal }));
      spawned.once('error', () => resolve({ code: null, signal: null }));
    });
  } finally {
    await log.close();
  }
  if (options.detached) child.unref();
  const pid = child.pid;
  if (pid === undefined) {
    throw new EnvironmentError('POSTGRES_START', `could not spawn ${postgres}`, {
      details: await logTail(logFile, logStart),
    });
  }
  let exit: PostgresExit | undefined;
  void exited.then((value) => (exit = value));
  const handle: PostgresProcess = {
    pid,
    dataDir: options.dataDir,
    address: options.address,
    logFile,
    exited,
    kill: (signal) => {
      if (exit === undefined) process.kill(pid, signal);
    },
    stop: async (mode = 'fast') => {
      if (exit !== undefined) return;
      process.kill(pid, 'SIGCONT'); // a paused server cannot shut down
      process.kill(pid, STOP_SIGNAL[mode]);
      await exited;
    },
  };
  try {
    await waitFor(
      async () => {
        if (exit !== undefined) {
          const tail = await logTail(logFile, logStart);
          // The reason in the message itself: test runners and CI logs show the message, not the details.
          const reason = startFailureReason(tail);
          throw new EnvironmentError(
            'POSTGRES_EXITED',
            `PostgreSQL in ${options.dataDir} exited while starting${reason === undefined ? '' : `: ${reason}`}`,
            { details: [`log ${logFile}:`, ...tail] },
          );
        }
        return withClient(
          connString(options.address),
          async (client) => {
            await client.query('SELECT 1');
            return true;
          },
          { timeoutMs: 1_000 },
        );
      },
      {
        timeoutMs: options.timeoutMs ?? 30_000,
        intervalMs: 25,
        what: `PostgreSQL in ${options.dataDir} to accept connections`,
        signal: options.signal,
      },
    );
  } catch (error) {
    await handle.stop('immediate').catch(() => undefined);
    throw error;
  }
  return handle;
}

/** Stop whatever server runs in `dataDir` (found through postmaster.pid), started by us or not. */
export async function stopPostgresInDataDir(
  dataDir: string,
  options: { mode?: StopMode; timeoutMs?: number } = {},
): Promise<void> {
  const pid = await postmasterPid(dataDir);
  if (pid === undefined) return;
  process.kill(pid, 'SIGCONT');
  process.kill(pid, STOP_SIGNAL[options.mode ?? 'fast']);
  await waitFor(() => Promise.resolve(isAlive(pid) ? undefined : true), {
    timeoutMs: options.timeoutMs ?? 30_000,
    intervalMs: 20,
    what: `PostgreSQL (pid ${pid}) in ${dataDir} to stop`,
  });
}

/** Stop a server we started. */
export async function stopPostgres(handle: PostgresProcess, mode: StopMode = 'fast'): Promise<void> {
  await handle.stop(mode);
}
