/**
 * A toxic as the API sees it: type, name, stream, toxicity and typed integer attributes. Every type
 * lists its attributes so that missing ones default to 0 and unknown ones are dropped.
 */
import { ApiError, apiErrors } from './api-error.js';
import { integerField, objectFields } from './decode.js';

export const TOXIC_ATTRIBUTES = {
  latency: ['latency', 'jitter'],
  bandwidth: ['rate'],
  slow_close: ['delay'],
  timeout: ['timeout'],
  reset_peer: ['timeout'],
  slicer: ['average_size', 'size_variation', 'delay'],
  limit_data: ['bytes'],
  noop: [],
} as const satisfies Record<string, readonly string[]>;

export type ToxicType = keyof typeof TOXIC_ATTRIBUTES;
export type Direction = 'upstream' | 'downstream';

export function isToxicType(type: string): type is ToxicType {
  return Object.hasOwn(TOXIC_ATTRIBUTES, type);
}

/** Keys in Toxiproxy's order (its Go struct embeds the attributes first), so bodies match byte for byte. */
export interface ToxicJson {
  attributes: Record<string, number>;
  name: string;
  type: ToxicType;
  stream: string;
  toxicity: number;
}

export class ToxicDefinition {
  constructor(
    public readonly name: string,
    public readonly type: ToxicType,
    /** The stream as the client spelled it (matched case-insensitively). */
    public readonly stream: string,
    public readonly direction: Direction,
    public toxicity: number,
    public attributes: Record<string, number>,
  ) {}

  toJSON(): ToxicJson {
    return {
      attributes: { ...this.attributes },
      name: this.name,
      type: this.type,
      stream: this.stream,
      toxicity: this.toxicity,
    };
  }
}

export function parseDirection(stream: string): Direction {
  const lower = stream.toLowerCase();
  if (lower === 'upstream' || lower === 'downstream') return lower;
  throw apiErrors.invalidStream();
}

/** Merge a request's `attributes` into `current` (all zero for a new toxic), then validate. */
export function mergeAttributes(
  type: ToxicType,
  current: Record<string, number> | undefined,
  input: unknown,
): Record<string, number> {
  const names: readonly string[] = TOXIC_ATTRIBUTES[type];
  const merged: Record<string, number> = {};
  for (const name of names) merged[name] = current?.[name] ?? 0;
  if (input !== undefined) {
    const fields = objectFields(input, `${type} attributes`);
    for (const name of names) {
      const value = integerField(fields, name);
      if (value !== undefined) merged[name] = value;
    }
  }
  validateAttributes(type, merged);
  return merged;
}

/** Values on which the real server crashes or loops forever are refused here ([fix] in the spec). */
function validateAttributes(type: ToxicType, attributes: Record<string, number>): void {
  const value = (name: string): number => attributes[name] ?? 0;
  if (type === 'bandwidth' && value('rate') < 0) {
    throw new ApiError(400, 'invalid attribute: bandwidth rate must be >= 0 (KB/s; 0 stalls the stream)');
  }
  if (type === 'slicer') {
    if (value('average_size') <= 0)
      throw new ApiError(400, 'invalid attribute: slicer average_size must be > 0 bytes');
    if (value('size_variation') < 0)
      throw new ApiError(400, 'invalid attribute: slicer size_variation must be >= 0');
    if (value('delay') < 0)
      throw new ApiError(400, 'invalid attribute: slicer delay must be >= 0 microseconds');
  }
}
