/**
 * Short, fast, non-cryptographic hashes for payloads and response bodies (cyrb53: 53 bits, hex).
 * They only need to tell "same" from "different" inside one run's history.
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
  return (4294967296 * (2097151 & h2) + (h1 >>> 0)).toString(16).padStart(14, '0');
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

// ---- order-independent hash of parsed JSON (response bodies) ------------------------------------

let lane1 = 0;
let lane2 = 0;

function feedNumber(n: number): void {
  lane1 = Math.imul(lane1 ^ n, 2654435761);
  lane2 = Math.imul(lane2 ^ n, 1597334677);
}

/** Length-prefixed, so no two different sequences of strings feed the same characters. */
function feedString(text: string): void {
  feedNumber(text.length);
  for (let i = 0; i < text.length; i++) feedNumber(text.charCodeAt(i));
}

function feedValue(value: unknown): void {
  switch (typeof value) {
    case 'string':
      feedNumber(0x73); // s
      feedString(value);
      return;
    case 'number':
      feedNumber(0x6e); // n
      feedString(String(value));
      return;
    case 'boolean':
      feedNumber(value ? 0x74 : 0x66);
      return;
    case 'object':
      break;
    default:
      feedNumber(0x75); // undefined (never in parsed JSON)
      return;
  }
  if (value === null) {
    feedNumber(0x30);
    return;
  }
  if (Array.isArray(value)) {
    feedNumber(0x5b);
    feedNumber(value.length);
    for (const element of value) feedValue(element);
    return;
  }
  // Members are hashed one by one from a fixed start and summed: the sum ignores their order.
  const record = value as Record<string, unknown>;
  const outer1 = lane1;
  const outer2 = lane2;
  let sum1 = 0;
  let sum2 = 0;
  let count = 0;
  for (const key in record) {
    lane1 = 0x9e3779b9;
    lane2 = 0x85ebca6b;
    feedString(key);
    feedValue(record[key]);
    sum1 = (sum1 + finish1()) >>> 0;
    sum2 = (sum2 + finish2()) >>> 0;
    count++;
  }
  lane1 = outer1;
  lane2 = outer2;
  feedNumber(0x7b);
  feedNumber(count);
  feedNumber(sum1);
  feedNumber(sum2);
}

function finish1(): number {
  return (
    (Math.imul(lane1 ^ (lane1 >>> 16), 2246822507) ^ Math.imul(lane2 ^ (lane2 >>> 13), 3266489909)) >>> 0
  );
}

function finish2(): number {
  return (
    (Math.imul(lane2 ^ (lane2 >>> 16), 2246822507) ^ Math.imul(lane1 ^ (lane1 >>> 13), 3266489909)) >>> 0
  );
}

/**
 * Hash of a parsed JSON value (53 bits, hex) that ignores the order of object keys, so a body
 * re-serialised by the server (e.g. from jsonb) hashes the same. Equal to hashing the canonical JSON
 * in what it tells apart, without building that string or sorting keys (this runs per response).
 */
export function hashJsonValue(value: unknown): string {
  lane1 = 0xdeadbeef;
  lane2 = 0x41c6ce57;
  feedValue(value);
  const h1 = finish1();
  const h2 = finish2();
  return (4294967296 * (2097151 & h2) + h1).toString(16).padStart(14, '0');
}
