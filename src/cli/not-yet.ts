import { EnvironmentError } from '../errors.js';

/** For commands whose capability lands with a later issue. */
export function notYetAvailable(command: string, issue: string): never {
  throw new EnvironmentError('NOT_AVAILABLE', `\`chaosbank ${command}\` is not available in this build yet`, {
    details: [`It lands with ${issue}.`],
  });
}
