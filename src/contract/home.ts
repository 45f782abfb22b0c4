/**
 * `$CHAOSBANK_HOME` (default `~/.chaosbank`): where every driver registers its stacks and caches. The
 * one I/O here is a stat, so that a home that is a file is a clear environment error (exit 3) wherever
 * it is first used, not an ENOTDIR deep inside a driver.
 */
import { statSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { EnvironmentError } from './errors.js';

/** `$CHAOSBANK_HOME` or `~/.chaosbank`; an environment error (exit 3) when it exists but is no directory. */
export function chaosbankHome(env: NodeJS.ProcessEnv = process.env): string {
  const fromEnv = env.CHAOSBANK_HOME !== undefined && env.CHAOSBANK_HOME !== '';
  const home = fromEnv ? env.CHAOSBANK_HOME! : join(os.homedir(), '.chaosbank');
  const info = statSync(home, { throwIfNoEntry: false });
  if (info !== undefined && !info.isDirectory())
    throw new EnvironmentError(
      'HOME_NOT_A_DIRECTORY',
      `${fromEnv ? `CHAOSBANK_HOME=${home}` : home} is not a directory; chaosbank keeps its stack registry, templates and runs there`,
      {
        details: [
          fromEnv
            ? 'point CHAOSBANK_HOME at a directory (it is created when missing), or unset it to use ~/.chaosbank'
            : `move the file ${home} away, or set CHAOSBANK_HOME to a directory`,
        ],
      },
    );
  return home;
}
