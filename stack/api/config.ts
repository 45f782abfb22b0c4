/** The payments API's configuration: `--config <file.json>` or the JSON in env `CHAOSBANK_CONFIG`. */
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { SEEDED_BUGS } from '../../src/contract/seeded-bugs.js';
import { InputError } from '../../src/contract/errors.js';
import { expectedStatusesSchema, IETF_STATUSES } from '../../src/contract/stack-http.js';

const postgresUrl = z
  .string()
  .regex(
    /^postgres(ql)?:\/\//,
    'must be a postgres:// URL, e.g. postgres://postgres@127.0.0.1:5432/chaosbank',
  );

export const ApiConfigSchema = z.object({
  runId: z.string().min(1),
  region: z.string().min(1),
  host: z.string().min(1).default('127.0.0.1'),
  port: z.number().int().min(0).max(65535),
  /** This region's database, for reads (possibly a standby). */
  localDb: postgresUrl,
  /** Every region's database as this API reaches it (through the api@R->db@S proxies). */
  dbs: z
    .record(z.string(), postgresUrl)
    .refine((dbs) => Object.keys(dbs).length > 0, 'needs at least one region'),
  bugs: z.array(z.enum(SEEDED_BUGS)).default([]),
  statuses: expectedStatusesSchema.default({ ...IETF_STATUSES }),
  discoveryIntervalMs: z.number().int().min(10).default(200),
  statementTimeoutMs: z.number().int().min(50).default(2000),
  /** Connections to the primary (the write pool). */
  poolSize: z.number().int().min(1).max(200).default(16),
  /** Seeded bugs ack-before-commit / idempotency-outside-tx: how long the crash window stays open. */
  bugWindowMs: z.number().int().min(0).default(100),
  /** Seeded bug split-debit-credit: every Nth payment of this process "crashes" between its two commits. */
  splitFailEvery: z.number().int().min(1).default(10),
});

export type ApiConfig = z.output<typeof ApiConfigSchema>;
export type ApiConfigInput = z.input<typeof ApiConfigSchema>;

export function parseApiConfig(input: unknown, source: string): ApiConfig {
  const result = ApiConfigSchema.safeParse(input);
  if (!result.success)
    throw new InputError('API_CONFIG_INVALID', `invalid payments API config (${source})`, {
      details: result.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`),
    });
  return result.data;
}

/** Read the config from `--config <file>` in argv, else from env CHAOSBANK_CONFIG. */
export function loadApiConfig(argv: readonly string[], env: NodeJS.ProcessEnv): ApiConfig {
  const flag = argv.indexOf('--config');
  let text: string;
  let source: string;
  if (flag >= 0) {
    const file = argv[flag + 1];
    if (file === undefined) throw new InputError('API_CONFIG_FLAG', '--config needs a file path');
    source = file;
    try {
      text = readFileSync(file, 'utf8');
    } catch (cause) {
      throw new InputError('API_CONFIG_UNREADABLE', `cannot read config file ${file}`, { cause });
    }
  } else if (env.CHAOSBANK_CONFIG !== undefined && env.CHAOSBANK_CONFIG !== '') {
    source = 'env CHAOSBANK_CONFIG';
    text = env.CHAOSBANK_CONFIG;
  } else {
    throw new InputError(
      'API_CONFIG_MISSING',
      'no config: pass --config <file.json> or set CHAOSBANK_CONFIG',
    );
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (cause) {
    throw new InputError(
      'API_CONFIG_JSON',
      `config (${source}) is not valid JSON: ${(cause as Error).message}`,
      {
        cause,
      },
    );
  }
  return parseApiConfig(json, source);
}
