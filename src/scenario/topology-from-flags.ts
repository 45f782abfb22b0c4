/**
 * `chaosbank up` flags -> Topology, with the scenario schema's defaults and validation (so a region
 * name or bug accepted by `up` is one a scenario accepts too). Bad input is an InputError (exit 2).
 */
import { InputError } from '../contract/errors.js';
import { topologySchema } from './schema.js';
import { SEEDED_BUGS } from '../contract/seeded-bugs.js';
import type { Topology } from '../contract/topology.js';
import { newRunId } from '../topology/run-id.js';
import { planTopologyOf } from './topology-of.js';

export interface UpFlags {
  regions?: string[];
  primary?: string;
  replication?: string;
  /** `wan` (default: published inter-region latencies) or `lan` (none). */
  network?: string;
  bugs?: string[];
  runId?: string;
  accounts?: { count: number; funding: number; currency: string };
}

export function topologyFromFlags(flags: UpFlags): Topology {
  if (flags.network !== undefined && flags.network !== 'wan' && flags.network !== 'lan')
    throw new InputError('BAD_FLAG', `--network must be wan or lan, got "${flags.network}"`, {
      details: [
        'wan (default): published inter-region latencies on cross-region links; lan: no added latency.',
        'Per-pair latencies are set in a scenario: topology.network.latency.',
      ],
    });
  const parsed = topologySchema.safeParse({
    ...(flags.regions ? { regions: flags.regions } : {}),
    ...(flags.primary ? { primary: flags.primary } : {}),
    ...(flags.replication ? { replication: flags.replication } : {}),
    ...(flags.network ? { network: flags.network } : {}),
    stack: { bugs: flags.bugs ?? [] },
  });
  if (!parsed.success) {
    throw new InputError('BAD_FLAG', 'invalid up flags', {
      details: [
        ...parsed.error.issues.map((i) => `${flagName(i.path)}: ${i.message}`),
        `seeded bugs: ${SEEDED_BUGS.join(', ')}`,
      ],
    });
  }
  const t = parsed.data;
  if (new Set(t.regions).size !== t.regions.length)
    throw new InputError('BAD_FLAG', `--regions lists a region twice: ${t.regions.join(',')}`);
  const primary = t.primary ?? t.regions[0]!;
  if (!t.regions.includes(primary))
    throw new InputError(
      'UNKNOWN_PRIMARY',
      `--primary ${primary} is not one of the regions (${t.regions.join(', ')})`,
      {
        details: ['Pick one of --regions, e.g. `--primary ' + t.regions[0] + '`.'],
      },
    );
  return planTopologyOf(
    { ...t, primary },
    flags.accounts ?? { count: 100, funding: 1_000_000, currency: 'USD' },
    flags.runId ?? newRunId('up'),
  );
}

function flagName(path: PropertyKey[]): string {
  const [head, second] = path;
  if (head === 'stack')
    return `--bugs${second === 'bugs' && path[2] !== undefined ? ` (#${Number(path[2]) + 1})` : ''}`;
  return `--${String(head ?? 'flags')}${path.length > 1 ? ` (#${Number(path[1]) + 1})` : ''}`;
}
