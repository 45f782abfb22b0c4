/**
 * The run pipeline as a list of tasks `{title, setup, teardown}` (Playwright's taskRunner is the model):
 * setups run in order; the teardowns of every task whose setup started run in reverse order, whatever
 * happens — success, a failing setup, an abort (Ctrl-C). A failing teardown never hides the first error.
 */
export interface Task<Context> {
  title: string;
  setup: (context: Context, signal: AbortSignal) => Promise<void>;
  teardown?: (context: Context) => Promise<void>;
}

export interface TaskOutcome {
  title: string;
  phase: 'setup' | 'teardown';
  status: 'passed' | 'failed' | 'skipped';
  startedAt: number;
  durationMs: number;
  error?: unknown;
}

export interface TaskRunResult {
  /** The first setup error (or the abort reason), if any. */
  error?: unknown;
  aborted: boolean;
  outcomes: TaskOutcome[];
  teardownErrors: unknown[];
}

export async function runTasks<Context>(
  tasks: Task<Context>[],
  context: Context,
  options: { signal?: AbortSignal; onTask?: (outcome: TaskOutcome) => void } = {},
): Promise<TaskRunResult> {
  const signal = options.signal ?? new AbortController().signal;
  const outcomes: TaskOutcome[] = [];
  const record = (outcome: TaskOutcome) => {
    outcomes.push(outcome);
    options.onTask?.(outcome);
  };
  const started: Task<Context>[] = [];
  let error: unknown;

  for (const task of tasks) {
    if (signal.aborted) {
      error ??= signal.reason;
      break;
    }
    started.push(task);
    const startedAt = Date.now();
    try {
      await raceAbort(task.setup(context, signal), signal);
      record({
        title: task.title,
        phase: 'setup',
        status: 'passed',
        startedAt,
        durationMs: Date.now() - startedAt,
      });
    } catch (setupError) {
      error = setupError;
      record({
        title: task.title,
        phase: 'setup',
        status: 'failed',
        startedAt,
        durationMs: Date.now() - startedAt,
        error: setupError,
      });
      break;
    }
  }

  const teardownErrors: unknown[] = [];
  for (const task of started.reverse()) {
    if (!task.teardown) continue;
    const startedAt = Date.now();
    try {
      await task.teardown(context);
      record({
        title: task.title,
        phase: 'teardown',
        status: 'passed',
        startedAt,
        durationMs: Date.now() - startedAt,
      });
    } catch (teardownError) {
      teardownErrors.push(teardownError);
      record({
        title: task.title,
        phase: 'teardown',
        status: 'failed',
        startedAt,
        durationMs: Date.now() - startedAt,
        error: teardownError,
      });
    }
  }
  return { error, aborted: signal.aborted, outcomes, teardownErrors };
}

/** Settle as soon as the signal aborts, so a stuck setup cannot delay teardown past Ctrl-C. */
function raceAbort<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(asError(signal.reason));
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(asError(signal.reason));
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (reason: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(asError(reason));
      },
    );
  });
}

const asError = (reason: unknown): Error => (reason instanceof Error ? reason : new Error(String(reason)));
