import { describe, expect, it } from 'vitest';
import { maxLsn, parseLsn } from './lsn.js';

describe('lsn', () => {
  it('orders positions by both halves', () => {
    expect(parseLsn('0/3000060')).toBe(0x3000060n);
    expect(parseLsn('1/0')! > parseLsn('0/FFFFFFFF')!).toBe(true);
    expect(parseLsn(null)).toBeNull();
    expect(parseLsn('garbage')).toBeNull();
    expect(maxLsn(parseLsn('0/5'), null, parseLsn('0/A'))).toBe(10n);
    expect(maxLsn(null)).toBeNull();
  });
});
