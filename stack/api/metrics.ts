/** Prometheus text metrics of the payments API: requests by route/status, latency histogram, primary. */

const BUCKETS_S = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];

interface Histogram {
  counts: number[]; // per bucket (non-cumulative), last = +Inf
  sum: number;
  count: number;
}

export class ApiMetrics {
  #requests = new Map<string, number>(); // `${route}\t${status}` -> count
  #latency = new Map<string, Histogram>(); // route -> histogram

  observe(route: string, status: number, seconds: number): void {
    const key = `${route}\t${status}`;
    this.#requests.set(key, (this.#requests.get(key) ?? 0) + 1);
    let h = this.#latency.get(route);
    if (h === undefined) {
      h = { counts: new Array<number>(BUCKETS_S.length + 1).fill(0), sum: 0, count: 0 };
      this.#latency.set(route, h);
    }
    let i = BUCKETS_S.findIndex((b) => seconds <= b);
    if (i < 0) i = BUCKETS_S.length;
    h.counts[i] = (h.counts[i] ?? 0) + 1;
    h.sum += seconds;
    h.count += 1;
  }

  render(state: {
    region: string;
    primaryRegion: string | null;
    epoch: number | null;
    ready: boolean;
  }): string {
    const out: string[] = [];
    const region = label(state.region);
    out.push('# HELP chaosbank_api_requests_total HTTP requests served, by route and status.');
    out.push('# TYPE chaosbank_api_requests_total counter');
    for (const [key, n] of this.#requests) {
      const [route, status] = key.split('\t');
      out.push(
        `chaosbank_api_requests_total{region=${region},route=${label(route!)},status="${status}"} ${n}`,
      );
    }
    out.push('# HELP chaosbank_api_request_duration_seconds HTTP request latency, by route.');
    out.push('# TYPE chaosbank_api_request_duration_seconds histogram');
    for (const [route, h] of this.#latency) {
      const labels = `region=${region},route=${label(route)}`;
      let cumulative = 0;
      BUCKETS_S.forEach((le, i) => {
        cumulative += h.counts[i] ?? 0;
        out.push(`chaosbank_api_request_duration_seconds_bucket{${labels},le="${le}"} ${cumulative}`);
      });
      out.push(`chaosbank_api_request_duration_seconds_bucket{${labels},le="+Inf"} ${h.count}`);
      out.push(`chaosbank_api_request_duration_seconds_sum{${labels}} ${h.sum}`);
      out.push(`chaosbank_api_request_duration_seconds_count{${labels}} ${h.count}`);
    }
    out.push(
      '# HELP chaosbank_api_primary_epoch Epoch of the primary this API writes to (-1 when none is known).',
    );
    out.push('# TYPE chaosbank_api_primary_epoch gauge');
    out.push(`chaosbank_api_primary_epoch{region=${region}} ${state.epoch ?? -1}`);
    out.push('# HELP chaosbank_api_primary_info The region whose database this API currently writes to.');
    out.push('# TYPE chaosbank_api_primary_info gauge');
    if (state.primaryRegion !== null)
      out.push(`chaosbank_api_primary_info{region=${region},primary=${label(state.primaryRegion)}} 1`);
    out.push('# HELP chaosbank_api_ready 1 when /readyz answers 200.');
    out.push('# TYPE chaosbank_api_ready gauge');
    out.push(`chaosbank_api_ready{region=${region}} ${state.ready ? 1 : 0}`);
    return `${out.join('\n')}\n`;
  }
}

function label(value: string): string {
  return JSON.stringify(value); // Prometheus label escaping (\\, \", \n) matches JSON's for these
}
