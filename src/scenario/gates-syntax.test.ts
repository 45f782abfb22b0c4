import { describe, expect, it } from 'vitest';
import { compare, parseAbort, parseGate } from './gates-syntax.js';

describe('parseGate', () => {
  it('parses `<metric> <op> <number>`', () => {
    expect(parseGate('mttr_s < 30')).toEqual({ metric: 'mttr_s', op: '<', value: 30, source: 'mttr_s < 30' });
    expect(parseGate('  success_rate>=0.995 ')).toMatchObject({
      metric: 'success_rate',
      op: '>=',
      value: 0.995,
    });
    expect(parseGate('duplicates === 0').op).toBe('==');
    expect(parseGate('p99_ms != -1').value).toBe(-1);
  });

  it.each([
    ['mttr_s less than 30', 'GATE_INVALID'],
    ['mttr_s < 30 for 5s', 'GATE_INVALID'],
    ['mttr < 30', 'GATE_UNKNOWN_METRIC'],
    ['', 'GATE_INVALID'],
  ])('rejects %j with %s', (text, code) => {
    expect(() => parseGate(text)).toThrow(expect.objectContaining({ code, exitCode: 2 }));
  });
});

describe('parseAbort', () => {
  it('parses thresholds with an optional hold time, and the named conditions', () => {
    expect(parseAbort('error_rate > 0.5 for 10s')).toEqual({
      kind: 'threshold',
      metric: 'error_rate',
      op: '>',
      value: 0.5,
      forMs: 10_000,
      source: 'error_rate > 0.5 for 10s',
    });
    expect(parseAbort('duplicates > 0')).toMatchObject({ kind: 'threshold', forMs: 0 });
    expect(parseAbort('ledger_invariant_broken')).toEqual({
      kind: 'ledger_invariant_broken',
      source: 'ledger_invariant_broken',
    });
    expect(parseAbort(' steady_state_not_reached ').kind).toBe('steady_state_not_reached');
  });

  it.each([
    ['error_rate > 0.5 for ever', 'ABORT_INVALID'],
    ['errors > 1', 'ABORT_UNKNOWN_METRIC'],
    ['everything is on fire', 'ABORT_INVALID'],
  ])('rejects %j with %s', (text, code) => {
    expect(() => parseAbort(text)).toThrow(expect.objectContaining({ code }));
  });
});

describe('compare', () => {
  it.each([
    ['<', 1, 2, true],
    ['<', 2, 2, false],
    ['<=', 2, 2, true],
    ['>', 3, 2, true],
    ['>=', 1, 2, false],
    ['==', 0, 0, true],
    ['!=', 0, 0, false],
  ] as const)('%s(%d, %d) = %s', (op, left, right, expected) => {
    expect(compare(op, left, right)).toBe(expected);
  });
});
