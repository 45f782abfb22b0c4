import type { Command } from 'commander';
import { action } from '../action.js';
import { notYetAvailable } from '../not-yet.js';

export function registerHeal(program: Command): void {
  program
    .command('heal')
    .description('Revert every fault on the running stack')
    .action(action(() => Promise.resolve(notYetAvailable('heal', 'issue 3'))));
}
