import type { Command } from 'commander';
import type { StackReport } from '../../../drivers/driver.js';
import { availableDrivers } from '../../../drivers/registry.js';
import { action } from '../action.js';
import { printJson, printLine, stdoutColors } from '../output.js';

export function registerStatus(program: Command): void {
  program
    .command('status')
    .description(
      'Show the running stack (topology, primary, epoch, replication lag, active faults) and stacks whose owner is gone',
    )
    .option('--run-id <id>', 'which stack (default: the newest running one)')
    .option('--json', 'print the status as JSON')
    .action(
      action(async (opts: { runId?: string; json?: boolean }) => {
        const report = await statusOfAllDrivers(opts.runId);
        if (opts.json) {
          printJson(report);
          return 0;
        }
        const c = stdoutColors;
        const printOwnerless = () => {
          for (const o of report.ownerless) {
            const left = [
              ...o.remains.processes,
              ...(o.remains.dirs.length > 0 ? [`${o.remains.dirs.length} dirs`] : []),
            ];
            printLine(
              `${c.red('ownerless')}  ${c.bold(o.runId)}  its owner ${o.owner.description} is gone; ` +
                `left: ${left.length > 0 ? left.join(', ') : 'its registry entry'} (run dir ${o.runDir})`,
            );
          }
          if (report.ownerless.length > 0)
            printLine(
              c.dim('  reaped by the next `chaosbank up` or `chaosbank run`, or now by `chaosbank down`'),
            );
        };
        if (!report.running) {
          printLine('no stack is running (start one with `chaosbank up`)');
          printOwnerless();
          return 0;
        }
        const s = report.status;
        printLine(
          `stack ${c.bold(report.runId)}  ${report.replication} replication  run dir ${report.runDir}`,
        );
        printLine(`  router     ${report.router}  active region: ${s?.routerActive ?? c.yellow('unknown')}`);
        printLine(`  primary    ${s ? `${s.primary} (epoch ${s.epoch})` : c.yellow('unknown')}`);
        for (const region of report.regions) {
          const r = s?.regions.find((x) => x.region === region.name);
          const lag = r?.lagBytes === null || r?.lagBytes === undefined ? '?' : `${r.lagBytes} B`;
          printLine(
            `  ${region.name.padEnd(10)} ${(r?.role ?? '?').padEnd(8)} lag ${lag.padEnd(8)} api ${region.apiUrl}  (${region.host})`,
          );
        }
        printLine(`  toxiproxy  ${report.toxiproxy}`);
        if (report.statusError) printLine(c.yellow(`  status endpoints: ${report.statusError}`));
        if (report.faults.length === 0) printLine('  faults     none');
        for (const f of report.faults) printLine(`  fault      ${f.id} ${f.kind} ${f.target} (${f.status})`);
        printOwnerless();
        return 0;
      }),
    );
}

/** The running stack of the first driver that has one (or none), with every driver's ownerless stacks. */
async function statusOfAllDrivers(runId: string | undefined): Promise<StackReport> {
  const reports = await Promise.all((await availableDrivers()).map((d) => d.report(runId)));
  const running = reports.find((r) => r.running) ?? reports[0]!;
  return { ...running, ownerless: reports.flatMap((r) => r.ownerless) };
}
