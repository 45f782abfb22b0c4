/** `$CHAOSBANK_HOME` (default `~/.chaosbank`): where every driver registers its stacks and caches. */
import os from 'node:os';
import { join } from 'node:path';

export function chaosbankHome(env: NodeJS.ProcessEnv = process.env): string {
  return env.CHAOSBANK_HOME && env.CHAOSBANK_HOME !== ''
    ? env.CHAOSBANK_HOME
    : join(os.homedir(), '.chaosbank');
}
