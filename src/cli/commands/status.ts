import type { Command } from 'commander';
import { action } from '../action.js';
import { notYetAvailable } from '../not-yet.js';

export function registerStatus(program: Command): void {
  program
    .command('status')
    .description('Show the running stack: topology, primary, epoch, replication lag, active faults')
    .action(action(() => Promise.resolve(notYetAvailable('status', 'issue 5'))));
}
