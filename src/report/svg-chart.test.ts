import { describe, expect, it } from 'vitest';
import { niceStep, renderChart, ticksBetween } from './svg-chart.js';
import { renderCharts } from './html-reporter.js';
import { renderComparisonHtml } from './compare-render.js';
import { compareReports } from './compare.js';
import { nameColors, nameColor } from './region-colors.js';
import { sampleReport } from './sample-report.js';

const xLabels = (svg: string) => [...svg.matchAll(/class="axis x-tick"[^>]*>([^<]*)</g)].map((m) => m[1]);
const yLabels = (svg: string) => [...svg.matchAll(/class="axis y-tick"[^>]*>([^<]*)</g)].map((m) => m[1]);
const ROUND = /^(0|[125](0*)|0\.0*[125])$/;

describe('round ticks', () => {
  it('steps are 1, 2 or 5 × 10^n', () => {
    expect(niceStep(32, 7)).toBe(5);
    expect(niceStep(76.27 * 1.05, 5)).toBe(20);
    expect(niceStep(801, 5)).toBe(200);
    expect(niceStep(1, 5)).toBe(0.2);
    expect(niceStep(0.003, 5)).toBe(0.001);
    expect(ticksBetween(0, 1, 0.2)).toEqual([0, 0.2, 0.4, 0.6, 0.8, 1]);
    expect(ticksBetween(3.4, 35.1, 5)).toEqual([5, 10, 15, 20, 25, 30, 35]);
  });

  it('a chart of 32 s of data with p99 up to 801 ms has round ticks on both axes', () => {
    const origin = 1_000_000;
    const points = Array.from({ length: 129 }, (_, i) => ({
      t: origin + 3400 + i * 250,
      v: i === 60 ? 801 : 38.13,
    }));
    const svg = renderChart({
      title: 'p99',
      yLabel: 'ms',
      series: [{ name: 'p99', color: '#000', points }],
      xAxis: { kind: 'seconds', origin },
    });
    expect(xLabels(svg)).toEqual(['5 s', '10 s', '15 s', '20 s', '25 s', '30 s', '35 s']);
    expect(yLabels(svg)).toEqual(['0', '200', '400', '600', '800', '1000']);
  });

  it('the success-rate axis is 0 %..100 % in steps of 20 %', () => {
    const html = renderCharts(sampleReport());
    const first = html.slice(0, html.indexOf('</svg>'));
    expect(yLabels(first)).toEqual(['0%', '20%', '40%', '60%', '80%', '100%']);
    const p99 = yLabels(html.split('</svg>')[1]!).map(Number);
    const step = p99[1]! - p99[0]!;
    expect(String(step)).toMatch(ROUND);
    p99.forEach((v, i) => expect(v).toBe(i * step));
  });
});

describe('one clock: charts count from run start like the tables', () => {
  it('the sample charts are labelled in seconds since run start, and the fault band starts at 15 s', () => {
    const report = sampleReport();
    // the first load window is at +5 s, the fault at t+15.0 s in the timeline
    report.verdict!.windows = report.verdict!.windows.slice(20);
    const svg = renderCharts(report).split('</svg>')[0]!;
    expect(xLabels(svg)[0]).toBe('5 s');
    const tick15 = Number(/x="([\d.]+)"[^>]*>15 s</.exec(svg)![1]);
    const band = Number(/class="fault-band" x="([\d.]+)"/.exec(svg)![1]);
    expect(Math.abs(band - tick15)).toBeLessThan(1);
  });
});

describe('point markers', () => {
  it('a series with one point is drawn as a marker in the middle', () => {
    const svg = renderChart({
      title: 'MTTR',
      yLabel: 's',
      series: [{ name: 'a', color: '#000', points: [{ t: Date.parse('2026-11-22T10:00:00Z'), v: 7.5 }] }],
      xAxis: { kind: 'date' },
    });
    expect(svg.match(/<circle class="point"/g)).toHaveLength(1);
    expect(svg).toContain('cx="470.0"');
    expect(xLabels(svg)).toEqual(['10:00:00']);
  });
});

describe('stable colours', () => {
  it('a region keeps its colour whatever other regions a report shows', () => {
    const all = nameColors(['us-east', 'eu-west', 'ap-south']);
    const two = nameColors(['eu-west', 'ap-south']);
    expect(two.get('eu-west')).toBe(all.get('eu-west'));
    expect(two.get('ap-south')).toBe(all.get('ap-south'));
    expect(new Set(all.values()).size).toBe(3);
    expect(all.get('us-east')).toBe(nameColor('us-east'));
  });

  it('the traffic-share chart colours a region the same when another region served nothing', () => {
    const colorOf = (html: string, region: string) =>
      new RegExp(`fill="(#[0-9a-f]+)" fill-opacity="0.75"><title>${region}<`).exec(html)?.[1];
    const full = renderCharts(sampleReport());
    const report = sampleReport();
    for (const w of report.verdict!.windows) w.byRegion = { 'eu-west': 10 };
    const partial = renderCharts(report);
    expect(colorOf(partial, 'eu-west')).toBe(colorOf(full, 'eu-west'));
    expect(colorOf(full, 'eu-west')).toBe(nameColor('eu-west'));
  });

  it('a comparison colours a scenario with its name colour', () => {
    const html = renderComparisonHtml(compareReports([sampleReport()]));
    expect(html).toContain(`stroke="${nameColor('region-outage')}"`);
  });
});
