/** bench/toxiproxy.ts with one more process keeping a core busy for the whole run. */
import type { BenchResult } from './run.js';
import { measure } from './toxiproxy.js';

export const run = (): Promise<BenchResult> => measure({ busyCoreElsewhere: true });
