import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadSchema } from '../../src/load/spec.js';
import type { LoadSpec } from '../../src/load/spec.js';

/** A parsed load spec (zod defaults filled in) from a partial input. */
export function loadSpec(input: Record<string, unknown>): LoadSpec {
  return loadSchema.parse(input);
}

export function tempDir(): { path: string } & Disposable {
  const path = mkdtempSync(join(tmpdir(), 'chaosbank-load-'));
  return { path, [Symbol.dispose]: () => rmSync(path, { recursive: true, force: true }) };
}

/** Wait for a condition, polling on the event loop (never a fixed sleep as synchronisation). */
export async function waitFor(condition: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}
