/**
 * A conservation check while the run is live: every few seconds, read every customer balance through
 * the router (`GET /v1/accounts`, one snapshot of one database) and check that the total is still the
 * initial funding and that no no-overdraft account is negative. A failed read proves nothing (the
 * stack may be failing over) and is skipped; a snapshot that breaks an invariant is evidence.
 */
import { request } from 'undici';
import { STACK_PATHS } from '../contract/stack-http.js';

export interface LedgerProbeFinding {
  message: string;
  evidence: Record<string, unknown>;
}

export interface LedgerProbeOptions {
  routerUrl: string;
  accounts: { count: number; funding: number };
  intervalMs?: number;
  timeoutMs?: number;
  onBroken: (finding: LedgerProbeFinding) => void;
}

export function inspectBalances(
  body: unknown,
  accounts: { count: number; funding: number },
): LedgerProbeFinding | null {
  const list = (body as { accounts?: unknown } | null)?.accounts;
  if (!Array.isArray(list)) return null;
  let total = 0;
  const negative: Array<{ id: unknown; balance: number }> = [];
  for (const entry of list as Array<{ id?: unknown; balance?: unknown }>) {
    if (typeof entry.balance !== 'number') return null;
    total += entry.balance;
    if (entry.balance < 0) negative.push({ id: entry.id, balance: entry.balance });
  }
  const expected = accounts.count * accounts.funding;
  if (list.length === accounts.count && total !== expected)
    return {
      message: `the customer balances add up to ${total}, not the initial funding ${expected}`,
      evidence: { total, expected, accounts: list.length },
    };
  if (negative.length > 0)
    return {
      message: `${negative.length} no-overdraft account(s) went negative, e.g. ${String(negative[0]!.id)} at ${negative[0]!.balance}`,
      evidence: { negative: negative.slice(0, 10) },
    };
  return null;
}

export class LedgerProbe {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private stopped = false;
  probes = 0;
  readsFailed = 0;

  constructor(private readonly options: LedgerProbeOptions) {}

  start(): this {
    const schedule = (): void => {
      if (this.stopped) return;
      this.timer = setTimeout(() => {
        this.running = this.probe().finally(schedule);
      }, this.options.intervalMs ?? 2000);
    };
    schedule();
    return this;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer !== undefined) clearTimeout(this.timer);
    await this.running;
  }

  private async probe(): Promise<void> {
    this.probes++;
    const timeout = this.options.timeoutMs ?? 1500;
    let body: unknown;
    try {
      const response = await request(`${this.options.routerUrl}${STACK_PATHS.accounts}`, {
        headersTimeout: timeout,
        bodyTimeout: timeout,
        signal: AbortSignal.timeout(timeout),
      });
      if (response.statusCode !== 200) {
        await response.body.dump();
        this.readsFailed++;
        return;
      }
      body = await response.body.json();
    } catch {
      this.readsFailed++; // unreachable during a fault: no evidence either way
      return;
    }
    const finding = inspectBalances(body, this.options.accounts);
    if (finding !== null && !this.stopped) this.options.onBroken(finding);
  }
}
