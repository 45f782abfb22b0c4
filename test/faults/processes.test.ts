import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ProcessAction } from '../../src/contract/process-action.js';
import { EnvironmentError } from '../../src/contract/errors.js';
import { FaultInjector, type ProcessControl } from '../../src/faults/injector.js';
import { faultSchema, type FaultSpec } from '../../src/faults/spec.js';
import type { StackEvent } from '../../src/contract/events.js';
import { echoOnce, startFixture, type FaultFixture } from './helpers.js';

const fault = (input: Record<string, unknown>): FaultSpec => faultSchema.parse({ at: 0, ...input });

/** A loopback echo server in its own process; prints its port. */
const ECHO_PROGRAM = `
const net = require('node:net');
const server = net.createServer((s) => { s.on('error', () => s.destroy()); s.pipe(s); });
server.listen(0, '127.0.0.1', () => console.log(server.address().port));
`;

interface Running {
  child: ChildProcess;
  port: number;
  exited: Promise<NodeJS.Signals | null>;
}

/** The smallest real ProcessControl: one `node -e` echo server per component. */
class ChildProcesses implements ProcessControl {
  readonly running = new Map<string, Running>();
  primary = 'a';

  async start(component: string): Promise<Running> {
    const child = spawn(process.execPath, ['-e', ECHO_PROGRAM], { stdio: ['ignore', 'pipe', 'inherit'] });
    const exited = once(child, 'exit').then(([, signal]) => signal as NodeJS.Signals | null);
    const [line] = (await once(child.stdout, 'data')) as [Buffer];
    const entry = { child, port: Number(line.toString().trim()), exited };
    this.running.set(component, entry);
    return entry;
  }

  async processAction(component: string, action: ProcessAction): Promise<void> {
    const entry = this.running.get(component);
    if (!entry) throw new Error(`no process for ${component}`);
    switch (action) {
      case 'kill':
        entry.child.kill('SIGKILL');
        await entry.exited;
        return;
      case 'pause':
        entry.child.kill('SIGSTOP');
        return;
      case 'resume':
        entry.child.kill('SIGCONT');
        return;
      case 'restart':
        if (entry.child.exitCode === null && entry.child.signalCode === null) {
          entry.child.kill('SIGKILL');
          await entry.exited;
        }
        await this.start(component);
    }
  }

  status(): Promise<{ primary: string }> {
    return Promise.resolve({ primary: this.primary });
  }

  async stopAll(): Promise<void> {
    for (const { child, exited } of this.running.values()) {
      if (child.exitCode !== null || child.signalCode !== null) continue;
      child.kill('SIGKILL');
      await exited;
    }
  }
}

/** Linux process state letter (`T` = stopped). */
const stateOf = (pid: number): string => readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.charAt(0);

let fx: FaultFixture;
let processes: ChildProcesses;
let events: StackEvent[];
let injector: FaultInjector;

beforeEach(async () => {
  fx = await startFixture();
  processes = new ChildProcesses();
  for (const component of ['api@a', 'db@a', 'db@b']) await processes.start(component);
  events = [];
  injector = new FaultInjector({
    toxiproxyUrl: fx.toxiproxyUrl,
    topology: fx.topology,
    processes,
    statePath: fx.statePath,
    onEvent: (event) => events.push(event),
  });
});

afterEach(async () => {
  await processes.stopAll();
  await fx[Symbol.asyncDispose]();
});

describe('process faults on real child processes', () => {
  it('process-kill kills the component; revert restarts it', async () => {
    const before = processes.running.get('api@a')!;
    expect((await echoOnce(before.port)).ok).toBe(true);
    await injector.apply(fault({ kind: 'process-kill', target: { component: 'api@a' } }), { id: 'kill-api' });
    expect(await before.exited).toBe('SIGKILL');
    expect(await echoOnce(before.port)).toMatchObject({ ok: false, error: 'ECONNREFUSED' });
    expect(events[0]).toMatchObject({ type: 'fault.applied', component: 'api@a' });
    expect(events[0]!.data!.processes).toEqual([{ component: 'api@a', action: 'kill' }]);

    await injector.revert('kill-api');
    const after = processes.running.get('api@a')!;
    expect(after.child.pid).not.toBe(before.child.pid);
    expect((await echoOnce(after.port)).ok).toBe(true);
    expect(events[1]!.data!.processes).toEqual([{ component: 'api@a', action: 'restart' }]);
  });

  it('process-pause stops the component (it holds connections unanswered); revert resumes it', async () => {
    const db = processes.running.get('db@b')!;
    await injector.apply(fault({ kind: 'process-pause', target: { component: 'db@b' } }), { id: 'pause' });
    expect(stateOf(db.child.pid!)).toBe('T');
    expect(await echoOnce(db.port, 300)).toMatchObject({ ok: false, error: 'TIMEOUT' });
    await injector.revert('pause');
    expect(stateOf(db.child.pid!)).not.toBe('T');
    expect((await echoOnce(db.port)).ok).toBe(true);
  });

  it('primary-db-kill kills the database of the primary at apply time, not the initial one', async () => {
    processes.primary = 'b'; // the stack failed over since the scenario started
    const dbA = processes.running.get('db@a')!;
    const dbB = processes.running.get('db@b')!;
    const applied = await injector.apply(fault({ kind: 'primary-db-kill' }), { id: 'primary' });
    expect(applied.component).toBe('db@b');
    expect(await dbB.exited).toBe('SIGKILL');
    expect((await echoOnce(dbA.port)).ok).toBe(true);
    expect(events[0]).toMatchObject({ component: 'db@b' });

    processes.primary = 'a'; // the revert restarts the database it killed, wherever the primary is now
    await injector.revert('primary');
    expect((await echoOnce(processes.running.get('db@b')!.port)).ok).toBe(true);
  });

  it('process faults without process control are an EnvironmentError', async () => {
    const bare = new FaultInjector({ toxiproxyUrl: fx.toxiproxyUrl, topology: fx.topology });
    const error = await bare
      .apply(fault({ kind: 'process-kill', target: { component: 'api@a' } }))
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(EnvironmentError);
    expect((error as EnvironmentError).code).toBe('FAULT_NO_PROCESS_CONTROL');
    expect(processes.running.get('api@a')!.child.exitCode).toBeNull();
  });
});

describe('when a process fault took effect', () => {
  it('appliedAt is when the action was issued, not when the driver finished its bookkeeping', async () => {
    let release!: () => void;
    const bookkeeping = new Promise<void>((resolve) => (release = resolve));
    let issuedAt = 0;
    const slowControl: ProcessControl = {
      processAction: async (component, action) => {
        issuedAt = Date.now();
        await processes.processAction(component, action);
        await bookkeeping; // e.g. a driver waiting for the component's ports to close
      },
      status: () => processes.status(),
    };
    const slow = new FaultInjector({
      toxiproxyUrl: fx.toxiproxyUrl,
      topology: fx.topology,
      processes: slowControl,
      statePath: `${fx.statePath}.slow`,
    });
    const applying = slow.apply(fault({ kind: 'process-kill', target: { component: 'api@a' } }), { id: 'k' });
    await processes.running.get('api@a')!.exited; // the kill has happened
    while (Date.now() <= issuedAt) await new Promise((resolve) => setImmediate(resolve));
    const releasedAt = Date.now();
    release();
    const applied = await applying;
    expect(applied.appliedAt).toBeLessThanOrEqual(issuedAt);
    expect(applied.appliedAt).toBeLessThan(releasedAt);
  });
});
