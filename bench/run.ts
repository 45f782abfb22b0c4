/**
 * `npm run bench -- [name...]`: runs the named benchmarks (all when none is named). Each benchmark is
 * `bench/<name>.ts` exporting `run(): Promise<BenchResult>`; results go to `bench/results/<name>.json`.
 */
import { mkdirSync, writeFileSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';
import os from 'node:os';

export interface BenchResult {
  /** Target figures and whether each was met. */
  targets?: Record<string, { target: string; value: number | null; met: boolean }>;
  [figure: string]: unknown;
}

const here = dirname(fileURLToPath(import.meta.url));
const resultsDir = join(here, '..', '..', 'bench', 'results');

function available(): string[] {
  return readdirSync(here)
    .filter((f) => f.endsWith('.js') && f !== 'run.js' && !f.startsWith('_'))
    .map((f) => f.slice(0, -3))
    .sort();
}

async function main(): Promise<void> {
  const names = process.argv.slice(2);
  const all = available();
  const selected = names.length > 0 ? names : all;
  const unknown = selected.filter((n) => !all.includes(n));
  if (unknown.length > 0) {
    process.stderr.write(`unknown benchmark: ${unknown.join(', ')} (available: ${all.join(', ')})\n`);
    process.exitCode = 2;
    return;
  }
  mkdirSync(resultsDir, { recursive: true });
  for (const name of selected) {
    process.stderr.write(`bench ${name}...\n`);
    const mod = (await import(`./${name}.js`)) as { run: () => Promise<BenchResult> };
    const result = await mod.run();
    const record = {
      name,
      date: new Date().toISOString(),
      host: {
        cpus: os.cpus().length,
        cpuModel: os.cpus()[0]?.model,
        memoryBytes: os.totalmem(),
        node: process.version,
      },
      ...result,
    };
    const file = join(resultsDir, `${name}.json`);
    writeFileSync(file, `${JSON.stringify(record, null, 2)}\n`);
    process.stdout.write(`${JSON.stringify(record, null, 2)}\n`);
    process.stderr.write(`wrote ${file}\n`);
  }
}

await main();
