import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Reporter } from './reporter.js';

export const jsonReporter: Reporter = {
  name: 'json',
  async write(report, outDir) {
    const file = join(outDir, 'report.json');
    await writeFile(file, `${JSON.stringify(report, null, 2)}\n`);
    return [file];
  },
};
