/**
 * The one list of renderers a run, a drill and `chaosbank report` write besides report.json:
 * junit.xml, summary.md and report.html.
 */
import type { Reporter } from '../run/reporter.js';
import { htmlReporter } from './html-reporter.js';
import { junitReporter } from './junit-reporter.js';
import { markdownReporter } from './markdown-reporter.js';

/** junit.xml, summary.md (also appended to `stepSummaryPath`: $GITHUB_STEP_SUMMARY) and report.html. */
export function reportRenderers(options: { stepSummaryPath?: string } = {}): Reporter[] {
  return [junitReporter, markdownReporter(options), htmlReporter];
}
