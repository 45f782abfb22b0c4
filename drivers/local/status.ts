/**
 * StackStatus from the stack's own status endpoints: the controller's `GET /status` (primary, epoch,
 * per-region role and lag) and the router's `GET /router/status` (its active region). Read through the
 * direct URLs: status must answer while proxies are faulted.
 */
import { EnvironmentError } from '../../src/contract/errors.js';
import type { ReplicationStatus, StackStatus } from '../../src/contract/stack-status.js';
import type { Topology } from '../../src/contract/topology.js';
import type { StackEndpoints } from './state.js';
import { STACK_PATHS } from '../../src/contract/stack-http.js';

async function getJson(url: string): Promise<unknown> {
  const response = await fetch(url, { signal: AbortSignal.timeout(3000) });
  if (response.status !== 200) {
    const body = await response.text().catch(() => '');
    throw new Error(`HTTP ${response.status} from ${url}: ${body.slice(0, 200)}`);
  }
  return response.json();
}

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);
const str = (v: unknown): string | null => (typeof v === 'string' ? v : null);
const ROLES = new Set(['primary', 'standby', 'fenced', 'down']);

/** Regions of the controller status, whether it lists them as an array or keyed by region. */
function regionEntries(controller: Json): Json[] {
  const raw = controller.regions ?? controller.nodes;
  if (Array.isArray(raw)) return raw.filter(isObject);
  if (isObject(raw))
    return Object.entries(raw)
      .filter((e): e is [string, Json] => isObject(e[1]))
      .map(([region, v]) => ({ region, ...v }));
  return [];
}

export function toStackStatus(controller: unknown, router: unknown, topology: Topology): StackStatus {
  const c = isObject(controller) ? controller : {};
  const r = isObject(router) ? router : {};
  const primary = str(c.primary) ?? topology.primary;
  const entries = new Map(regionEntries(c).map((e) => [str(e.region) ?? str(e.name) ?? '', e]));
  const regions: ReplicationStatus[] = topology.regions.map((region) => {
    const e = entries.get(region) ?? {};
    const role = str(e.role);
    return {
      region,
      role:
        role && ROLES.has(role)
          ? (role as ReplicationStatus['role'])
          : region === primary
            ? 'primary'
            : 'down',
      lagBytes: num(e.lagBytes) ?? num(e.lag_bytes) ?? (region === primary ? 0 : null),
      ...(typeof e.synchronous === 'boolean' ? { synchronous: e.synchronous } : {}),
    };
  });
  return {
    primary,
    epoch: num(c.epoch) ?? 0,
    regions,
    routerActive: str(r.active) ?? str(r.activeRegion) ?? null,
  };
}

export async function fetchStackStatus(endpoints: StackEndpoints, topology: Topology): Promise<StackStatus> {
  let controller: unknown;
  let router: unknown;
  try {
    [controller, router] = await Promise.all([
      getJson(`${endpoints.direct.controller}${STACK_PATHS.controllerStatus}`),
      getJson(`${endpoints.direct.router}${STACK_PATHS.routerStatus}`),
    ]);
  } catch (cause) {
    throw new EnvironmentError(
      'STATUS_UNAVAILABLE',
      `cannot read the stack status: ${(cause as Error).message}`,
      {
        cause,
      },
    );
  }
  return toStackStatus(controller, router, topology);
}
