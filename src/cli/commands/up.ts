import type { Command } from 'commander';
import { InputError, InterruptedError, ExitCode } from '../../contract/errors.js';
import { action } from '../action.js';
import { reapOwnerlessStacks } from '../reap-ownerless.js';
import { describeNetwork } from '../../contract/network.js';
import { printJson, printLine, printError, stdoutColors } from '../output.js';

interface UpCliOptions {
  regions?: string;
  primary?: string;
  replication?: string;
  network?: string;
  bugs?: string;
  toxiproxyUrl?: string;
  runDir?: string;
  json?: boolean;
  foreground?: boolean;
}

const list = (value: string | undefined): string[] | undefined =>
  value === undefined
    ? undefined
    : value
        .split(',')
        .map((s) => s.trim())
        .filter((s) => s !== '');

interface UpSummary {
  runId: string;
  router: string;
  regions: Record<string, string>;
  toxiproxy: string;
  runDir: string;
  primary: string;
  replication: string;
  network: string;
  notes: string[];
}

function print(summary: UpSummary, json: boolean, foreground: boolean): void {
  if (json) return printJson(summary);
  const c = stdoutColors;
  printLine(
    `${c.green('up')} stack ${c.bold(summary.runId)} (${summary.replication}, primary ${summary.primary})`,
  );
  printLine(`  router     ${summary.router}`);
  for (const [region, url] of Object.entries(summary.regions)) printLine(`  ${region.padEnd(10)} ${url}`);
  printLine(`  network    ${summary.network}`);
  printLine(`  toxiproxy  ${summary.toxiproxy}`);
  printLine(`  run dir    ${summary.runDir}  (logs/, state.json)`);
  for (const note of summary.notes) printLine(c.yellow(`  note: ${note}`));
  printLine(foreground ? c.dim('Ctrl-C stops it.') : c.dim('Stop it with `chaosbank down`.'));
}

export function registerUp(program: Command): void {
  program
    .command('up')
    .description('Start the reference stack across regions and leave it running')
    .option(
      '--regions <list>',
      'comma-separated regions, in router priority order (default us-east,eu-west,ap-south)',
    )
    .option('--primary <region>', 'region of the initial primary database (default: the first region)')
    .option('--replication <mode>', 'sync or async streaming replication (default sync)')
    .option(
      '--network <model>',
      'wan: published inter-region latencies on cross-region links (default); lan: none',
    )
    .option('--bugs <list>', 'comma-separated seeded bugs to switch on (off by default)')
    .option('--toxiproxy-url <url>', 'use this real Toxiproxy API instead of the embedded server')
    .option(
      '--run-dir <dir>',
      'where logs, state and data of this stack go (default $CHAOSBANK_HOME/runs/<run-id>)',
    )
    .option('--json', 'print one JSON object with the endpoints')
    .option('--foreground', 'stay attached; Ctrl-C tears the stack down')
    .action(
      action(async (opts: UpCliOptions) => {
        const local = await import('../../../drivers/local/index.js');
        if (opts.toxiproxyUrl !== undefined && !/^https?:\/\/[^/]+/.test(opts.toxiproxyUrl))
          throw new InputError(
            'BAD_FLAGS',
            `--toxiproxy-url must be an http:// URL, got "${opts.toxiproxyUrl}"`,
            {
              details: ['e.g. --toxiproxy-url http://127.0.0.1:8474'],
            },
          );
        const topology = local.topologyFromFlags({
          regions: list(opts.regions),
          primary: opts.primary,
          replication: opts.replication,
          network: opts.network,
          bugs: list(opts.bugs),
        });
        const runDir = (await import('node:path')).resolve(
          opts.runDir ?? local.defaultRunDir(topology.runId),
        );
        const summarize = (
          endpoints: { routerUrl: string; regions: Record<string, string>; toxiproxyUrl: string },
          notes: string[],
        ): UpSummary => ({
          runId: topology.runId,
          router: endpoints.routerUrl,
          regions: endpoints.regions,
          toxiproxy: endpoints.toxiproxyUrl,
          runDir,
          primary: topology.primary,
          replication: topology.replication,
          network: describeNetwork(topology.network),
          notes,
        });
        const progress = (m: string) => {
          if (!opts.json) printError(stdoutColors.dim(m));
        };
        await reapOwnerlessStacks();

        if (opts.foreground) {
          const how = await local.hostStack(
            { topology, runDir, toxiproxyUrl: opts.toxiproxyUrl },
            {
              log: progress,
              onReady: (stack) =>
                print(summarize(stack.endpoints!, stack.state.current.notes), opts.json === true, true),
            },
          );
          return how === 'signal' ? ExitCode.interrupted : ExitCode.ok;
        }

        const abort = new AbortController();
        const onSignal = () => abort.abort();
        process.on('SIGINT', onSignal);
        process.on('SIGTERM', onSignal);
        try {
          progress(`starting stack ${topology.runId} in ${runDir} ...`);
          const { state } = await local.launchDetached({
            topology,
            runDir,
            toxiproxyUrl: opts.toxiproxyUrl,
            signal: abort.signal,
          });
          print(summarize(state.endpoints!, state.notes), opts.json === true, false);
          return ExitCode.ok;
        } catch (error) {
          if (abort.signal.aborted) throw new InterruptedError('interrupted: the stack was torn down');
          throw error;
        } finally {
          process.off('SIGINT', onSignal);
          process.off('SIGTERM', onSignal);
        }
      }),
    );
}
