/**
 * The HTML report opened in real headless Chromium (Debian's `chromium`, driven by playwright-core):
 * no console errors, the charts are drawn, and a screenshot is kept as a test artifact under test-results/.
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Browser } from 'playwright-core';
import { CHROMIUM_PATH, launchChromium } from '../helpers/chromium.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderHtml } from '../../src/report/html-reporter.js';
import { sampleReport } from '../../src/report/sample-report.js';

describe.skipIf(!existsSync(CHROMIUM_PATH))('report.html in headless Chromium', () => {
  let browser: Browser;
  let dir: string;
  beforeAll(async () => {
    browser = await launchChromium();
    dir = await mkdtemp(join(tmpdir(), 'cb-html-'));
  });
  afterAll(async () => {
    await browser?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('renders without console errors and draws every chart', async () => {
    const file = join(dir, 'report.html');
    await writeFile(file, renderHtml(sampleReport({ failGate: true })));
    const page = await browser.newPage({ viewport: { width: 1100, height: 900 } });
    const problems: string[] = [];
    page.on('console', (message) => {
      if (message.type() === 'error') problems.push(message.text());
    });
    page.on('pageerror', (error) => problems.push(error.message));
    page.on('request', (request) => {
      if (!request.url().startsWith('file:')) problems.push(`network request to ${request.url()}`);
    });
    await page.goto(pathToFileURL(file).href);

    const charts = await page.$$eval('svg.chart', (svgs) =>
      svgs.map((svg) => ({
        width: svg.getBoundingClientRect().width,
        paths: [...svg.querySelectorAll('path')].map((p) =>
          (p as unknown as { getTotalLength(): number }).getTotalLength(),
        ),
        bands: svg.querySelectorAll('rect.fault-band').length,
        markers: svg.querySelectorAll('line.event-marker').length,
      })),
    );
    expect(charts).toHaveLength(3);
    for (const chart of charts) {
      expect(chart.width).toBeGreaterThan(300);
      expect(chart.paths.length).toBeGreaterThan(0);
      expect(Math.max(...chart.paths)).toBeGreaterThan(100);
      expect(chart.bands).toBe(1);
      expect(chart.markers).toBe(3);
    }
    expect(await page.locator('#gates tr').count()).toBe(3);
    expect(await page.locator('h1').textContent()).toContain('FAILED');

    await mkdir('test-results', { recursive: true });
    await page.screenshot({ path: join('test-results', 'report.png'), fullPage: true });
    expect(problems).toEqual([]);
  });
});
