/**
 * What the history keeps of a response body, computed inside k6 exactly as the embedded engine does
 * (src/load/response-body.ts, general path; a unit test keeps the two equal): a 53-bit hash that
 * ignores object key order, the top-level `id` (string) and `balance` (number). A body that is not
 * JSON hashes as text (src/load/hash.ts hashString). No imports: k6 loads this file on its own.
 */
export interface BodyEssentials {
  bodyHash: string;
  id: string | undefined;
  balance: number | undefined;
}

const mix1 = (lane: number, n: number): number => Math.imul(lane ^ n, 2654435761);
const mix2 = (lane: number, n: number): number => Math.imul(lane ^ n, 1597334677);
const finish1 = (l1: number, l2: number): number =>
  (Math.imul(l1 ^ (l1 >>> 16), 2246822507) ^ Math.imul(l2 ^ (l2 >>> 13), 3266489909)) >>> 0;
const finish2 = (l1: number, l2: number): number =>
  (Math.imul(l2 ^ (l2 >>> 16), 2246822507) ^ Math.imul(l1 ^ (l1 >>> 13), 3266489909)) >>> 0;

function hex53(high: number, low: number): string {
  return ((high & 0x1fffff) * 4294967296 + (low >>> 0)).toString(16).padStart(14, '0');
}

let lane1 = 0;
let lane2 = 0;
function feed(n: number): void {
  lane1 = mix1(lane1, n);
  lane2 = mix2(lane2, n);
}
function feedString(text: string): void {
  feed(text.length);
  for (let i = 0; i < text.length; i++) feed(text.charCodeAt(i));
}
function feedValue(value: unknown): void {
  if (typeof value === 'string') {
    feed(0x73);
    feedString(value);
  } else if (typeof value === 'number') {
    feed(0x6e);
    feedString(String(value));
  } else if (typeof value === 'boolean') feed(value ? 0x74 : 0x66);
  else if (value === null) feed(0x30);
  else if (Array.isArray(value)) {
    feed(0x5b);
    feed(value.length);
    for (const element of value) feedValue(element);
  } else if (typeof value === 'object') {
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
      sum1 = (sum1 + finish1(lane1, lane2)) >>> 0;
      sum2 = (sum2 + finish2(lane1, lane2)) >>> 0;
      count++;
    }
    lane1 = outer1;
    lane2 = outer2;
    feed(0x7b);
    feed(count);
    feed(sum1);
    feed(sum2);
  } else feed(0x75);
}

function hashText(text: string): string {
  let h1 = 0xdeadbeef;
  let h2 = 0x41c6ce57;
  for (let i = 0; i < text.length; i++) {
    const ch = text.charCodeAt(i);
    h1 = Math.imul(h1 ^ ch, 2654435761);
    h2 = Math.imul(h2 ^ ch, 1597334677);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  return hex53(h2, h1);
}

export function bodyEssentials(text: string): BodyEssentials {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return { bodyHash: hashText(text), id: undefined, balance: undefined };
  }
  lane1 = 0xdeadbeef;
  lane2 = 0x41c6ce57;
  feedValue(parsed);
  const essentials: BodyEssentials = {
    bodyHash: hex53(finish2(lane1, lane2), finish1(lane1, lane2)),
    id: undefined,
    balance: undefined,
  };
  if (parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed)) {
    const record = parsed as Record<string, unknown>;
    if (typeof record.id === 'string') essentials.id = record.id;
    if (typeof record.balance === 'number') essentials.balance = record.balance;
  }
  return essentials;
}
