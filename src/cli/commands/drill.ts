import type { Command } from 'commander';
import { action } from '../action.js';
import { notYetAvailable } from '../not-yet.js';

export function registerDrill(program: Command): void {
  program
    .command('drill <runbook>')
    .description('Execute a DR runbook against the stack and write a drill report')
    .action(action(() => Promise.resolve(notYetAvailable('drill', 'issue 9'))));
}
