/**
 * Runs the real built CLI (`node bin/chaosbank.js validate`) on the broken-scenario corpus and on every
 * shipped scenario. Each broken file lists the issues it must produce as trailing `# expect:` lines
 * (`# expect: :line:col: path: message prefix`). Needs `npm run build` (`npm test` builds first); the
 * suite builds once itself when dist is missing.
 */
import { execFile } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const root = fileURLToPath(new URL('../..', import.meta.url));
const brokenDir = join('test', 'scenario', 'broken');

interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

async function chaosbank(...args: string[]): Promise<CliResult> {
  try {
    const { stdout, stderr } = await run(process.execPath, ['bin/chaosbank.js', ...args], {
      cwd: root,
      env: { ...process.env, NO_COLOR: '1' },
      timeout: 30_000,
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code?: number | string; stdout?: string; stderr?: string };
    if (typeof failed.code !== 'number') throw error;
    return { code: failed.code, stdout: failed.stdout ?? '', stderr: failed.stderr ?? '' };
  }
}

interface Issue {
  path: string;
  message: string;
  file: string;
  line: number;
  col: number;
}
interface JsonOutput {
  files: { file: string; valid: boolean; errors: Issue[]; warnings: Issue[] }[];
}

let temp: string;
beforeAll(async () => {
  if (!existsSync(join(root, 'dist', 'src', 'scenario', 'validate-files.js')))
    await run('npx', ['tsc', '-p', 'tsconfig.build.json'], { cwd: root, timeout: 120_000 });
  temp = await mkdtemp(join(tmpdir(), 'chaosbank-validate-'));
});
afterAll(async () => {
  if (temp) await rm(temp, { recursive: true, force: true });
});

const brokenFiles = readdirSync(join(root, brokenDir))
  .filter((name) => name.endsWith('.yaml'))
  .sort();

describe('chaosbank validate on the broken corpus', () => {
  it('has a corpus worth the name', () => {
    expect(brokenFiles.length).toBeGreaterThanOrEqual(15);
  });

  for (const name of brokenFiles) {
    it(`rejects ${name} with exit 2 and the expected file:line:col messages`, async () => {
      const file = join(brokenDir, name);
      const expected = readFileSync(join(root, file), 'utf8')
        .split('\n')
        .filter((line) => line.startsWith('# expect: '))
        .map((line) => `${file}${line.slice('# expect: '.length)}`);
      expect(expected.length).toBeGreaterThan(0);

      const result = await chaosbank('validate', file);
      expect(result.code, result.stderr).toBe(2);
      expect(result.stderr).toBe('');
      const errorLines = result.stdout.split('\n').filter((line) => line.startsWith('  error '));
      for (const fragment of expected)
        expect(
          errorLines.some((line) => line.includes(fragment)),
          fragment,
        ).toBe(true);
      expect(errorLines).toHaveLength(expected.length);
      expect(result.stdout).not.toMatch(/\n\s+at .+\(.*:\d+:\d+\)/); // no stack trace
    });
  }

  it('reports every file of a directory in one JSON document', async () => {
    const result = await chaosbank('validate', brokenDir, '--json');
    expect(result.code, result.stderr).toBe(2);
    const output = JSON.parse(result.stdout) as JsonOutput;
    expect(output.files.map((f) => f.file)).toEqual(brokenFiles.map((name) => join(brokenDir, name)));
    for (const entry of output.files) {
      expect(entry.valid).toBe(false);
      expect(entry.errors.length).toBeGreaterThan(0);
      for (const issue of entry.errors) {
        expect(issue.file).toBe(entry.file);
        expect(issue.line).toBeGreaterThanOrEqual(1);
        expect(issue.col).toBeGreaterThanOrEqual(1);
      }
    }
  });
});

describe('chaosbank validate on the shipped scenarios', () => {
  it('accepts every file in scenarios/ with exit 0', async () => {
    const result = await chaosbank('validate', 'scenarios', '--json');
    const output = JSON.parse(result.stdout) as JsonOutput;
    const invalid = output.files.filter((f) => !f.valid);
    expect(invalid, JSON.stringify(invalid, null, 2)).toEqual([]);
    expect(result.code, result.stderr).toBe(0);
    const names = output.files.map((f) => f.file);
    for (const required of [
      'region-outage.yaml',
      'region-outage-async.yaml',
      'cross-region-latency.yaml',
      'region-isolation.yaml',
      'ci-gate.yaml',
    ])
      expect(names).toContain(join('scenarios', required));
  });

  it('prints a check mark per valid file', async () => {
    const result = await chaosbank('validate', 'scenarios/region-outage.yaml', 'scenarios/ci-gate.yaml');
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain('✓ scenarios/region-outage.yaml');
    expect(result.stdout).toContain('✓ scenarios/ci-gate.yaml');
  });

  it('starts every scenario file with the yaml-language-server schema comment', () => {
    const walk = (dir: string): string[] =>
      readdirSync(join(root, dir), { withFileTypes: true }).flatMap((entry) =>
        entry.isDirectory()
          ? walk(join(dir, entry.name))
          : /\.ya?ml$/.test(entry.name)
            ? [join(dir, entry.name)]
            : [],
      );
    for (const file of walk('scenarios')) {
      const depth = file.split('/').length - 2;
      const schema = `${depth === 0 ? './' : '../'.repeat(depth)}schema.json`;
      expect(readFileSync(join(root, file), 'utf8').split('\n')[0], file).toBe(
        `# yaml-language-server: $schema=${schema}`,
      );
    }
  });
});

describe('chaosbank validate on files that are not scenarios', () => {
  it('reports a zero-byte file, a binary file and a missing file, and still validates the good one', async () => {
    const zero = join(temp, 'zero.yaml');
    const binary = join(temp, 'binary.yaml');
    const missing = join(temp, 'missing.yaml');
    await writeFile(zero, '');
    await writeFile(binary, Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x00, 0x01, 0xff]));
    const result = await chaosbank('validate', zero, binary, missing, 'scenarios/ci-gate.yaml', '--json');
    expect(result.code, result.stderr).toBe(2);
    const byFile = new Map((JSON.parse(result.stdout) as JsonOutput).files.map((f) => [f.file, f]));
    expect(byFile.get(zero)?.errors[0]).toMatchObject({
      line: 1,
      col: 1,
      message: expect.stringContaining('empty'),
    });
    expect(byFile.get(binary)?.errors[0]?.message).toContain('binary file');
    expect(byFile.get(missing)?.errors[0]?.message).toContain('not found');
    expect(byFile.get('scenarios/ci-gate.yaml')?.valid).toBe(true);
  });

  it('reports a directory without scenario files', async () => {
    const empty = join(temp, 'no-scenarios');
    await mkdir(empty);
    await writeFile(join(empty, 'notes.txt'), 'not a scenario');
    const result = await chaosbank('validate', empty);
    expect(result.code, result.stderr).toBe(2);
    expect(result.stdout).toContain('no *.yaml or *.yml scenario files');
  });

  it('rejects a call without paths as bad input (exit 2)', async () => {
    const result = await chaosbank('validate');
    expect(result.code, result.stderr).toBe(2);
    expect(result.stderr).toContain('missing required argument');
  });
});
