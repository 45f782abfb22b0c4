/**
 * A scenario or runbook argument as users type it. A path that exists is used as given; otherwise a
 * relative one is looked up among the files shipped in the chaosbank package, so `chaosbank run
 * ci-gate`, `chaosbank run scenarios/ci-gate.yaml` and `chaosbank drill primary-db-loss` work from any
 * project that installed chaosbank, not only from a clone of its repository.
 */
import { existsSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import { PACKAGE_ROOT } from '../version.js';
import { printError, stderrColors } from './output.js';

export type ShippedKind = 'scenario' | 'runbook';

const FOLDER: Record<ShippedKind, string> = { scenario: 'scenarios', runbook: 'runbooks' };
const EXTENSIONS: Record<ShippedKind, string[]> = { scenario: ['', '.yaml', '.yml'], runbook: ['', '.md'] };

/** The file to read for `argument`, and whether it came from the package rather than the cwd. */
export function resolveShippedFile(
  argument: string,
  kind: ShippedKind,
  root: string | undefined = PACKAGE_ROOT,
): { path: string; shipped: boolean } {
  if (existsSync(argument) || isAbsolute(argument) || root === undefined)
    return { path: argument, shipped: false };
  for (const base of [join(root, argument), join(root, FOLDER[kind], argument)])
    for (const extension of EXTENSIONS[kind]) {
      const candidate = base + extension;
      if (existsSync(candidate)) return { path: candidate, shipped: true };
    }
  return { path: argument, shipped: false };
}

/** resolveShippedFile, saying on stderr when the package's copy is used. */
export function shippedFileArgument(argument: string, kind: ShippedKind): string {
  const { path, shipped } = resolveShippedFile(argument, kind);
  if (shipped) printError(stderrColors.dim(`${argument}: using the ${kind} shipped with chaosbank, ${path}`));
  return path;
}
