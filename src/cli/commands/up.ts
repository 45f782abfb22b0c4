import { resolve } from 'node:path';
import type { Command } from 'commander';
import type { LaunchedStack } from '../../../drivers/driver.js';
import { DEFAULT_DRIVER, DRIVER_NAMES, resolveDriver } from '../../../drivers/registry.js';
import { topologyFromFlags } from '../../scenario/topology-from-flags.js';
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
  driver?: string;
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
    .option('--driver <name>', `where the stack runs: ${DRIVER_NAMES.join(', ')}`, DEFAULT_DRIVER)
    .option('--json', 'print one JSON object with the endpoints')
    .option('--foreground', 'stay attached; Ctrl-C tears the stack down')
    .action(
      action(async (opts: UpCliOptions) => {
        const driver = await resolveDriver(opts.driver ?? DEFAULT_DRIVER);
        if (opts.toxiproxyUrl !== undefined && !/^https?:\/\/[^/]+/.test(opts.toxiproxyUrl))
          throw new InputError(
            'BAD_FLAG',
            `--toxiproxy-url must be an http:// URL, got "${opts.toxiproxyUrl}"`,
            {
              details: ['e.g. --toxiproxy-url http://127.0.0.1:8474'],
            },
          );
        const topology = topologyFromFlags({
          regions: list(opts.regions),
          primary: opts.primary,
          replication: opts.replication,
          network: opts.network,
          bugs: list(opts.bugs),
        });
        const runDir = resolve(opts.runDir ?? driver.defaultRunDir(topology.runId));
        const summarize = (stack: LaunchedStack): UpSummary => ({
          runId: stack.runId,
          router: stack.routerUrl,
          regions: stack.regions,
          toxiproxy: stack.toxiproxyUrl,
          runDir: stack.runDir,
          primary: topology.primary,
          replication: topology.replication,
          network: describeNetwork(topology.network),
          notes: stack.notes,
        });
        const progress = (m: string) => {
          if (!opts.json) printError(stdoutColors.dim(m));
        };
        await reapOwnerlessStacks();
        const options = {
          runDir,
          ...(opts.toxiproxyUrl === undefined ? {} : { toxiproxyUrl: opts.toxiproxyUrl }),
          log: progress,
        };

        if (opts.foreground) {
          const { ended } = await driver.launch(topology, {
            ...options,
            foreground: true,
            onReady: (stack) => print(summarize(stack), opts.json === true, true),
          });
          return ended === 'signal' ? ExitCode.interrupted : ExitCode.ok;
        }

        const abort = new AbortController();
        const onSignal = () => abort.abort();
        process.on('SIGINT', onSignal);
        process.on('SIGTERM', onSignal);
        try {
          progress(`starting stack ${topology.runId} in ${runDir} ...`);
          const { stack } = await driver.launch(topology, { ...options, signal: abort.signal });
          print(summarize(stack), opts.json === true, false);
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
