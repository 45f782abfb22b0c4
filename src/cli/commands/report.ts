import type { Command } from 'commander';
import { action } from '../action.js';
import { notYetAvailable } from '../not-yet.js';

export function registerReport(program: Command): void {
  program
    .command('report <run-dir...>')
    .description('Re-render reports of one or more run directories; compare several')
    .action(action(() => Promise.resolve(notYetAvailable('report', 'issue 8'))));
}
