import type { Command } from 'commander';
import { action } from '../action.js';
import { notYetAvailable } from '../not-yet.js';

export function registerRun(program: Command): void {
  program
    .command('run <scenario>')
    .description('Run a scenario end to end: deploy, load, faults, heal, check, gate, report')
    .action(action(() => Promise.resolve(notYetAvailable('run', 'issue 8'))));
}
