/**
 * The stack's watchdog: `node dist/drivers/local/watchdog.js --run-dir <dir> --owner <pid>:<startTime>`.
 * Like testcontainers' reaper, it makes sure no process of a stack outlives the process that owns it
 * (`chaosbank run`, `up --foreground`, the detached supervisor of `up`, a library caller), however that
 * owner ends — `kill -9` included, where no handler of the owner can run.
 *
 * The owner starts it in a session of its own (so a kill of the owner's process group does not reach
 * it) with a pipe on its stdin. The owner's end of that pipe is open in the owner alone, so the kernel
 * closes it when the owner dies, however it dies: end-of-file here is the death notice (a poll of the
 * owner's pid every second backs it up). The watchdog then checks that the owner really is gone (pid and
 * start time) and tears the stack down from its state file with `down`'s own code (downEntry: processes,
 * ports, /dev/shm and temp dirs, registry entry), and exits. When the owner has stopped the stack
 * itself it writes `release` on the pipe and the watchdog exits at once: it never outlives its job.
 * Its output goes to `<runDir>/logs/watchdog.log`.
 */
import { downEntry } from './down.js';
import { isAlive, type ProcessIdentity } from './proc.js';
import { readState } from './state.js';

const OWNER_POLL_MS = 1000;
/** Right after end-of-file the owner may not be reaped yet: look again soon, for this long. */
const FAST_POLL_MS = 20;
const FAST_POLL_FOR_MS = 2000;

const log = (message: string) => process.stdout.write(`${new Date().toISOString()} ${message}\n`);

function flag(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i === -1 ? undefined : process.argv[i + 1];
}

function parseOwner(text: string | undefined): ProcessIdentity | null {
  const match = /^(\d+):(\d*)$/.exec(text ?? '');
  if (!match) return null;
  return { pid: Number(match[1]), startTime: match[2] === '' ? null : Number(match[2]) };
}

const sameProcess = (a: ProcessIdentity, b: ProcessIdentity): boolean =>
  a.pid === b.pid && a.startTime === b.startTime;

const runDir = flag('--run-dir');
const owner = parseOwner(flag('--owner'));

if (runDir === undefined || owner === null) {
  process.stderr.write('usage: watchdog.js --run-dir <dir> --owner <pid>:<startTime>\n');
  process.exitCode = 2;
} else {
  watch(runDir, owner);
}

function watch(runDir: string, owner: ProcessIdentity): void {
  let acting = false;
  let timer: NodeJS.Timeout | undefined;
  const poll = (everyMs: number) => {
    clearInterval(timer);
    timer = setInterval(check, everyMs);
  };

  const check = () => {
    if (acting || isAlive(owner)) return;
    acting = true;
    clearInterval(timer);
    void tearDown(runDir, owner).then(
      () => process.exit(0),
      (error: unknown) => {
        log(`teardown failed: ${error instanceof Error ? error.stack : String(error)}`);
        process.exit(1);
      },
    );
  };

  let received = '';
  process.stdin.setEncoding('utf8');
  process.stdin.on('data', (chunk: string) => {
    received += chunk;
    if (received.includes('release')) {
      log('released: the owner stopped the stack itself');
      process.exit(0);
    }
  });
  const onEnd = () => {
    if (acting) return;
    log(`the pipe from the owner (pid ${owner.pid}) closed`);
    check();
    if (acting) return;
    poll(FAST_POLL_MS);
    setTimeout(() => poll(OWNER_POLL_MS), FAST_POLL_FOR_MS).unref();
  };
  process.stdin.once('end', onEnd);
  process.stdin.once('error', onEnd);
  poll(OWNER_POLL_MS);
  log(`watching owner pid ${owner.pid} of ${runDir}`);
  check(); // the owner may have died before we started
}

async function tearDown(runDir: string, owner: ProcessIdentity): Promise<void> {
  const t0 = Date.now();
  const state = readState(runDir);
  // Never act for another stack: the run dir may have been reused by a new owner since.
  if (state === null || !sameProcess(state.owner, owner)) {
    log(`owner pid ${owner.pid} gone; ${runDir} holds no stack of it: nothing to do`);
    return;
  }
  log(`owner pid ${owner.pid} gone (phase ${state.phase}): tearing down stack ${state.runId}`);
  const result = await downEntry({
    runId: state.runId,
    runDir,
    owner: state.owner,
    createdAt: state.createdAt,
  });
  const { stopped, killed, removedDirs, problems } = result.report;
  log(
    `${result.outcome} in ${Date.now() - t0} ms: stopped ${stopped.join(', ') || 'nothing'}` +
      `${killed.length > 0 ? `; SIGKILL ${killed.join(', ')}` : ''}; removed ${removedDirs.length} dirs`,
  );
  for (const problem of problems) log(`problem: ${problem}`);
}
