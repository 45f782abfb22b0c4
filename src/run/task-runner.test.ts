import { describe, expect, it } from 'vitest';
import { runTasks, type Task } from './task-runner.js';

function recorder() {
  const log: string[] = [];
  const task = (title: string, fail?: 'setup' | 'teardown'): Task<string[]> => ({
    title,
    setup: (ctx) => {
      ctx.push(`setup ${title}`);
      return fail === 'setup' ? Promise.reject(new Error(`${title} failed`)) : Promise.resolve();
    },
    teardown: (ctx) => {
      ctx.push(`teardown ${title}`);
      return fail === 'teardown' ? Promise.reject(new Error(`${title} teardown failed`)) : Promise.resolve();
    },
  });
  return { log, task };
}

describe('runTasks', () => {
  it('runs setups in order and teardowns in reverse on success', async () => {
    const { log, task } = recorder();
    const result = await runTasks([task('a'), task('b'), task('c')], log);
    expect(result.error).toBeUndefined();
    expect(log).toEqual(['setup a', 'setup b', 'setup c', 'teardown c', 'teardown b', 'teardown a']);
  });

  it('stops at a failing setup and still tears down every started task, including the failed one', async () => {
    const { log, task } = recorder();
    const result = await runTasks([task('a'), task('b', 'setup'), task('c')], log);
    expect((result.error as Error).message).toBe('b failed');
    expect(log).toEqual(['setup a', 'setup b', 'teardown b', 'teardown a']);
  });

  it('keeps tearing down when a teardown fails and reports it separately', async () => {
    const { log, task } = recorder();
    const result = await runTasks([task('a'), task('b', 'teardown')], log);
    expect(result.error).toBeUndefined();
    expect(result.teardownErrors).toHaveLength(1);
    expect(log).toEqual(['setup a', 'setup b', 'teardown b', 'teardown a']);
  });

  it('abandons a stuck setup when aborted and tears down', async () => {
    const controller = new AbortController();
    const log: string[] = [];
    const stuck: Task<string[]> = {
      title: 'stuck',
      setup: (ctx) => {
        ctx.push('setup stuck');
        queueMicrotask(() => controller.abort(new Error('interrupted')));
        return new Promise(() => {});
      },
      teardown: (ctx) => {
        ctx.push('teardown stuck');
        return Promise.resolve();
      },
    };
    const result = await runTasks([stuck], log, { signal: controller.signal });
    expect(result.aborted).toBe(true);
    expect((result.error as Error).message).toBe('interrupted');
    expect(log).toEqual(['setup stuck', 'teardown stuck']);
  });
});
