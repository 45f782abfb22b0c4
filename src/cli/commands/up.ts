import type { Command } from 'commander';
import { action } from '../action.js';
import { notYetAvailable } from '../not-yet.js';

export function registerUp(program: Command): void {
  program
    .command('up')
    .description('Start the reference stack across regions and leave it running')
    .action(action(() => Promise.resolve(notYetAvailable('up', 'issue 5'))));
}
