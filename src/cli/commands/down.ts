import type { Command } from 'commander';
import { action } from '../action.js';
import { notYetAvailable } from '../not-yet.js';

export function registerDown(program: Command): void {
  program
    .command('down')
    .description('Stop a stack started by up and reap what a crashed run left behind')
    .action(action(() => Promise.resolve(notYetAvailable('down', 'issue 5'))));
}
