import type { Command } from 'commander';
import { action } from '../action.js';
import { notYetAvailable } from '../not-yet.js';

export function registerToxiproxy(program: Command): void {
  program
    .command('toxiproxy')
    .description('Run the embedded Toxiproxy-compatible server standalone')
    .action(action(() => Promise.resolve(notYetAvailable('toxiproxy', 'issue 3'))));
}
