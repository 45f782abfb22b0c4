import { describe, expect, it } from 'vitest';
import { ApiError } from './api-error.js';
import { mergeAttributes, parseDirection } from './toxic-definition.js';

describe('mergeAttributes', () => {
  it('defaults missing attributes to 0, drops unknown ones, matches keys case-insensitively', () => {
    expect(mergeAttributes('latency', undefined, { LATENCY: 10, other: 1 })).toEqual({
      latency: 10,
      jitter: 0,
    });
    expect(mergeAttributes('noop', undefined, { x: 1 })).toEqual({});
  });

  it('merges into current values', () => {
    expect(mergeAttributes('latency', { latency: 10, jitter: 2 }, { jitter: 5 })).toEqual({
      latency: 10,
      jitter: 5,
    });
    expect(mergeAttributes('latency', { latency: 10, jitter: 2 }, null)).toEqual({ latency: 10, jitter: 2 });
  });

  it('rejects non-integers and the values that crash the real server', () => {
    expect(() => mergeAttributes('latency', undefined, { latency: 1.5 })).toThrow(/bad request body/);
    expect(() => mergeAttributes('bandwidth', undefined, { rate: -1 })).toThrow(ApiError);
    expect(() => mergeAttributes('slicer', undefined, { average_size: 0 })).toThrow(/average_size/);
    expect(() => mergeAttributes('latency', undefined, 'fast')).toThrow(/bad request body/);
  });
});

describe('parseDirection', () => {
  it('accepts either stream in any case', () => {
    expect(parseDirection('UpStream')).toBe('upstream');
    expect(() => parseDirection('both')).toThrow('stream was invalid, can be either upstream or downstream');
  });
});
