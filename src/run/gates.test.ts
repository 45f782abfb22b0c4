import { describe, expect, it } from 'vitest';
import { evaluateGates } from './gates.js';

describe('evaluateGates', () => {
  it('passes and fails gates by comparing the measured metric', () => {
    const results = evaluateGates(['mttr_s < 30', 'duplicates == 0', 'p99_ms <= 800', 'rpo_s == 0'], {
      mttr_s: 12.5,
      duplicates: 2,
      p99_ms: 800,
      rpo_s: 0.75,
    });
    expect(results.map((r) => r.passed)).toEqual([true, false, true, false]);
    expect(results[1]!.reason).toBe('duplicates was 2, expected == 0');
  });

  it('fails a gate whose metric could not be measured, with the reason', () => {
    const [result] = evaluateGates(['mttr_s < 30'], { mttr_s: null });
    expect(result!.passed).toBe(false);
    expect(result!.actual).toBeNull();
    expect(result!.reason).toMatch(/could not be measured/);
  });
});
