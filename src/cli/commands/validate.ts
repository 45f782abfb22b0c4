import type { Command } from 'commander';
import { action } from '../action.js';
import { notYetAvailable } from '../not-yet.js';

export function registerValidate(program: Command): void {
  program
    .command('validate <files...>')
    .description('Validate scenario files')
    .action(action(() => Promise.resolve(notYetAvailable('validate', 'issue 2'))));
}
