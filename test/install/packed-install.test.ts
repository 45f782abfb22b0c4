/**
 * chaosbank as users install it: `npm pack` of this checkout (dist/ built by `npm run build`),
 * installed with npm into an empty project, then driven only through that project's `npx chaosbank`
 * with a private CHAOSBANK_HOME. Offline when npm's cache holds the dependencies (CI ran `npm ci`).
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { killLeftovers, processesMentioning } from '../run/helpers.js';

const run = promisify(execFile);
const REPO = resolve('.');
const NPM = process.platform === 'win32' ? 'npm.cmd' : 'npm';
const NPX = process.platform === 'win32' ? 'npx.cmd' : 'npx';

interface Result {
  code: number;
  stdout: string;
  stderr: string;
}

let root: string;
let project: string;
let home: string;
let tarball: string;
let files: string[];

async function npx(args: string[], timeoutMs = 60_000): Promise<Result> {
  try {
    const { stdout, stderr } = await run(NPX, ['--no', '--', 'chaosbank', ...args], {
      cwd: project,
      env: { ...process.env, CHAOSBANK_HOME: home, NO_COLOR: '1', GITHUB_STEP_SUMMARY: '' },
      timeout: timeoutMs,
      maxBuffer: 64 * 1024 * 1024,
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code?: number | string; stdout?: string; stderr?: string };
    if (typeof failed.code !== 'number') throw error;
    return { code: failed.code, stdout: failed.stdout ?? '', stderr: failed.stderr ?? '' };
  }
}

beforeAll(async () => {
  if (!existsSync(join(REPO, 'dist', 'src', 'cli', 'main.js')))
    throw new Error('dist/ is missing: run `npm run build` before the integration tests');
  root = await mkdtemp(join(tmpdir(), 'cb-packed-'));
  // The project sits in a 0700 folder, as under /root: as root, PostgreSQL runs as the postgres user,
  // who must still reach the binaries in the project's node_modules.
  await mkdir(join(root, 'private'), { mode: 0o700 });
  project = join(root, 'private', 'consumer');
  home = join(root, 'home');
  // --ignore-scripts: dist/ was just built; prepare would build it again.
  const packed = await run(NPM, ['pack', '--json', '--ignore-scripts', '--pack-destination', root], {
    cwd: REPO,
    maxBuffer: 64 * 1024 * 1024,
  });
  const [manifest] = JSON.parse(packed.stdout) as Array<{ filename: string; files: Array<{ path: string }> }>;
  tarball = join(root, manifest!.filename);
  files = manifest!.files.map((file) => file.path);
  await mkdir(project);
  await writeFile(
    join(project, 'package.json'),
    JSON.stringify({ name: 'consumer', version: '1.0.0', private: true }, null, 2),
  );
  await run(NPM, ['install', '--save-dev', '--prefer-offline', '--no-audit', '--no-fund', tarball], {
    cwd: project,
    timeout: 150_000,
    maxBuffer: 64 * 1024 * 1024,
  });
}, 180_000);

afterAll(async () => {
  if (!root) return;
  killLeftovers(root);
  await rm(root, { recursive: true, force: true });
});

describe('the packed package installed into an empty project', () => {
  it('ships the built CLI, the stack SQL, scenarios, schema and runbooks, and no sources, tests or maps', () => {
    for (const file of [
      'bin/chaosbank.js',
      'dist/src/cli/main.js',
      'dist/stack/api/main.js',
      'dist/drivers/local/supervisor.js',
      'stack/db/ledger.sql',
      'stack/db/control.sql',
      'scenarios/ci-gate.yaml',
      'scenarios/schema.json',
      'scenarios/k6/payments.ts',
      'runbooks/primary-db-loss.md',
    ])
      expect(files, file).toContain(file);
    expect(files.filter((file) => /\.test\.|\.map$|^dist\/bench\/|^stack\/.*\.ts$/.test(file))).toEqual([]);
    expect(existsSync(join(project, 'node_modules', '.bin', 'chaosbank'))).toBe(true);
  });

  it('validates shipped scenarios by name and by repository path, and says where they came from', async () => {
    const version = JSON.parse(await readFile(join(REPO, 'package.json'), 'utf8')) as { version: string };
    expect((await npx(['--version'])).stdout.trim()).toBe(version.version);
    const named = await npx(['validate', 'ci-gate', 'scenarios/region-outage.yaml', 'bugs']);
    expect(named.code, named.stderr).toBe(0);
    expect(named.stdout).toContain(join(project, 'node_modules', 'chaosbank', 'scenarios', 'ci-gate.yaml'));
    expect(named.stdout).toMatch(/\d+ scenario file\(s\) valid/);
    expect(named.stderr).toContain('ci-gate: using the scenario shipped with chaosbank');
    const missing = await npx(['validate', 'no-such-scenario']);
    expect(missing.code).toBe(2);
    expect(missing.stdout).toContain('scenario file not found: no-such-scenario');
    const runbook = await npx(['drill', 'no-such-runbook', '--auto']);
    expect(runbook.code).toBe(2);
    expect(runbook.stderr).toContain('cannot read runbook no-such-runbook');
  });

  it('up, status and down start and stop the stack from the installed package', async () => {
    const up = await npx(['up', '--regions', 'us-east,eu-west', '--json'], 120_000);
    expect(up.code, up.stderr).toBe(0);
    const { runDir, router } = JSON.parse(up.stdout) as { runDir: string; router: string };
    try {
      const payment = await fetch(`${router}/v1/payments`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'idempotency-key': 'packed-1' },
        body: JSON.stringify({ from: 'acc-0001', to: 'acc-0002', amount: 100, currency: 'USD' }),
      });
      expect(payment.status).toBe(201);
      const status = await npx(['status']);
      expect(status.code, status.stderr).toBe(0);
      expect(status.stdout).toContain('primary    us-east');
    } finally {
      const down = await npx(['down'], 120_000);
      expect(down.code, down.stderr).toBe(0);
    }
    expect(processesMentioning(runDir)).toEqual([]);
  });

  it('runs a shortened copy of the shipped CI gate: exit 0, every report file, nothing left running', async () => {
    const shipped = await readFile(
      join(project, 'node_modules', 'chaosbank', 'scenarios', 'ci-gate.yaml'),
      'utf8',
    );
    // Same shape as the shipped gate, a third of its length: 12 s of load, us-east lost from 4 s to 8 s.
    const short = shipped
      .replace(/^ {2}rate: 100$/m, '  rate: 50')
      .replace(/^ {2}duration: 30s$/m, '  duration: 12s')
      .replace(/^ {4}at: 10s\n {4}duration: 10s$/m, '    at: 4s\n    duration: 4s');
    expect(short).toContain('duration: 12s');
    expect(short).toContain('at: 4s');
    await writeFile(join(project, 'gate.yaml'), short);
    const out = join(root, 'reports', 'gate');
    const gate = await npx(['run', 'gate.yaml', '--seed', '42', '--quiet', '--out', out], 150_000);
    if (gate.code !== 0) console.error(gate.stdout, gate.stderr.slice(-4000));
    expect(gate.code).toBe(0);
    expect(gate.stdout).toContain('ci-gate PASSED');
    for (const file of ['report.json', 'junit.xml', 'summary.md', 'report.html', 'history.ndjson.gz'])
      expect(existsSync(join(out, file)), file).toBe(true);
    const report = JSON.parse(await readFile(join(out, 'report.json'), 'utf8')) as {
      run: { status: string; seed: number };
    };
    expect(report.run).toMatchObject({ status: 'passed', seed: 42 });
    expect(processesMentioning(root)).toEqual([]);
  }, 180_000);
});
