import { describe, expect, it } from 'vitest';
import { METRIC_NAMES } from '../checks/metrics-catalog.js';
import { closestName, didYouMean } from './suggest.js';

describe('did you mean', () => {
  it('suggests a metric whose unit was spelt out', () => {
    expect(didYouMean('mttr_seconds', METRIC_NAMES)).toBe(' (did you mean `mttr_s`?)');
    expect(closestName('rpo_seconds', METRIC_NAMES)).toBe('rpo_s');
    expect(closestName('p99_millis', METRIC_NAMES)).toBe('p99_ms');
    expect(closestName('outage-secs', METRIC_NAMES)).toBe('outage_s');
  });

  it('still suggests typos and abbreviations, and nothing for a name unlike any', () => {
    expect(closestName('mtr_s', METRIC_NAMES)).toBe('mttr_s');
    expect(closestName('dupes', METRIC_NAMES)).toBe('duplicates');
    expect(closestName('throughput', METRIC_NAMES)).toBeUndefined();
  });
});
