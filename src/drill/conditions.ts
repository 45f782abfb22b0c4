/**
 * Conditions used by `wait` and `check` steps, as one small grammar:
 *   primary-changed | replication-streaming | stack-healthy | verdict-clean
 *   primary == us-east | primary != us-east | router-active == eu-west | role(us-east) == standby
 *   sync-standby(us-east)
 *   epoch >= 2 | success-rate >= 0.95
 * Parsing is pure; evaluation lives in the executor.
 */
export type ComparisonOp = '==' | '!=' | '>=' | '>' | '<=' | '<';

export type Condition =
  | { kind: 'primary-changed' }
  | { kind: 'replication-streaming' }
  | { kind: 'stack-healthy' }
  | { kind: 'verdict-clean' }
  | { kind: 'primary'; op: '==' | '!='; region: string }
  | { kind: 'router-active'; op: '==' | '!='; region: string }
  | { kind: 'role'; region: string; op: '==' | '!='; role: RegionRole }
  | { kind: 'sync-standby'; region: string }
  | { kind: 'epoch'; op: ComparisonOp; value: number }
  | { kind: 'success-rate'; op: ComparisonOp; value: number };

export const REGION_ROLES = ['primary', 'standby', 'fenced', 'down'] as const;
export type RegionRole = (typeof REGION_ROLES)[number];

export const CONDITION_EXAMPLES = [
  'primary-changed',
  'replication-streaming',
  'stack-healthy',
  'verdict-clean',
  'primary != us-east',
  'router-active == eu-west',
  'role(us-east) == standby',
  'sync-standby(us-east)',
  'epoch >= 2',
  'success-rate >= 0.95',
];

const REGION = '[a-z][a-z0-9-]{0,30}';
const OP = '(==|!=|>=|<=|>|<)';
const NUMBER = '(-?\\d+(?:\\.\\d+)?)';

/** Parse a condition; a string explaining what is wrong when it is not one. */
export function parseCondition(source: string): Condition | string {
  const text = source.trim();
  switch (text) {
    case 'primary-changed':
    case 'replication-streaming':
    case 'stack-healthy':
    case 'verdict-clean':
      return { kind: text };
  }
  let m = new RegExp(`^(primary|router-active)\\s*(==|!=)\\s*(${REGION})$`).exec(text);
  if (m) return { kind: m[1] as 'primary' | 'router-active', op: m[2] as '==' | '!=', region: m[3]! };
  m = new RegExp(`^role\\((${REGION})\\)\\s*(==|!=)\\s*([a-z]+)$`).exec(text);
  if (m) {
    const role = m[3]!;
    if (!(REGION_ROLES as readonly string[]).includes(role))
      return `role must be one of ${REGION_ROLES.join(', ')}, got "${role}"`;
    return { kind: 'role', region: m[1]!, op: m[2] as '==' | '!=', role: role as RegionRole };
  }
  m = new RegExp(`^sync-standby\\((${REGION})\\)$`).exec(text);
  if (m) return { kind: 'sync-standby', region: m[1]! };
  m = new RegExp(`^(epoch|success-rate)\\s*${OP}\\s*${NUMBER}$`).exec(text);
  if (m) {
    const value = Number(m[3]);
    if (m[1] === 'success-rate' && (value < 0 || value > 1)) return 'a success rate is between 0 and 1';
    return { kind: m[1] as 'epoch' | 'success-rate', op: m[2] as ComparisonOp, value };
  }
  return `unknown condition "${text}"; conditions look like: ${CONDITION_EXAMPLES.join(', ')}`;
}

export function compareNumbers(actual: number, op: ComparisonOp, expected: number): boolean {
  switch (op) {
    case '==':
      return actual === expected;
    case '!=':
      return actual !== expected;
    case '>=':
      return actual >= expected;
    case '>':
      return actual > expected;
    case '<=':
      return actual <= expected;
    case '<':
      return actual < expected;
  }
}

/** Regions a condition names (checked against the runbook's regions). */
export function conditionRegions(condition: Condition): string[] {
  return 'region' in condition ? [condition.region] : [];
}
