/**
 * `chaosbank fault <kind>` flags -> a FaultSpec, validated by the scenario schema so the CLI and
 * scenario files accept exactly the same faults. Bad flags are InputErrors (exit 2).
 */
import { InputError } from '../contract/errors.js';
import { parseDuration } from '../contract/duration.js';
import { FAULT_KINDS, faultSchema, type FaultKind, type FaultSpec } from './spec.js';

export interface FaultFlags {
  region?: string;
  /** `a,b` */
  regions?: string;
  link?: string;
  component?: string;
  direction?: string;
  latency?: string;
  jitter?: string;
  /** KB/s */
  rate?: string;
  timeout?: string;
  toxicity?: string;
  stream?: string;
  duration?: string;
}

export function parseFaultKind(kind: string): FaultKind {
  if (!(FAULT_KINDS as readonly string[]).includes(kind))
    throw new InputError('FAULT_UNKNOWN_KIND', `unknown fault kind \`${kind}\``, {
      details: [`Kinds: ${FAULT_KINDS.join(', ')}`],
    });
  return kind as FaultKind;
}

function durationFlag(flag: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const ms = parseDuration(value);
  if (ms === undefined)
    throw new InputError('BAD_FLAG', `--${flag} ${value} is not a duration`, {
      details: ['Use e.g. 500ms, 30s, 2m (or a number of milliseconds).'],
    });
  return ms;
}

function numberFlag(flag: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const number = Number(value);
  if (value.trim() === '' || !Number.isFinite(number))
    throw new InputError('BAD_FLAG', `--${flag} ${value} is not a number`);
  return number;
}

/** The fault described by the flags, and how long the command should hold it (when --duration). */
export function faultFromFlags(
  kindText: string,
  flags: FaultFlags,
): { fault: FaultSpec; durationMs?: number } {
  const kind = parseFaultKind(kindText);
  const durationMs = durationFlag('duration', flags.duration);
  const target: Record<string, unknown> = {};
  if (flags.region !== undefined) target.region = flags.region;
  if (flags.regions !== undefined) target.regions = flags.regions.split(',').map((r) => r.trim());
  if (flags.link !== undefined) target.link = flags.link;
  if (flags.component !== undefined) target.component = flags.component;
  if (flags.direction !== undefined) target.direction = flags.direction;
  const params: Record<string, unknown> = {};
  const set = (key: string, value: unknown): void => {
    if (value !== undefined) params[key] = value;
  };
  set('latency', durationFlag('latency', flags.latency));
  set('jitter', durationFlag('jitter', flags.jitter));
  set('timeout', durationFlag('timeout', flags.timeout));
  set('rateKBps', numberFlag('rate', flags.rate));
  set('toxicity', numberFlag('toxicity', flags.toxicity));
  set('stream', flags.stream);

  const parsed = faultSchema.safeParse({ at: 0, kind, target, params });
  if (!parsed.success) {
    const flagOf: Record<string, string> = { rateKBps: 'rate' };
    const lines = parsed.error.issues.map((issue) => {
      const key = String(issue.path.at(-1) ?? '');
      return `--${flagOf[key] ?? key}: ${issue.message}`;
    });
    throw new InputError('BAD_FLAG', `invalid flags for \`chaosbank fault ${kind}\``, { details: lines });
  }
  return { fault: parsed.data, ...(durationMs === undefined ? {} : { durationMs }) };
}
