import type { Command } from 'commander';
import { action } from '../action.js';
import { notYetAvailable } from '../not-yet.js';

export function registerFault(program: Command): void {
  program
    .command('fault <kind>')
    .description('Inject a fault into the running stack')
    .action(action(() => Promise.resolve(notYetAvailable('fault', 'issue 3'))));
}
