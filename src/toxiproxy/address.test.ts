import { describe, expect, it } from 'vitest';
import { formatAddress, splitHostPort } from './address.js';

describe('splitHostPort', () => {
  it('reads host:port like Go', () => {
    expect(splitHostPort('127.0.0.1:8474')).toEqual({ ok: true, host: '127.0.0.1', port: 8474 });
    expect(splitHostPort('localhost:0')).toEqual({ ok: true, host: 'localhost', port: 0 });
    expect(splitHostPort(':9000')).toEqual({ ok: true, host: '', port: 9000 });
    expect(splitHostPort('[::1]:5432')).toEqual({ ok: true, host: '::1', port: 5432 });
  });

  it('explains bad addresses', () => {
    expect(splitHostPort('nocolon')).toEqual({
      ok: false,
      error: 'address nocolon: missing port in address',
    });
    expect(splitHostPort('::1:80')).toMatchObject({
      ok: false,
      error: expect.stringContaining('too many colons'),
    });
    expect(splitHostPort('[::1')).toMatchObject({ ok: false, error: expect.stringContaining("missing ']'") });
    expect(splitHostPort('a:99999')).toEqual({ ok: false, error: 'address 99999: invalid port' });
    expect(splitHostPort('a:http')).toMatchObject({ ok: false });
  });
});

describe('formatAddress', () => {
  it('brackets IPv6 hosts', () => {
    expect(formatAddress('::', 80)).toBe('[::]:80');
    expect(formatAddress('127.0.0.1', 80)).toBe('127.0.0.1:80');
  });
});
