/**
 * Short, fast, non-cryptographic hashes for payloads and response bodies (cyrb53: 53 bits, hex).
 * They only need to tell "same" from "different" inside one run's history. Response bodies are
 * hashed by response-body.ts, which ignores object key order.
 */
export function hashString(text: string, seed = 0): string {
  let h1 = 0xdeadbeef ^ seed;
  let h2 = 0x41c6ce57 ^ seed;
  for (let i = 0; i < text.length; i++) {
    const ch = text.charCodeAt(i);
    h1 = Math.imul(h1 ^ ch, 2654435761);
    h2 = Math.imul(h2 ^ ch, 1597334677);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  return hex53(h2, h1);
}

/** JSON with object keys sorted, so a body re-serialised by the server (e.g. from jsonb) hashes the same. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const record = value as Record<string, unknown>;
  const keys = Object.keys(record).sort();
  let out = '{';
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i]!;
    if (record[key] === undefined) continue;
    if (out.length > 1) out += ',';
    out += `${JSON.stringify(key)}:${canonicalJson(record[key])}`;
  }
  return `${out}}`;
}

const HEX_DIGITS = Array.from('0123456789abcdef', (c) => c.charCodeAt(0));

/**
 * The 53-bit hash (high & 0x1fffff)·2^32 + (low >>> 0) as 14 hex digits. Written out digit by digit:
 * Number#toString(16) of a value that large takes the slow double-to-radix path (~0.7 µs here).
 */
export function hex53(high: number, low: number): string {
  const h = HEX_DIGITS;
  return String.fromCharCode(
    h[(high >>> 20) & 1]!,
    h[(high >>> 16) & 15]!,
    h[(high >>> 12) & 15]!,
    h[(high >>> 8) & 15]!,
    h[(high >>> 4) & 15]!,
    h[high & 15]!,
    h[(low >>> 28) & 15]!,
    h[(low >>> 24) & 15]!,
    h[(low >>> 20) & 15]!,
    h[(low >>> 16) & 15]!,
    h[(low >>> 12) & 15]!,
    h[(low >>> 8) & 15]!,
    h[(low >>> 4) & 15]!,
    h[low & 15]!,
  );
}
