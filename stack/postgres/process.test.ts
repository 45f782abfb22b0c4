import { describe, expect, it } from 'vitest';
import { startFailureReason } from './process.js';

const at = '2026-11-22 08:00:00.000 UTC [123] ';

describe('startFailureReason', () => {
  it('names a failed bind, not the FATAL line that follows it', () => {
    expect(
      startFailureReason([
        `${at}LOG:  starting PostgreSQL 17`,
        `${at}LOG:  could not bind IPv4 address "127.0.1.1": Address already in use`,
        `${at}HINT:  Is another postmaster already running on port 25432?`,
        `${at}WARNING:  could not create listen socket for "127.0.1.1"`,
        `${at}FATAL:  could not create any TCP/IP sockets`,
        `${at}LOG:  database system is shut down`,
      ]),
    ).toBe('could not bind IPv4 address "127.0.1.1": Address already in use');
  });

  it('skips the readiness probe being turned away, and takes the last real FATAL', () => {
    expect(
      startFailureReason([
        `${at}FATAL:  the database system is starting up`,
        `${at}FATAL:  could not open file "global/pg_filenode.map": No such file or directory`,
        `${at}FATAL:  the database system is starting up`,
      ]),
    ).toBe('could not open file "global/pg_filenode.map": No such file or directory');
  });

  it('has no reason when the log gives none', () => {
    expect(startFailureReason([])).toBeUndefined();
    expect(startFailureReason([`${at}FATAL:  the database system is shutting down`])).toBeUndefined();
  });
});
