/**
 * A CHAOSBANK_HOME that is not a directory is an environment problem (exit 3) with a message that says
 * what to do, for every command that uses it — never "internal error ... This is a bug in chaosbank".
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { FIXTURES, runCli } from '../run/helpers.js';

const root = mkdtempSync(join(os.tmpdir(), 'cb-home-'));
const file = join(root, 'home-is-a-file');
writeFileSync(file, 'not a directory\n');
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('CHAOSBANK_HOME pointing at a file', () => {
  it.each([
    [['status']],
    [['down']],
    [['heal']],
    [['up', '--regions', 'a,b']],
    [['run', join(FIXTURES, 'outage-sync.yaml'), '--out', join(root, 'run')]],
  ])('%j exits 3 naming the variable and the fix', async (args) => {
    const cli = runCli(args, { CHAOSBANK_HOME: file });
    expect(await cli.exited).toBe(3);
    expect(cli.stderr()).toContain(`error [HOME_NOT_A_DIRECTORY] CHAOSBANK_HOME=${file} is not a directory`);
    expect(cli.stderr()).toContain('point CHAOSBANK_HOME at a directory');
    expect(cli.stderr()).not.toContain('internal error');
  });
});
