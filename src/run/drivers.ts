/** Driver names -> Driver. Only the local driver exists today; the others are a clear exit 3. */
import type { Driver } from '../../drivers/driver.js';
import { EnvironmentError, InputError } from '../contract/errors.js';

export const DRIVER_NAMES = ['local', 'docker', 'kubernetes'] as const;

export async function resolveDriver(name: string): Promise<Driver> {
  switch (name) {
    case 'local':
      return (await import('../../drivers/local/index.js')).localDriver;
    case 'docker':
    case 'kubernetes':
      throw new EnvironmentError('DRIVER_NOT_AVAILABLE', `the ${name} driver is not available yet`, {
        details: ['Use `--driver local` (the default): regions as process groups on loopback.'],
      });
    default:
      throw new InputError('UNKNOWN_DRIVER', `unknown driver "${name}"`, {
        details: [`drivers: ${DRIVER_NAMES.join(', ')}`],
      });
  }
}
