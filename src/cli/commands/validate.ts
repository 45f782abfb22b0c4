import type { Command } from 'commander';
import { action } from '../action.js';
import { shippedFileArgument } from '../shipped-file.js';
import { printJson, printLine, stdoutColors } from '../output.js';
import { ExitCode } from '../../contract/errors.js';

export function registerValidate(program: Command): void {
  program
    .command('validate <paths...>')
    .description('Validate scenario files (directories: every *.yaml/*.yml inside, recursively)')
    .option('--json', 'print {files: [{file, valid, errors, warnings}]} as JSON')
    .addHelpText('after', '\nExit codes: 0 all valid, 2 any invalid.\nExample: chaosbank validate scenarios/')
    .action(
      action(async (paths: string[], options: { json?: boolean }) => {
        // Loaded lazily so that `chaosbank --help` does not pay for zod and yaml.
        const { validateScenarioPaths } = await import('../../scenario/validate-files.js');
        const { formatIssue } = await import('../../scenario/issues.js');
        const results = await validateScenarioPaths(
          paths.map((path) => shippedFileArgument(path, 'scenario')),
        );
        const allValid = results.every((result) => result.valid);
        if (options.json) {
          printJson({ files: results });
        } else {
          const c = stdoutColors;
          for (const result of results) {
            printLine(result.valid ? `${c.green('✓')} ${result.file}` : `${c.red('✗')} ${result.file}`);
            for (const issue of result.errors) printLine(`  ${c.red('error')} ${formatIssue(issue)}`);
            for (const issue of result.warnings) printLine(`  ${c.yellow('warning')} ${formatIssue(issue)}`);
          }
          const invalid = results.filter((result) => !result.valid).length;
          printLine(
            invalid === 0
              ? `${results.length} scenario file(s) valid`
              : `${invalid} of ${results.length} scenario file(s) invalid`,
          );
        }
        return allValid ? ExitCode.ok : ExitCode.badInput;
      }),
    );
}
