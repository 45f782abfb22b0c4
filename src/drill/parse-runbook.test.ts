import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseCondition } from './conditions.js';
import { parseRunbook } from './parse-runbook.js';

const FRONT = `---
name: t
targets: { rto_s: 10, rpo_s: 0 }
---
`;

describe('parseRunbook', () => {
  it('parses every runbook in runbooks/', () => {
    const dir = join(import.meta.dirname, '..', '..', 'runbooks');
    const files = readdirSync(dir).filter((f) => f.endsWith('.md'));
    expect(files.length).toBeGreaterThanOrEqual(4);
    for (const f of files) {
      const { value, issues } = parseRunbook(readFileSync(join(dir, f), 'utf8'), f);
      expect(issues, f).toEqual([]);
      expect(value!.steps.length, f).toBeGreaterThan(0);
      expect(value!.rollback.length, f).toBeGreaterThan(0);
    }
  });

  it('reads sections, kinds, titles from headings, targets and defaults', () => {
    const text = `${FRONT}
## Preconditions
\`\`\`step
check: stack-healthy
\`\`\`
## Steps
### 1. Kill it
\`\`\`step
id: k
fault: { kind: primary-db-kill }
within: 2s
\`\`\`
\`\`\`yaml
not: a step
\`\`\`
\`\`\`step
wait: primary-changed
\`\`\`
\`\`\`step
wait: 1500ms
\`\`\`
\`\`\`step
process: { component: api@us-east, action: pause }
\`\`\`
\`\`\`step
confirm: Paged?
\`\`\`
## Expected outcome
\`\`\`step
check: epoch >= 2
\`\`\`
## Rollback
\`\`\`step
heal: k
\`\`\`
`;
    const { value, issues } = parseRunbook(text, 'x.md');
    expect(issues).toEqual([]);
    const rb = value!;
    expect(rb.meta.stack.primary).toBe('us-east');
    expect(rb.meta.load.rate).toBe(50);
    expect(rb.preconditions.map((s) => s.kind)).toEqual(['check']);
    expect(rb.steps.map((s) => s.kind)).toEqual(['fault', 'wait', 'wait', 'process', 'confirm']);
    expect(rb.steps[0]).toMatchObject({ title: 'Kill it', id: 'k', withinMs: 2000, line: 12 });
    expect(rb.steps[1]).toMatchObject({ condition: { kind: 'primary-changed' }, timeoutMs: 30_000 });
    expect(rb.steps[2]).toMatchObject({ condition: null, durationMs: 1500 });
    expect(rb.expected[0]).toMatchObject({ condition: { kind: 'epoch', op: '>=', value: 2 } });
    expect(rb.rollback[0]).toMatchObject({ kind: 'heal', faultId: 'k' });
  });

  it('names the line and column of an unknown key, with a suggestion', () => {
    const text = `${FRONT}## Steps\n\`\`\`step\nwait: primary-changed\ntimout: 5s\n\`\`\`\n`;
    const { value, issues } = parseRunbook(text, 'bad.md');
    expect(value).toBeUndefined();
    expect(issues).toHaveLength(1);
    expect(issues[0]).toMatchObject({ line: 8, col: 1 });
    expect(issues[0]!.message).toContain('did you mean `timeout`');
  });

  it('rejects unknown front matter keys, bad conditions, unknown regions, dangling heals and stray blocks', () => {
    const text = `---
name: t
targets: { rto_s: 10, rpo_s: 0 }
---
\`\`\`step
wait: 1s
\`\`\`
## Steps
\`\`\`step
check: primary == mars
\`\`\`
\`\`\`step
wait: epoch is high
\`\`\`
\`\`\`step
heal: nope
\`\`\`
\`\`\`step
fault: { kind: region-outage, target: { region: us-east } }
wait: 1s
\`\`\`
`;
    const { issues } = parseRunbook(text, 'bad.md');
    const lines = issues.map((i) => i.line);
    expect(lines).toEqual([5, 10, 13, 16, 19]);
    expect(issues[0]!.message).toMatch(/must sit under one of the headings/);
    expect(issues[1]!.message).toMatch(/region "mars"/);
    expect(issues[2]!.message).toMatch(/unknown condition/);
    expect(issues[3]!.message).toMatch(/no fault step before this one has id `nope`/);
    expect(issues[4]!.message).toMatch(/exactly one action/);
  });

  it('rejects an unknown front matter key at its line', () => {
    const { issues } = parseRunbook(
      `---\nname: t\ntargets: { rto_s: 1, rpo_s: 0 }\ncolour: blue\n---\n## Steps\n\`\`\`step\nwait: 1s\n\`\`\`\n`,
      'c.md',
    );
    expect(issues).toHaveLength(1);
    expect(issues[0]).toMatchObject({ line: 4, col: 1, path: 'colour' });
  });

  it('rejects sync-standby in an async runbook', () => {
    const runbook = (replication: string) =>
      `---\nname: t\ntargets: { rto_s: 1, rpo_s: 0 }\nstack: { regions: [us-east, eu-west], replication: ${replication} }\n---\n## Steps\n\`\`\`step\nwait: sync-standby(eu-west)\n\`\`\`\n`;
    expect(parseRunbook(runbook('sync'), 's.md').issues).toEqual([]);
    const { issues } = parseRunbook(runbook('async'), 'a.md');
    expect(issues).toHaveLength(1);
    expect(issues[0]).toMatchObject({ line: 8, path: 'wait' });
    expect(issues[0]!.message).toMatch(/sync-standby needs `replication: sync`/);
  });

  it('reports YAML syntax errors and missing targets at their line', () => {
    const { issues } = parseRunbook(`---\nname: t\n---\n## Steps\n\`\`\`step\nwait: [oops\n\`\`\`\n`, 'b.md');
    expect(issues.map((i) => [i.line, i.path])).toEqual(
      expect.arrayContaining([
        [2, 'targets'],
        [6, ''],
      ]),
    );
    expect(issues.find((i) => i.path === 'targets')!.message).toBe('is required');
  });

  it('needs a front matter and at least one step', () => {
    expect(parseRunbook('# nothing\n', 'e.md').issues[0]!.message).toMatch(/front matter/);
    expect(parseRunbook(FRONT, 'e.md').issues[0]!.message).toMatch(/no step under `## Steps`/);
  });
});

describe('parseCondition', () => {
  it('parses the grammar and explains what is wrong', () => {
    expect(parseCondition('role(eu-west) == standby')).toEqual({
      kind: 'role',
      region: 'eu-west',
      op: '==',
      role: 'standby',
    });
    expect(parseCondition('router-active != us-east')).toEqual({
      kind: 'router-active',
      op: '!=',
      region: 'us-east',
    });
    expect(parseCondition('success-rate >= 0.9')).toEqual({ kind: 'success-rate', op: '>=', value: 0.9 });
    expect(parseCondition('success-rate >= 2')).toMatch(/between 0 and 1/);
    expect(parseCondition('role(eu-west) == leader')).toMatch(/role must be one of/);
    expect(parseCondition('primary > us-east')).toMatch(/unknown condition/);
    expect(parseCondition('sync-standby(us-east)')).toEqual({ kind: 'sync-standby', region: 'us-east' });
    expect(parseCondition('sync-standby(us-east) == true')).toMatch(/unknown condition/);
  });
});
