/**
 * Semantic checks for a file that also has schema errors, so that every error is reported at once.
 * The checks run on the sections that are valid on their own; a section with schema errors is
 * stood in for by the reference scenario's, and every issue that depends on a stand-in is dropped
 * (an unknown region in a fault is only judged against a valid `topology:`).
 */
import type { z } from 'zod';
import { EXAMPLE_SCENARIO } from './example.js';
import { scenarioSchema, type Scenario } from './schema.js';
import { checkScenario, type SemanticResult } from './semantic.js';

type Section = keyof typeof scenarioSchema.shape;

/** The sections the issues of each section are judged against (besides itself). */
const DEPENDS_ON: Partial<Record<Section, Section[]>> = {
  load: ['topology'],
  faults: ['topology', 'load'],
  gates: ['faults', 'aborts'],
};
/** Gate and abort metric names are checked on the raw input already (checkGateNames). */
const CHECKED_ON_RAW_INPUT = new Set<Section>(['gates', 'aborts']);

export function semanticIssuesBesideSchema(
  input: Record<string, unknown>,
  schemaIssues: readonly z.core.$ZodIssue[],
): SemanticResult {
  const broken = new Set(schemaIssues.map((issue) => issue.path[0]).filter((key) => key !== undefined));
  const stand = scenarioSchema.parse(EXAMPLE_SCENARIO);
  const assembled: Record<string, unknown> = {};
  for (const section of Object.keys(scenarioSchema.shape) as Section[]) {
    const parsed = broken.has(section) ? undefined : scenarioSchema.shape[section].safeParse(input[section]);
    if (parsed?.success === true) assembled[section] = parsed.data;
    else {
      broken.add(section);
      assembled[section] = stand[section];
    }
  }
  const trusted = (path: readonly (string | number)[]): boolean => {
    const section = path[0] as Section;
    if (broken.has(section)) return false;
    return (DEPENDS_ON[section] ?? []).every((dependency) => !broken.has(dependency));
  };
  let result: SemanticResult;
  try {
    result = checkScenario(assembled as Scenario);
  } catch {
    // A stand-in the checks did not expect: the schema errors alone are reported, as before.
    return { errors: [], warnings: [] };
  }
  return {
    errors: result.errors.filter(
      (issue) => trusted(issue.path) && !CHECKED_ON_RAW_INPUT.has(issue.path[0] as Section),
    ),
    warnings: result.warnings.filter((issue) => trusted(issue.path)),
  };
}
