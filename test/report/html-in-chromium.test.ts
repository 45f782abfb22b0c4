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

  it('charts as wide as the tables, tick labels that do not overlap, the fault at the same instant as the table', async () => {
    const file = join(dir, 'layout.html');
    await writeFile(file, renderHtml(sampleReport()));
    const page = await browser.newPage({ viewport: { width: 1100, height: 900 } });
    await page.goto(pathToFileURL(file).href);
    const layout = {
      chartWidths: await page.$$eval('svg.chart', (svgs) => svgs.map((s) => s.getBoundingClientRect().width)),
      tableWidth: await page.$eval('#gates', (e) => e.getBoundingClientRect().width),
      ticks: await page.$$eval('svg.chart', (svgs) =>
        svgs.map((s) =>
          [...s.querySelectorAll('text.x-tick, text.y-tick')].map((t) => {
            const r = t.getBoundingClientRect();
            return { left: r.left, right: r.right, top: r.top, bottom: r.bottom };
          }),
        ),
      ),
      // where the fault band starts in the first chart
      band: await page.$eval('svg.chart rect.fault-band', (e) => e.getBoundingClientRect().left),
      // the x tick labels ("10 s") and their centres, to place 15 s on the chart
      xTicks: await page.$eval('svg.chart', (svg) =>
        [...svg.querySelectorAll('text.x-tick')].map((t) => {
          const r = t.getBoundingClientRect();
          return { seconds: parseFloat(t.textContent ?? ''), x: (r.left + r.right) / 2 };
        }),
      ),
      faultApplied: await page.locator('#faults tr').nth(1).locator('td').nth(2).textContent(),
      cardRows: new Set(
        await page.$$eval('.card', (cards) => cards.map((c) => Math.round(c.getBoundingClientRect().top))),
      ).size,
    };
    for (const width of layout.chartWidths) expect(Math.abs(width - layout.tableWidth)).toBeLessThan(1);
    for (const labels of layout.ticks) {
      expect(labels.length).toBeGreaterThan(3);
      for (const l of labels) expect(l.right - l.left).toBeGreaterThan(5);
      for (let i = 0; i < labels.length; i++)
        for (let j = i + 1; j < labels.length; j++) {
          const a = labels[i]!;
          const b = labels[j]!;
          const overlap = a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom;
          expect(overlap, `tick labels ${i} and ${j} overlap`).toBe(false);
        }
    }
    // the table says t+15.0 s; the chart's band starts within one 250 ms window of 15 s on its axis
    expect(layout.faultApplied).toBe('t+15.0 s');
    const [first, second] = layout.xTicks;
    const pxPerSecond = (second!.x - first!.x) / (second!.seconds - first!.seconds);
    const x15 = first!.x + (15 - first!.seconds) * pxPerSecond;
    expect(Math.abs(layout.band - x15)).toBeLessThan(pxPerSecond * 0.25);
    // ten cards in two full rows, none left alone on a row
    expect(layout.cardRows).toBe(2);
    await page.close();
  });
});
