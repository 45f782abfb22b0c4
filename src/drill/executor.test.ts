import { describe, expect, it } from 'vitest';
import type { ProcessAction } from '../contract/process-action.js';
import type { StackStatus } from '../contract/stack-status.js';
import type { FaultSpec } from '../faults/spec.js';
import type { StackEvent } from '../contract/events.js';
import { executeStep, runSection, type DrillContext } from './executor.js';
import { parseRunbook } from './parse-runbook.js';
import type { Step } from './runbook.js';

/** A stack whose state the test moves forward: status() reads it, actions are recorded. */
class ScriptedStack {
  state: StackStatus = {
    primary: 'us-east',
    epoch: 1,
    routerActive: 'us-east',
    regions: [
      { region: 'us-east', role: 'primary', lagBytes: 0 },
      { region: 'eu-west', role: 'standby', lagBytes: 0 },
    ],
  };
  reads = 0;
  /** Called on each status read, to move the state forward. */
  onRead: (reads: number, s: StackStatus) => void = () => undefined;
  actions: string[] = [];
  status(): Promise<StackStatus> {
    this.reads++;
    this.onRead(this.reads, this.state);
    return Promise.resolve(structuredClone(this.state));
  }
  processAction(component: string, action: ProcessAction): Promise<void> {
    this.actions.push(`${action} ${component}`);
    return Promise.resolve();
  }
}

function context(
  stack: ScriptedStack,
  extra: Partial<DrillContext> = {},
): DrillContext & { applied: string[]; events: StackEvent[] } {
  const applied: string[] = [];
  const events: StackEvent[] = [];
  return {
    stack,
    faults: {
      apply: (f: FaultSpec, o: { id: string }) => Promise.resolve(applied.push(`apply ${o.id} ${f.kind}`)),
      revert: (id: string) => Promise.resolve(applied.push(`revert ${id}`)),
      healAll: () => Promise.resolve(applied.push('heal all')),
    },
    successRate: () => 1,
    initialPrimary: 'us-east',
    auto: false,
    pollMs: 1,
    onEvent: (e) => events.push(e),
    applied,
    events,
    ...extra,
  };
}

function stepsOf(body: string): Step[] {
  const { value, issues } = parseRunbook(
    `---\nname: t\ntargets: { rto_s: 5, rpo_s: 0 }\nstack: { regions: [us-east, eu-west] }\n---\n## Steps\n${body}`,
    't.md',
  );
  expect(issues).toEqual([]);
  return value!.steps;
}
const block = (yaml: string) => `\`\`\`step\n${yaml}\n\`\`\`\n`;

describe('executor', () => {
  it('waits until the condition holds, polling the stack', async () => {
    const stack = new ScriptedStack();
    stack.onRead = (n, s) => {
      if (n === 5) Object.assign(s, { primary: 'eu-west', epoch: 2 });
    };
    const [wait] = stepsOf(block('wait: primary-changed\ntimeout: 5s'));
    const { record, broken } = await executeStep(wait!, 1, context(stack));
    expect(broken).toBe(false);
    expect(record).toMatchObject({ status: 'passed', kind: 'wait', detail: 'primary eu-west (epoch 2)' });
    expect(stack.reads).toBe(5);
  });

  it('fails a wait at its timeout with what it saw last', async () => {
    const stack = new ScriptedStack();
    const [wait] = stepsOf(block('wait: role(us-east) == standby\ntimeout: 50ms'));
    const { record, broken } = await executeStep(wait!, 1, context(stack));
    expect(broken).toBe(true);
    expect(record.status).toBe('failed');
    expect(record.detail).toMatch(/not met within the 0.05 s timeout: us-east is primary/);
  });

  it('waits for a standby to join the synchronous quorum, not just to stream', async () => {
    const stack = new ScriptedStack();
    stack.state.regions[1]!.synchronous = false;
    stack.onRead = (n, s) => {
      if (n === 3) s.regions[1]!.synchronous = true;
    };
    const [wait] = stepsOf(block('wait: sync-standby(eu-west)\ntimeout: 5s'));
    const { record } = await executeStep(wait!, 1, context(stack));
    expect(record).toMatchObject({ status: 'passed', detail: 'eu-west is a synchronous standby' });
    expect(stack.reads).toBe(3);

    const late = new ScriptedStack();
    late.state.regions[1]!.synchronous = false;
    const [check] = stepsOf(block('check: sync-standby(eu-west)'));
    expect((await executeStep(check!, 1, context(late))).record).toMatchObject({
      status: 'failed',
      detail: 'expected, but eu-west is standby, not (yet) in the synchronous quorum',
    });
  });

  it('counts status read errors as not yet', async () => {
    const stack = new ScriptedStack();
    stack.onRead = (n, s) => {
      if (n < 3) throw new Error('controller unreachable');
      s.routerActive = 'eu-west';
    };
    const [wait] = stepsOf(block('wait: router-active != us-east'));
    const { record } = await executeStep(wait!, 1, context(stack));
    expect(record.status).toBe('passed');
  });

  it('marks a step that met its condition but missed its `within` target as failed, without breaking the section', async () => {
    const stack = new ScriptedStack();
    let now = 1000;
    const steps = stepsOf(block('check: epoch >= 1\nwithin: 10ms') + block('check: primary == us-east'));
    const ctx = context(stack, {
      now: () => now,
      stack: {
        status: async () => {
          now += 50; // the status read "takes" 50 ms
          return stack.status();
        },
        processAction: (c, a) => stack.processAction(c, a),
      },
    });
    const { records, stopped } = await runSection(steps, ctx, { firstIndex: 1 });
    expect(stopped).toBe(false);
    expect(records.map((r) => r.status)).toEqual(['failed', 'passed']);
    expect(records[0]).toMatchObject({ targetMs: 10, durationMs: 50 });
    expect(records[0]!.detail).toMatch(/took 0.05 s, target 0.01 s/);
  });

  it('stops a section at a failed check and skips the rest; rollback keeps going', async () => {
    const stack = new ScriptedStack();
    const steps = stepsOf(
      block('check: primary == eu-west') +
        block('id: f\nfault: { kind: primary-db-kill }') +
        block('heal: f'),
    );
    const ctx = context(stack);
    const first = await runSection(steps, ctx, { firstIndex: 1 });
    expect(first.records.map((r) => r.status)).toEqual(['failed', 'skipped', 'skipped']);
    expect(ctx.applied).toEqual([]);
    const rollback = await runSection(steps, ctx, { firstIndex: 1, keepGoing: true });
    expect(rollback.records.map((r) => r.status)).toEqual(['failed', 'passed', 'passed']);
    expect(ctx.applied).toEqual(['apply f primary-db-kill', 'revert f']);
  });

  it('runs process actions and records them as fault events', async () => {
    const stack = new ScriptedStack();
    const steps = stepsOf(
      block('process: { component: api@eu-west, action: pause }') +
        block('process: { component: api@eu-west, action: resume }'),
    );
    const ctx = context(stack);
    await runSection(steps, ctx, { firstIndex: 1 });
    expect(stack.actions).toEqual(['pause api@eu-west', 'resume api@eu-west']);
    expect(ctx.events.map((e) => e.type)).toEqual(['fault.applied', 'fault.reverted']);
  });

  it('asks at confirm steps, or records skipped-by-auto', async () => {
    const stack = new ScriptedStack();
    const [confirm] = stepsOf(block('confirm: Paged?'));
    const asked: string[] = [];
    const yes = await executeStep(
      confirm!,
      1,
      context(stack, { confirm: (p) => (asked.push(p), Promise.resolve(true)) }),
    );
    const no = await executeStep(confirm!, 1, context(stack, { confirm: () => Promise.resolve(false) }));
    const auto = await executeStep(
      confirm!,
      1,
      context(stack, { auto: true, confirm: () => Promise.reject(new Error('must not ask')) }),
    );
    expect(asked).toEqual(['Paged?']);
    expect([yes.record.status, no.record.status, auto.record.status]).toEqual([
      'passed',
      'failed',
      'skipped',
    ]);
    expect(auto.record.detail).toBe('skipped-by-auto');
  });

  it('checks the live success rate and a stack-healthy state', async () => {
    const stack = new ScriptedStack();
    const steps = stepsOf(block('check: success-rate >= 0.95') + block('check: stack-healthy'));
    const low = await runSection(steps, context(stack, { successRate: () => 0.5 }), { firstIndex: 1 });
    expect(low.records[0]!.detail).toBe('expected, but success rate 0.500');
    stack.state.regions[1]!.role = 'down';
    const unhealthy = await runSection(steps, context(stack), { firstIndex: 1 });
    expect(unhealthy.records.map((r) => r.status)).toEqual(['passed', 'failed']);
  });

  it('rejects on interruption during a wait', async () => {
    const stack = new ScriptedStack();
    const [wait] = stepsOf(block('wait: 10s'));
    const abort = new AbortController();
    const pending = executeStep(wait!, 1, context(stack, { signal: abort.signal }));
    abort.abort();
    await expect(pending).rejects.toMatchObject({ code: 'INTERRUPTED' });
  });
});
