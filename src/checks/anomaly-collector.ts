/** Counts every anomaly and keeps the first N of each type as examples (evidence built only for those). */
import type { Anomaly, AnomalySummary, AnomalyType } from './verdict.js';

export class AnomalyCollector {
  private readonly byType = new Map<AnomalyType, AnomalySummary>();

  constructor(private readonly examples: number) {}

  /** Record one anomaly; `describe` runs only while fewer than N examples of this type are kept. */
  add(type: AnomalyType, describe: () => Omit<Anomaly, 'type'>): void {
    let summary = this.byType.get(type);
    if (!summary) {
      summary = { type, count: 0, examples: [] };
      this.byType.set(type, summary);
    }
    summary.count++;
    if (summary.examples.length < this.examples) summary.examples.push({ type, ...describe() });
  }

  count(type: AnomalyType): number {
    return this.byType.get(type)?.count ?? 0;
  }

  summaries(types: readonly AnomalyType[]): AnomalySummary[] {
    return types.flatMap((t) => {
      const s = this.byType.get(t);
      return s ? [s] : [];
    });
  }

  total(): number {
    let n = 0;
    for (const s of this.byType.values()) n += s.count;
    return n;
  }
}
