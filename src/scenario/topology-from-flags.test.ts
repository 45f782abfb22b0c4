import { describe, expect, it } from 'vitest';
import { InputError } from '../contract/errors.js';
import { topologyFromFlags } from './topology-from-flags.js';

describe('topologyFromFlags', () => {
  it('plans three regions with the scenario defaults', () => {
    const t = topologyFromFlags({ runId: 'r1' });
    expect(t.regions).toEqual(['us-east', 'eu-west', 'ap-south']);
    expect(t.primary).toBe('us-east');
    expect(t.replication).toBe('sync');
    expect(t.links.some((l) => l.name === 'repl@eu-west->db@us-east')).toBe(true);
    expect(t.network.kind).toBe('wan');
    expect(topologyFromFlags({ runId: 'r2', network: 'lan' }).network.kind).toBe('lan');
  });

  it.each([
    [{ primary: 'mars' }, /--primary mars is not one of the regions/],
    [{ replication: 'maybe' }, /invalid up flags/],
    [{ bugs: ['no-such-bug'] }, /invalid up flags/],
    [{ regions: ['Bad Region'] }, /invalid up flags/],
    [{ regions: ['a', 'a'] }, /lists a region twice/],
    [{ network: 'wam' }, /--network must be wan or lan, got "wam"/],
  ])('rejects %j as bad input', (flags, message) => {
    expect(() => topologyFromFlags(flags)).toThrow(InputError);
    expect(() => topologyFromFlags(flags)).toThrow(message);
  });
});
