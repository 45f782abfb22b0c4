import { describe, expect, it } from 'vitest';
import { sampleReport } from '../report/sample-report.js';
import { ExitCode, EnvironmentError, InputError } from '../contract/errors.js';
import { decideOutcome, ungatedAnomalies } from './outcome.js';
import { evaluateGates } from './gates.js';
import type { Verdict } from '../checks/verdict.js';

function verdictWith(type: 'lost-write' | 'stale-read', count: number): Verdict {
  const verdict = structuredClone(sampleReport().verdict!);
  verdict.checkers = [
    {
      name: 'x',
      passed: count === 0,
      summary: '',
      anomalies: [{ type, count, examples: [] }],
    },
  ];
  return verdict;
}

describe('decideOutcome', () => {
  it('passes when every gate passes and no anomaly was found', () => {
    const verdict = verdictWith('lost-write', 0);
    const gates = evaluateGates(['lost_writes == 0'], { lost_writes: 0 });
    expect(decideOutcome({ interrupted: false, verdict, gates })).toEqual({ status: 'passed', exitCode: 0 });
  });

  it('fails on a failed gate and says which', () => {
    const verdict = verdictWith('lost-write', 3);
    const gates = evaluateGates(['rpo_s == 0'], { rpo_s: 1.5 });
    const outcome = decideOutcome({ interrupted: false, verdict, gates });
    expect(outcome.exitCode).toBe(ExitCode.gateFailed);
    expect(outcome.reason).toContain('rpo_s == 0');
    // rpo_s covers lost writes: they are not reported twice as ungated
    expect(outcome.reason).not.toContain('no gate covers');
  });

  it('fails on an anomaly no gate names, and a gate naming it decides instead', () => {
    const verdict = verdictWith('stale-read', 4);
    expect(ungatedAnomalies(verdict, [])).toEqual([{ type: 'stale-read', count: 4 }]);
    const failed = decideOutcome({ interrupted: false, verdict, gates: [] });
    expect(failed).toMatchObject({ status: 'failed', exitCode: 1 });
    expect(failed.reason).toContain('4 stale-read');
    const tolerated = evaluateGates(['stale_reads < 10'], { stale_reads: 4 });
    expect(decideOutcome({ interrupted: false, verdict, gates: tolerated }).status).toBe('passed');
    const all = evaluateGates(['anomalies < 10'], { anomalies: 4 });
    expect(decideOutcome({ interrupted: false, verdict, gates: all }).status).toBe('passed');
  });

  it('maps interruptions, abort conditions and errors to their exit codes', () => {
    expect(decideOutcome({ interrupted: true }).exitCode).toBe(130);
    expect(
      decideOutcome({ interrupted: false, abort: { condition: 'ledger_invariant_broken', reason: 'x' } }),
    ).toMatchObject({ status: 'aborted', exitCode: 1 });
    expect(
      decideOutcome({ interrupted: false, error: new EnvironmentError('STACK_START_FAILED', 'down') }),
    ).toMatchObject({
      status: 'error',
      exitCode: 3,
    });
    expect(decideOutcome({ interrupted: false, error: new InputError('BAD_FLAG', 'bad') }).exitCode).toBe(2);
    expect(decideOutcome({ interrupted: false, error: new Error('bug') }).exitCode).toBe(3);
  });
});
