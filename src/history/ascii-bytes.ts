/**
 * ASCII constants as bytes, and byte ranges compared with them: what the byte-level readers and
 * writers of JSON (fast-decoder.ts, load/response-body.ts, codec.ts) share.
 */

/** The bytes of ASCII text (latin1 is byte for byte the same for ASCII). */
export function asciiBytes(text: string): Buffer {
  return Buffer.from(text, 'latin1');
}

/** `pattern` starts at `at` and ends by `end`. */
export function matchesAt(bytes: Uint8Array, at: number, end: number, pattern: Uint8Array): boolean {
  if (at + pattern.length > end) return false;
  for (let i = 0; i < pattern.length; i++) if (bytes[at + i] !== pattern[i]) return false;
  return true;
}

/** Bytes [from, to) are exactly `pattern`. */
export function equalsAt(bytes: Uint8Array, from: number, to: number, pattern: Uint8Array): boolean {
  return to - from === pattern.length && matchesAt(bytes, from, to, pattern);
}
