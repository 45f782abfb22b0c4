/**
 * Which k6 is on PATH, checked before anything starts: `k6 version` prints `k6 v1.3.0 (commit/…, go…,
 * linux/amd64)` (k6's cobra version template). The version decides whether our TypeScript script can
 * run at all (k6 >= 1.0) and which flag turns the end-of-test summary off: `--summary-mode=disabled`
 * exists from k6 1.3 (there `--no-summary` is deprecated, and k6 2.0 removed it); 1.0–1.2 only know
 * `--no-summary`.
 */
import { execFile } from 'node:child_process';
import { EnvironmentError } from '../contract/errors.js';

export interface K6Version {
  major: number;
  minor: number;
  patch: number;
  /** As k6 printed it, e.g. `v1.3.0`. */
  text: string;
}

/** The first supported k6: it runs .ts scripts directly. */
export const MIN_K6 = { major: 1, minor: 0 };

const VERSION_LINE = /^k6 (v(\d+)\.(\d+)\.(\d+)\S*)/m;

/** The version in `k6 version` output, or undefined when it is not k6's format. */
export function parseK6Version(output: string): K6Version | undefined {
  const match = VERSION_LINE.exec(output);
  if (match === null) return undefined;
  return { text: match[1]!, major: Number(match[2]), minor: Number(match[3]), patch: Number(match[4]) };
}

/** The argv that turns the end-of-test summary off on this k6. */
export function noSummaryArgs(version: K6Version): string[] {
  const hasDisabledMode = version.major > 1 || (version.major === 1 && version.minor >= 3);
  return hasDisabledMode ? ['--summary-mode=disabled'] : ['--no-summary'];
}

export function isSupported(version: K6Version): boolean {
  return version.major > MIN_K6.major || (version.major === MIN_K6.major && version.minor >= MIN_K6.minor);
}

/** Run `k6 version` and require a supported k6 (EnvironmentError, exit 3, otherwise). */
export async function checkK6Version(k6: string): Promise<K6Version> {
  const output = await new Promise<string>((resolve, reject) => {
    execFile(
      k6,
      ['version'],
      { timeout: 15_000, env: { ...process.env, K6_NO_USAGE_REPORT: 'true' } },
      (error, stdout, stderr) => {
        if (error !== null)
          reject(
            new EnvironmentError('K6_VERSION_FAILED', `\`${k6} version\` failed: ${error.message}`, {
              cause: error,
              details: lastLines(`${stdout}\n${stderr}`, 5),
            }),
          );
        else resolve(`${stdout}\n${stderr}`);
      },
    );
  });
  const version = parseK6Version(output);
  if (version === undefined)
    throw new EnvironmentError('K6_VERSION_UNKNOWN', `\`${k6} version\` did not print a k6 version`, {
      details: [
        ...lastLines(output, 5),
        'expected a line like `k6 v1.3.0 (commit/…, go1.24.6, linux/amd64)`',
      ],
    });
  if (!isSupported(version))
    throw new EnvironmentError(
      'K6_TOO_OLD',
      `k6 ${version.text} cannot run chaosbank's TypeScript script: k6 ${MIN_K6.major}.${MIN_K6.minor} or newer is needed`,
      {
        details: [
          `found ${k6}`,
          'upgrade k6 (https://grafana.com/docs/k6/latest/set-up/install-k6/),',
          'or set `load.engine: embedded` in the scenario to use the built-in load engine',
        ],
      },
    );
  return version;
}

export function lastLines(text: string, count: number): string[] {
  return text
    .split('\n')
    .map((line) => line.trimEnd())
    .filter((line) => line !== '')
    .slice(-count);
}
