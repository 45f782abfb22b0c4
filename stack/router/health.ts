/**
 * Health of the regions as the router sees them: a region turns unhealthy after N consecutive failed
 * `GET /readyz` checks and healthy again after M good ones. The active region is the first healthy one in
 * priority order; every change is reported so the router can log it as an event.
 */
export interface RegionHealthState {
  name: string;
  healthy: boolean;
  consecutiveFailures: number;
  consecutiveSuccesses: number;
  lastError: string | null;
}

export type HealthChange =
  | { type: 'router.region-unhealthy'; region: string; consecutiveFailures: number; error: string }
  | { type: 'router.region-healthy'; region: string }
  | { type: 'router.switch'; from: string | null; to: string | null };

export class RegionHealth {
  readonly regions: RegionHealthState[];
  #active: string | null;

  constructor(
    names: string[],
    private readonly thresholds: { unhealthyAfter: number; healthyAfter: number },
  ) {
    // Optimistic start: every region is healthy until its checks say otherwise.
    this.regions = names.map((name) => ({
      name,
      healthy: true,
      consecutiveFailures: 0,
      consecutiveSuccesses: 0,
      lastError: null,
    }));
    this.#active = names[0] ?? null;
  }

  get active(): string | null {
    return this.#active;
  }

  /** Healthy regions in priority order. */
  healthyRegions(): string[] {
    return this.regions.filter((r) => r.healthy).map((r) => r.name);
  }

  /** Record one health-check result; returns the resulting changes (possibly none). */
  record(name: string, result: { ok: true } | { ok: false; error: string }): HealthChange[] {
    const state = this.regions.find((r) => r.name === name);
    if (!state) return [];
    const changes: HealthChange[] = [];
    if (result.ok) {
      state.consecutiveFailures = 0;
      state.consecutiveSuccesses++;
      state.lastError = null;
      if (!state.healthy && state.consecutiveSuccesses >= this.thresholds.healthyAfter) {
        state.healthy = true;
        changes.push({ type: 'router.region-healthy', region: name });
      }
    } else {
      state.consecutiveSuccesses = 0;
      state.consecutiveFailures++;
      state.lastError = result.error;
      if (state.healthy && state.consecutiveFailures >= this.thresholds.unhealthyAfter) {
        state.healthy = false;
        changes.push({
          type: 'router.region-unhealthy',
          region: name,
          consecutiveFailures: state.consecutiveFailures,
          error: result.error,
        });
      }
    }
    const next = this.healthyRegions()[0] ?? null;
    if (next !== this.#active) {
      changes.push({ type: 'router.switch', from: this.#active, to: next });
      this.#active = next;
    }
    return changes;
  }
}
