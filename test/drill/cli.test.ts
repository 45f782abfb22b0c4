/**
 * The real CLI on real stacks: every runbook in runbooks/ with --auto on the local driver, a missed
 * target (exit 1), a malformed runbook (exit 2 naming the line), no terminal without --auto (exit 2),
 * and an interactive drill driven through a pseudo-terminal (python3's pty module) that answers its
 * confirmations when their prompt appears. Needs `npm run build` first (bin/chaosbank.js runs dist/).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunReport } from '../../src/run/run-report.js';

const ROOT = join(import.meta.dirname, '..', '..');
const BIN = join(ROOT, 'bin', 'chaosbank.js');
const DRILL_TIMEOUT_MS = 240_000;

let home: string;
let outRoot: string;
const children = new Set<ChildProcess>();

beforeAll(async () => {
  home = await mkdtemp(join(tmpdir(), 'chaosbank-drill-home-'));
  outRoot = await mkdtemp(join(tmpdir(), 'chaosbank-drill-out-'));
});

afterAll(async () => {
  for (const child of children) child.kill('SIGKILL');
  // Safety net: stop any stack a failed drill left registered in this test's home.
  await run(['down']);
  await rm(home, { recursive: true, force: true });
  await rm(outRoot, { recursive: true, force: true });
}, 120_000);

interface Result {
  code: number | null;
  stdout: string;
  stderr: string;
}

function run(
  args: string[],
  options: { argv0?: string[]; onOutput?: (text: string, stdin: NodeJS.WritableStream) => void } = {},
): Promise<Result> {
  const argv = [...(options.argv0 ?? [process.execPath]), BIN, ...args];
  const child = spawn(argv[0]!, argv.slice(1), {
    cwd: ROOT,
    env: { ...process.env, CHAOSBANK_HOME: home, NO_COLOR: '1', GITHUB_STEP_SUMMARY: '' },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  children.add(child);
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => {
    stdout += d.toString();
    options.onOutput?.(stdout, child.stdin);
  });
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  return new Promise((resolve) =>
    child.on('close', (code) => {
      children.delete(child);
      resolve({ code, stdout, stderr });
    }),
  );
}

async function report(dir: string): Promise<RunReport> {
  return JSON.parse(await readFile(join(dir, 'report.json'), 'utf8')) as RunReport;
}

describe('chaosbank drill: bad input', () => {
  it('exits 2 on a malformed runbook, naming the line', async () => {
    const result = await run([
      'drill',
      'test/drill/fixtures/malformed.md',
      '--auto',
      '--out',
      join(outRoot, 'malformed'),
    ]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('RUNBOOK_INVALID');
    expect(result.stderr).toContain(
      'test/drill/fixtures/malformed.md:12:1: timout: unknown key `timout` (did you mean `timeout`?)',
    );
  });

  it('exits 2 with a hint when confirmations cannot be asked (no terminal, no --auto)', async () => {
    const result = await run(['drill', 'runbooks/primary-db-loss.md', '--out', join(outRoot, 'no-tty')]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('CONFIRM_NEEDS_TTY');
    expect(result.stderr).toContain('--auto');
  });

  it('exits 2 on an unknown driver', async () => {
    const result = await run(['drill', 'runbooks/failback.md', '--auto', '--driver', 'nomad']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('UNKNOWN_DRIVER');
  });
});

describe('chaosbank drill: every runbook end to end (--auto, local driver)', async () => {
  const runbooks = (await readdir(join(ROOT, 'runbooks'))).filter((f) => f.endsWith('.md')).sort();
  it.each(runbooks)(
    '%s meets its targets (exit 0) and writes the drill report',
    async (file) => {
      const out = join(outRoot, file.replace(/\.md$/, ''));
      const result = await run(['drill', `runbooks/${file}`, '--auto', '--out', out, '--seed', '7']);
      const r = await report(out);
      const failed = (r.steps ?? []).filter((s) => s.status === 'failed');
      expect({ code: result.code, reason: r.run.reason, failed }).toEqual({
        code: 0,
        reason: undefined,
        failed: [],
      });
      expect(r.kind).toBe('drill');
      expect(r.gates.map((g) => g.passed)).toEqual([true, true]);
      expect(
        r.steps!.some((s) => s.kind === 'confirm' && s.detail === 'skipped-by-auto') ||
          !r.steps!.some((s) => s.kind === 'confirm'),
      ).toBe(true);
      for (const name of ['summary.md', 'report.html', 'junit.xml', 'history.ndjson.gz'])
        expect((await readFile(join(out, name), 'utf8')).length).toBeGreaterThan(0);
      expect(await readFile(join(out, 'summary.md'), 'utf8')).toContain('## Drill steps');
      // One report model: re-rendered by `chaosbank report`, a drill keeps its steps in every format.
      const again = join(out, 'rerendered');
      expect((await run(['report', out, '--out', again])).code).toBe(0);
      expect(await readFile(join(again, 'summary.md'), 'utf8')).toContain('## Drill steps');
      expect(await readFile(join(again, 'report.html'), 'utf8')).toContain('<table id="steps">');
      expect(await readFile(join(again, 'junit.xml'), 'utf8')).toContain(
        `name="${r.run.scenario.name} steps"`,
      );
    },
    DRILL_TIMEOUT_MS,
  );
});

describe('chaosbank drill: missed target and interactive', () => {
  it(
    'exits 1 when a target is missed (RTO 1 ms), after rolling back',
    async () => {
      const out = join(outRoot, 'impossible');
      const result = await run(['drill', 'test/drill/fixtures/impossible-rto.md', '--auto', '--out', out]);
      expect(result.code).toBe(1);
      const r = await report(out);
      expect(r.run.status).toBe('failed');
      expect(r.gates.find((g) => g.metric === 'mttr_s')?.passed).toBe(false);
      expect(r.steps!.find((s) => s.kind === 'heal')?.status).toBe('passed');
    },
    DRILL_TIMEOUT_MS,
  );

  it(
    'asks at confirm steps on a terminal and records the answers',
    async () => {
      const out = join(outRoot, 'interactive');
      const answered: string[] = [];
      const pty = [
        'python3',
        '-c',
        'import os, pty, sys; sys.exit(os.waitstatus_to_exitcode(pty.spawn(sys.argv[1:])))',
        process.execPath,
      ];
      const result = await run(['drill', 'test/drill/fixtures/interactive.md', '--out', out], {
        argv0: pty,
        onOutput: (text, stdin) => {
          for (const prompt of ['Start the drill now?', 'Is the eu-west API alarm firing?'])
            if (text.includes(prompt) && !answered.includes(prompt)) {
              answered.push(prompt);
              stdin.write('y\r');
            }
        },
      });
      expect(answered).toEqual(['Start the drill now?', 'Is the eu-west API alarm firing?']);
      const r = await report(out);
      const confirms = r.steps!.filter((s) => s.kind === 'confirm');
      expect(confirms.map((s) => [s.status, s.detail])).toEqual([
        ['passed', 'confirmed by the operator'],
        ['passed', 'confirmed by the operator'],
      ]);
      expect(result.code).toBe(r.run.exitCode);
    },
    DRILL_TIMEOUT_MS,
  );
});
