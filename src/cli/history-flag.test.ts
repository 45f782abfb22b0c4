import { describe, expect, it } from 'vitest';
import { parseHistoryFlag } from './history-flag.js';

describe('--history', () => {
  it('takes gzip or plain, defaults to the library default (undefined), rejects anything else with BAD_FLAG', () => {
    expect(parseHistoryFlag(undefined)).toBeUndefined();
    expect(parseHistoryFlag('gzip')).toBe('gzip');
    expect(parseHistoryFlag('plain')).toBe('plain');
    expect(() => parseHistoryFlag('zstd')).toThrow(
      expect.objectContaining({ code: 'BAD_FLAG', message: '--history must be gzip or plain, got "zstd"' }),
    );
  });
});
