/**
 * The one place that maps driver names to drivers. Everything above the drivers (run, drill, the CLI's
 * up/down/status/fault/heal) reaches a driver through here and never names a concrete one.
 */
import { EnvironmentError, InputError } from '../src/contract/errors.js';
import { DRIVER_NAMES, type Driver, type DriverName } from './driver.js';

export { DRIVER_NAMES, type DriverName };

export const DEFAULT_DRIVER: DriverName = 'local';

const isDriverName = (name: string): name is DriverName => (DRIVER_NAMES as readonly string[]).includes(name);

/** Check a `--driver` value without loading anything (exit 2 before a stack starts). */
export function parseDriverName(name: string): DriverName {
  if (isDriverName(name)) return name;
  throw new InputError('UNKNOWN_DRIVER', `unknown driver "${name}"`, {
    details: [`drivers: ${DRIVER_NAMES.join(', ')}`],
  });
}

/** The implementation behind a name, loaded on demand; a driver not built yet is a clear exit 3. */
export async function resolveDriver(name: string): Promise<Driver> {
  const driverName = parseDriverName(name);
  switch (driverName) {
    case 'local':
      return (await import('./local/index.js')).localDriver;
    default:
      throw new EnvironmentError('DRIVER_NOT_AVAILABLE', `the ${driverName} driver is not available yet`, {
        details: ['Use `--driver local` (the default): regions as process groups on loopback.'],
      });
  }
}

/** Every driver that can hold stacks on this machine: `status`, `down` and the reaping look at all. */
export async function availableDrivers(): Promise<Driver[]> {
  return [await resolveDriver('local')];
}
