import { describe, expect, it } from 'vitest';
import { decideSync, eligibleSyncStandbys } from './sync-mode.js';

const names = 'ANY 1 ("eu-west", "ap-south")';
const standbys = ['eu-west', 'ap-south'];

describe('decideSync', () => {
  it('relaxes when no standby streams (non-strict)', () => {
    expect(decideSync({ current: names, standbys, streaming: [], strict: false })).toEqual({ kind: 'relax' });
    expect(decideSync({ current: '', standbys, streaming: [], strict: false })).toEqual({ kind: 'none' });
  });

  it('restores as soon as one standby streams', () => {
    expect(decideSync({ current: '', standbys, streaming: ['ap-south'], strict: false })).toEqual({
      kind: 'restore',
      names,
    });
    expect(decideSync({ current: names, standbys, streaming: ['eu-west'], strict: false })).toEqual({
      kind: 'none',
    });
    // the list as bootstrap wrote it, in another order: still enabled, nothing to do
    const other = 'ANY 1 ("ap-south", "eu-west")';
    expect(decideSync({ current: other, standbys, streaming: ['eu-west'], strict: false })).toEqual({
      kind: 'none',
    });
  });

  it('ignores a streaming client that is not one of our standbys', () => {
    expect(decideSync({ current: names, standbys, streaming: ['pg_basebackup'], strict: false })).toEqual({
      kind: 'relax',
    });
  });

  it('strict mode never relaxes and repairs a relaxed primary', () => {
    expect(decideSync({ current: names, standbys, streaming: [], strict: true })).toEqual({ kind: 'none' });
    expect(decideSync({ current: '', standbys, streaming: [], strict: true })).toEqual({
      kind: 'restore',
      names,
    });
  });
});

describe('eligibleSyncStandbys', () => {
  const previous = new Set(['eu-west', 'ap-south']);
  it('keeps the previous quorum members when none streams but sync is not relaxed', () => {
    expect(eligibleSyncStandbys({ previous, streamingMembers: new Set(), names })).toEqual(previous);
  });
  it('follows the streaming members while any streams', () => {
    expect(eligibleSyncStandbys({ previous, streamingMembers: new Set(['eu-west']), names })).toEqual(
      new Set(['eu-west']),
    );
  });
  it('is empty once sync is relaxed', () => {
    expect(eligibleSyncStandbys({ previous, streamingMembers: new Set(), names: '' })).toEqual(new Set());
  });
});
