import type { Command } from 'commander';
import { action } from '../action.js';
import { printJson, printLine } from '../output.js';
import type { FaultFlags } from '../../faults/flags.js';

type FaultOptions = FaultFlags & {
  id?: string;
  runId?: string;
  toxiproxyUrl?: string;
  topologyRegions?: string;
  json?: boolean;
};

export function registerFault(program: Command): void {
  program
    .command('fault <kind>')
    .description(
      'Inject a fault into the running stack (region-outage, region-isolation, partition, latency, bandwidth, reset, blackhole, process-kill, process-pause, process-restart, primary-db-kill)',
    )
    .option('--region <region>', 'target region')
    .option('--regions <a,b>', 'two regions (partition, or latency/bandwidth/reset/blackhole between them)')
    .option(
      '--direction <both|one-way>',
      'partition direction: one-way cuts only links from the first region',
    )
    .option('--link <name>', 'target link (its proxy name), e.g. api@eu-west->db@us-east')
    .option('--component <id>', 'target component: api@R, db@R, router, controller')
    .option('--latency <duration>', 'latency: added delay, e.g. 200ms')
    .option('--jitter <duration>', 'latency: +/- jitter, e.g. 50ms')
    .option('--rate <KBps>', 'bandwidth: rate in KB/s')
    .option('--timeout <duration>', 'reset: delay before the reset; blackhole: close after (default: never)')
    .option('--toxicity <0..1>', 'share of connections affected (default 1)')
    .option('--stream <upstream|downstream|both>', 'which direction the toxic acts on')
    .option('--duration <duration>', 'stay attached, then revert after this long (Ctrl-C reverts early)')
    .option('--id <id>', 'fault id (default: <kind>-<time>); `chaosbank heal --id` reverts it')
    .option('--run-id <id>', 'which stack (default: the newest running one)')
    .option('--toxiproxy-url <url>', 'drive this Toxiproxy directly instead of a chaosbank stack')
    .option('--topology-regions <a,b,c>', 'with --toxiproxy-url: regions whose links name the proxies')
    .option('--json', 'print the applied fault as JSON')
    .action(
      action(async (kind: string, opts: FaultOptions) => {
        const { faultFromFlags } = await import('../../faults/flags.js');
        const { resolveFaultTarget } = await import('../../run/fault-target.js');
        const { runFaultCommand, describeFault } = await import('../../faults/command.js');
        const { fault, durationMs } = faultFromFlags(kind, opts);
        const target = await resolveFaultTarget(opts);
        const controller = new AbortController();
        const onSignal = (): void => controller.abort();
        process.once('SIGINT', onSignal);
        process.once('SIGTERM', onSignal);
        try {
          const result = await runFaultCommand(target, fault, {
            ...(opts.id === undefined ? {} : { id: opts.id }),
            ...(durationMs === undefined ? {} : { durationMs }),
            signal: controller.signal,
            onApplied: (applied) => {
              if (opts.json) return;
              printLine(`applied on ${target.description}`);
              for (const line of describeFault(applied)) printLine(line);
              if (durationMs !== undefined) printLine(`holding for ${opts.duration} (Ctrl-C reverts now)...`);
            },
          });
          if (opts.json) printJson(result);
          else if (result.reverted) printLine(`reverted ${result.fault.id}`);
          else printLine(`revert with \`chaosbank heal --id ${result.fault.id}\` or \`chaosbank heal\``);
          return 0;
        } finally {
          process.off('SIGINT', onSignal);
          process.off('SIGTERM', onSignal);
        }
      }),
    );
}
