import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { sampleReport } from './sample-report.js';
import { renderJunit } from './junit-reporter.js';
import { renderMarkdown, markdownReporter } from './markdown-reporter.js';
import { renderHtml } from './html-reporter.js';
import { writeReports, type Reporter } from '../run/reporter.js';
import { jsonReporter } from '../run/json-reporter.js';
import { evaluateGates } from '../run/gates.js';
import type { RunReport } from '../run/run-report.js';

const NO_LEDGER =
  'the idempotency checker did not run (no ledger export from us-east: the run stopped before the ledgers were collected)';

/** A run stopped before its ledgers were collected: counts that need them are not measured. */
function unmeasuredReport(): RunReport {
  const report = sampleReport();
  const verdict = report.verdict!;
  verdict.metrics = { ...verdict.metrics, duplicates: null, anomalies: null, mttr_s: null, dropped: 0 };
  verdict.notMeasured = {
    duplicates: NO_LEDGER,
    anomalies: 'not every checker ran (no ledger export from us-east)',
    mttr_s: 'no fault in the scenario',
  };
  report.gates = evaluateGates(['duplicates == 0', 'dropped == 0'], verdict.metrics, verdict.notMeasured);
  return report;
}

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'cb-report-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('junit', () => {
  it('has a testcase per gate and per checker, failures with escaped evidence', () => {
    const xml = renderJunit(sampleReport({ failGate: true }));
    expect(xml.match(/<testcase /g)).toHaveLength(4);
    expect(xml).toContain('<failure message="lost_writes was 1, expected == 0">');
    expect(xml).toContain('&lt;after failover&gt;');
    expect(xml).not.toContain('<after failover>');
    expect(xml).toMatch(/<testsuite name="region-outage gates" tests="2" failures="1"/);
  });

  it('reports no failure when everything passed', () => {
    expect(renderJunit(sampleReport())).not.toContain('<failure');
  });
});

describe('markdown', () => {
  it('shows the verdict, the gate table and the anomalies', () => {
    const md = renderMarkdown(sampleReport({ failGate: true }));
    expect(md).toMatch(/^# ❌ region-outage: FAILED/);
    expect(md).toContain('| `lost_writes == 0` | 1 | ❌ lost_writes was 1, expected == 0 |');
    expect(md).toContain('### lost-write (1)');
  });

  it('appends to the GitHub step summary when asked', async () => {
    const summary = join(dir, 'step-summary.md');
    await markdownReporter({ stepSummaryPath: summary }).write(sampleReport(), dir);
    expect(await readFile(summary, 'utf8')).toContain('# ✅ region-outage: PASSED');
  });
});

describe('payment-level headline', () => {
  const PAYMENTS = '5900 of 6000 payments succeeded (98.33%) · 60 declined · 40 unresolved';
  const ATTEMPTS =
    'attempt success 84.00% · 8000 attempts · 1.33 attempts per payment · peak 200/s offered (200/s planned)';

  it('markdown leads with payments, attempts second, and lists the payment metrics first', () => {
    const md = renderMarkdown(sampleReport());
    expect(md).toContain(`**${PAYMENTS}**\n\n${ATTEMPTS}\n`);
    expect(md.indexOf(PAYMENTS)).toBeLessThan(md.indexOf('| metric | value |'));
    expect(md).toContain('| payments_succeeded | 5900 |');
    expect(md).toContain('| unresolved_payments | 40 |');
    expect(md.indexOf('| payments |')).toBeLessThan(md.indexOf('| success_rate |'));
  });

  it('html leads with payments and has a card for each payment outcome', () => {
    const html = renderHtml(sampleReport());
    expect(html).toContain(`<p id="headline" class="headline">${PAYMENTS}</p>`);
    expect(html).toContain(`<p id="attempts" class="meta">${ATTEMPTS}</p>`);
    expect(html).toContain('<b>5900</b><span>payments succeeded</span>');
    expect(html).toContain('<b>40</b><span>unresolved</span>');
    expect(html).toContain('<span>attempt success</span>');
  });

  it('the peak offered rate counts retries: a window of 529/s against 150 planned shows so', () => {
    const report = sampleReport();
    report.load!.plannedRate = 150;
    const w = report.verdict!.windows[70]!;
    w.info = 132 - w.ok - w.fail; // 132 attempts in 250 ms = 528/s
    expect(renderMarkdown(report)).toContain('peak 528/s offered (150/s planned)');
  });

  it('an older report without payment metrics says why', () => {
    const report = sampleReport();
    delete report.verdict!.metrics.payments;
    expect(renderMarkdown(report)).toContain(
      '**payments not measured: no reason recorded (report written by an older chaosbank)**',
    );
  });
});

describe('timeline: one line of words per event, one clock (t = 0 at run start)', () => {
  const APPLIED =
    'fault f1 applied: region-outage region us-east, 11 links down (scheduled t+15.0 s, +12 ms late)';

  it('markdown: fault events in words, no raw JSON, no epoch milliseconds', () => {
    const md = renderMarkdown(sampleReport());
    const timeline = md.slice(md.indexOf('## Timeline'));
    expect(timeline).toContain(`- t+15.0 s ${APPLIED}`);
    expect(timeline).toContain('- t+18.0 s failover.promoted eu-west (epoch 2)');
    expect(timeline).toContain('- t+18.7 s router switched us-east -> eu-west');
    expect(timeline).toContain('- t+30.0 s fault f1 reverted: region-outage region us-east, 11 links down');
    expect(timeline).not.toMatch(/[{}"]|appliedAt|17963|api-us-east-db-us-east/);
  });

  it('html: the same words, the proxy names folded under details', () => {
    const html = renderHtml(sampleReport());
    const timeline = html.slice(html.indexOf('<table id="timeline">'));
    expect(timeline).toContain(`<td>t+15.0 s</td><td>${APPLIED}<details><summary>details</summary>`);
    expect(timeline).toContain('<div>links down: client-router, router-api-us-east,');
    expect(timeline).not.toMatch(/&quot;|appliedAt/);
  });

  it('a report without phases counts from run start, not from epoch 0', () => {
    const report = { ...sampleReport(), phases: [] };
    const md = renderMarkdown(report);
    expect(md).toContain(`- t+15.0 s ${APPLIED}`);
    expect(md).not.toMatch(/t\+\d{7,}/);
  });

  it('the fault table counts from the same origin', () => {
    const md = renderMarkdown(sampleReport());
    expect(md).toContain('| f1 (region-outage us-east) | t+15.0 s | t+15.0 s | +12 ms | t+30.0 s |');
  });
});

describe('evidence as tables', () => {
  /** A duplicate: two attempts of one key, and the two ledger rows it left. */
  function duplicateReport(): RunReport {
    const report = sampleReport({ failGate: true });
    const start = Date.parse(report.run.startedAt);
    const at = (ms: number) => new Date(start + ms).toISOString();
    report.verdict!.checkers[1]!.anomalies[0]!.examples[0]!.evidence = {
      key: 'k-7',
      attempts: [
        {
          kind: 'first',
          intendedStart: at(14_000),
          start: at(14_001),
          end: at(16_000),
          status: 0,
          error: 'timeout',
          outcome: 'info',
          servedBy: 'us-east',
          epoch: 1,
        },
        {
          kind: 'retry',
          intendedStart: at(16_100),
          start: at(16_100),
          end: at(16_142),
          status: 201,
          outcome: 'ok',
          servedBy: 'eu-west',
          epoch: 2,
        },
      ],
      ledger: [
        {
          region: 'eu-west',
          id: 'tx-9',
          idempotency_key: 'k-7',
          created_at: at(14_010),
          entries: [
            { account: 'a-1', amount: -500, currency: 'USD' },
            { account: 'a-2', amount: 500, currency: 'USD' },
          ],
        },
      ],
    };
    return report;
  }

  it('markdown: the key, an attempts table and a ledger table, no JSON', () => {
    const md = renderMarkdown(duplicateReport());
    const section = md.slice(md.indexOf('## Anomalies'), md.indexOf('## Faults'));
    expect(section).toContain('key k-7\n\n| time | kind | status | outcome | served by | epoch | latency |');
    expect(section).toContain('| t+14.0 s | first | timeout | info | us-east | 1 | 2000 ms |');
    expect(section).toContain('| t+16.1 s | retry | 201 | ok | eu-west | 2 | 42 ms |');
    expect(section).toContain('| eu-west | tx-9 | t+14.0 s | a-1 -500 USD, a-2 +500 USD |');
    expect(section).not.toMatch(/```|[{}"]/);
  });

  it('html: the same tables inside the example', () => {
    const html = renderHtml(duplicateReport());
    expect(html).toContain('<p>key k-7</p><table class="evidence"><tr><th>time</th><th>kind</th>');
    expect(html).toContain(
      '<tr><td>t+16.1 s</td><td>retry</td><td>201</td><td>ok</td><td>eu-west</td><td>2</td><td>42 ms</td></tr>',
    );
    expect(html).not.toContain('<pre>');
  });
});

describe('html', () => {
  it('is self-contained with charts, shaded fault windows and failover markers', () => {
    const html = renderHtml(sampleReport());
    expect(html.match(/<svg /g)).toHaveLength(3);
    expect(html).toContain('class="fault-band"');
    expect(html).toContain('failover.promoted');
    expect(html).not.toMatch(/<script|src="http|href="http/);
  });
});

describe('metrics not measured', () => {
  it('junit fails the gate with "not measured: <reason>" and never shows a 0', () => {
    const xml = renderJunit(unmeasuredReport());
    expect(xml).toContain(
      `<failure message="not measured: ${NO_LEDGER}">actual: not measured\nthreshold: == 0</failure>`,
    );
    expect(xml).toMatch(/<testcase name="gate: dropped == 0" classname="[^"]*"[^>]*\/>/);
  });

  it('markdown shows the reason in the metric table and the gate table', () => {
    const md = renderMarkdown(unmeasuredReport());
    expect(md).toContain('| mttr_s | not measured: no fault in the scenario |');
    expect(md).toContain(`| \`duplicates == 0\` | not measured | ❌ not measured: ${NO_LEDGER} |`);
  });

  it('html shows not measured on the cards, lists why, and fails the gate with the reason', () => {
    const html = renderHtml(unmeasuredReport());
    expect(html).toContain('<b>not measured</b><span>MTTR (s)</span>');
    expect(html).toContain('<li><code>mttr_s</code> not measured: no fault in the scenario</li>');
    expect(html).toContain(`<td>not measured</td><td class="fail">fail: not measured: ${NO_LEDGER}</td>`);
  });

  it('an older report.json (null metrics, no reasons) still renders', () => {
    const report = sampleReport();
    report.verdict!.metrics.mttr_s = null;
    delete report.verdict!.notMeasured;
    expect(renderMarkdown(report)).toContain('| mttr_s | not measured: no reason recorded');
  });
});

describe('writeReports', () => {
  it('isolates a failing reporter so the others still write', async () => {
    const broken: Reporter = { name: 'broken', write: () => Promise.reject(new Error('disk full')) };
    const outcomes = await writeReports([broken, jsonReporter], sampleReport(), dir);
    expect(outcomes[0]).toMatchObject({ reporter: 'broken', error: 'disk full' });
    const written = JSON.parse(await readFile(join(dir, 'report.json'), 'utf8'));
    expect(written.run.scenario.name).toBe('region-outage');
  });
});

describe('drill steps (one report model: every renderer shows them when a report has them)', () => {
  const drill = () => ({
    ...sampleReport(),
    steps: [
      {
        index: 1,
        title: 'Take | us-east out',
        kind: 'fault',
        startedAt: 0,
        durationMs: 520,
        status: 'passed' as const,
      },
      {
        index: 2,
        title: 'Primary moves',
        kind: 'wait',
        startedAt: 0,
        durationMs: 30_000,
        targetMs: 10_000,
        status: 'failed' as const,
        detail: 'not met within the 30.0 s timeout',
      },
      {
        index: 3,
        title: 'Payments flow',
        kind: 'wait',
        startedAt: 0,
        durationMs: 0,
        status: 'skipped' as const,
      },
    ],
  });

  it('markdown: a steps table after the headline metrics', () => {
    const md = renderMarkdown(drill());
    expect(md).toContain('| 1 | Take \\| us-east out | fault | 0.52 s | — | ✅ passed |  |');
    expect(md).toContain(
      '| 2 | Primary moves | wait | 30.00 s | 10.00 s | ❌ failed | not met within the 30.0 s timeout |',
    );
    expect(md.indexOf('## Drill steps')).toBeLessThan(md.indexOf('## Gates'));
    expect(renderMarkdown(sampleReport())).not.toContain('## Drill steps');
  });

  it('html: a steps table', () => {
    expect(renderHtml(drill())).toContain('<table id="steps">');
    expect(renderHtml(sampleReport())).not.toContain('<table id="steps">');
  });

  it('junit: a steps suite, the failed step a failure, the skipped one skipped', () => {
    const xml = renderJunit(drill());
    expect(xml).toMatch(
      /<testsuite name="region-outage steps" tests="3" failures="1" errors="0" skipped="1"/,
    );
    expect(xml).toContain(
      '<failure message="not met within the 30.0 s timeout">wait step, target 10.00 s, took 30.00 s</failure>',
    );
    expect(xml).toContain('<skipped message=""/>');
    expect(renderJunit(sampleReport())).not.toContain(' steps"');
  });
});
