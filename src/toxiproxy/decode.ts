/**
 * JSON request bodies decoded the way Go's encoding/json does for Toxiproxy: keys match
 * case-insensitively (the last duplicate wins), unknown keys are ignored, `null` leaves a field unset,
 * and a value of the wrong type is a `bad request body` error.
 */
import { apiErrors } from './api-error.js';

export type Fields = Map<string, unknown>;

/** Parse a request body; an empty body is `bad request body: EOF` like the real server. */
export function parseJsonBody(raw: string): unknown {
  if (raw.trim() === '') throw apiErrors.badBody('EOF');
  try {
    return JSON.parse(raw) as unknown;
  } catch (error) {
    throw apiErrors.badBody(error instanceof Error ? error.message : String(error));
  }
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  return typeof value;
}

/** An object's fields keyed by lower-case name; `null` decodes to no fields. */
export function objectFields(value: unknown, what: string): Fields {
  const fields: Fields = new Map();
  if (value === null) return fields;
  if (typeof value !== 'object' || Array.isArray(value)) {
    throw apiErrors.badBody(`cannot decode ${describe(value)} into ${what} (expected an object)`);
  }
  for (const [key, field] of Object.entries(value)) fields.set(key.toLowerCase(), field);
  return fields;
}

function present(fields: Fields, key: string): unknown {
  const value = fields.get(key);
  return value === null ? undefined : value;
}

export function stringField(fields: Fields, key: string): string | undefined {
  const value = present(fields, key);
  if (value === undefined || typeof value === 'string') return value;
  throw apiErrors.badBody(`field "${key}" must be a string, got ${describe(value)}`);
}

export function booleanField(fields: Fields, key: string): boolean | undefined {
  const value = present(fields, key);
  if (value === undefined || typeof value === 'boolean') return value;
  throw apiErrors.badBody(`field "${key}" must be a boolean, got ${describe(value)}`);
}

export function numberField(fields: Fields, key: string): number | undefined {
  const value = present(fields, key);
  if (value === undefined || (typeof value === 'number' && Number.isFinite(value))) return value;
  throw apiErrors.badBody(`field "${key}" must be a number, got ${describe(value)}`);
}

export function integerField(fields: Fields, key: string): number | undefined {
  const value = present(fields, key);
  if (value === undefined || (typeof value === 'number' && Number.isSafeInteger(value))) return value;
  throw apiErrors.badBody(`field "${key}" must be an integer, got ${JSON.stringify(value)}`);
}
