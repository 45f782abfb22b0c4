/**
 * How the stack's programs get their JSON config: `--config <file.json>`, or env CHAOSBANK_CONFIG (a file
 * path, or the JSON itself when it starts with `{`). Validation with zod; every problem is an InputError
 * naming the dotted path.
 */
import { readFileSync } from 'node:fs';
import type { z } from 'zod';
import { InputError } from '../../src/contract/errors.js';

export function readConfigText(argv: string[], env: NodeJS.ProcessEnv): { text: string; source: string } {
  const flag = argv.indexOf('--config');
  const fromFlag = flag >= 0 ? argv[flag + 1] : undefined;
  if (flag >= 0 && !fromFlag) throw new InputError('CONFIG_MISSING', '--config needs a file path');
  const value = fromFlag ?? env.CHAOSBANK_CONFIG;
  if (!value) {
    throw new InputError('CONFIG_MISSING', 'no config: pass --config <file.json> or set CHAOSBANK_CONFIG');
  }
  if (!fromFlag && value.trimStart().startsWith('{')) return { text: value, source: 'CHAOSBANK_CONFIG' };
  try {
    return { text: readFileSync(value, 'utf8'), source: value };
  } catch (cause) {
    throw new InputError('CONFIG_UNREADABLE', `cannot read config file ${value}`, { cause });
  }
}

export function parseConfig<T extends z.ZodType>(schema: T, text: string, source: string): z.output<T> {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (cause) {
    throw new InputError('CONFIG_INVALID', `${source} is not valid JSON: ${(cause as Error).message}`, {
      cause,
    });
  }
  return validateConfig(schema, json, source);
}

export function validateConfig<T extends z.ZodType>(schema: T, value: unknown, source: string): z.output<T> {
  const result = schema.safeParse(value);
  if (!result.success) {
    throw new InputError('CONFIG_INVALID', `invalid config in ${source}`, {
      details: result.error.issues.map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`),
    });
  }
  return result.data;
}
