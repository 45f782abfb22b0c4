import type { Command } from 'commander';
import { action } from '../action.js';
import { printJson, printLine } from '../output.js';

interface HealOptions {
  id?: string;
  runId?: string;
  toxiproxyUrl?: string;
  topologyRegions?: string;
  json?: boolean;
}

export function registerHeal(program: Command): void {
  program
    .command('heal')
    .description('Revert every fault on the running stack (and remove any leftover cb-* toxic)')
    .option('--id <id>', 'revert only this fault')
    .option('--run-id <id>', 'which stack (default: the newest running one)')
    .option('--toxiproxy-url <url>', 'heal this Toxiproxy directly instead of a chaosbank stack')
    .option('--topology-regions <a,b,c>', 'with --toxiproxy-url: regions whose links name the proxies')
    .option('--json', 'print what was healed as JSON')
    .action(
      action(async (opts: HealOptions) => {
        const { resolveFaultTarget } = await import('../../run/fault-target.js');
        const { runHealCommand } = await import('../../faults/command.js');
        const target = await resolveFaultTarget(opts);
        const result = await runHealCommand(target, opts.id === undefined ? {} : { id: opts.id });
        if (opts.json) {
          printJson(result);
          return 0;
        }
        const nothing =
          result.reverted.length + result.removedToxics.length + result.enabledProxies.length === 0;
        if (nothing) printLine(`${target.description}: nothing to heal`);
        if (result.reverted.length > 0) printLine(`reverted ${result.reverted.join(', ')}`);
        for (const t of result.removedToxics) printLine(`removed leftover toxic ${t.toxic} from ${t.proxy}`);
        if (result.enabledProxies.length > 0) printLine(`re-enabled ${result.enabledProxies.join(', ')}`);
        return 0;
      }),
    );
}
