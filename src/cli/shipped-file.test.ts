import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { resolveShippedFile } from './shipped-file.js';
import { PACKAGE_ROOT } from '../version.js';

const root = mkdtempSync(join(tmpdir(), 'cb-shipped-'));
mkdirSync(join(root, 'scenarios', 'bugs'), { recursive: true });
mkdirSync(join(root, 'runbooks'));
writeFileSync(join(root, 'scenarios', 'only-shipped.yaml'), 'version: 1\n');
writeFileSync(join(root, 'scenarios', 'bugs', 'no-fencing.yaml'), 'version: 1\n');
writeFileSync(join(root, 'runbooks', 'failback.md'), '# x\n');
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('resolveShippedFile', () => {
  it('finds shipped scenarios by name, by name without extension and by repository path', () => {
    for (const argument of ['only-shipped', 'only-shipped.yaml', 'scenarios/only-shipped.yaml'])
      expect(resolveShippedFile(argument, 'scenario', root), argument).toEqual({
        path: join(root, 'scenarios', 'only-shipped.yaml'),
        shipped: true,
      });
    expect(resolveShippedFile('bugs/no-fencing', 'scenario', root).path).toBe(
      join(root, 'scenarios', 'bugs', 'no-fencing.yaml'),
    );
    expect(resolveShippedFile('bugs', 'scenario', root)).toEqual({
      path: join(root, 'scenarios', 'bugs'),
      shipped: true,
    });
    expect(resolveShippedFile('failback', 'runbook', root).path).toBe(join(root, 'runbooks', 'failback.md'));
  });

  it('prefers a file that exists as given, and leaves unknown names for the loader to report', () => {
    expect(resolveShippedFile('package.json', 'scenario', root)).toEqual({
      path: 'package.json',
      shipped: false,
    });
    expect(resolveShippedFile('nope', 'scenario', root)).toEqual({ path: 'nope', shipped: false });
    expect(resolveShippedFile('failback', 'scenario', root)).toEqual({ path: 'failback', shipped: false });
    expect(resolveShippedFile(join(root, 'x.yaml'), 'scenario', root).shipped).toBe(false);
  });

  it("knows this checkout's package folder", () => {
    expect(PACKAGE_ROOT).toBe(join(import.meta.dirname, '..', '..'));
  });
});
