import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parsePolicy } from '../src/index.js';
import { countParses } from '../src/syntax/parse.js';

const packageRoot = new URL('..', import.meta.url).pathname;

const everyConstruct = `
# A policy that uses every construct of the language once.
policy everything version "2.1"
mode terminate
max auto_replies 8
fact risk: number
fact tier: string
fact flags: list
fact account: object
fact anything: any
default continue

rule a priority 3: when content contains "x" then escalate "r" via slack timeout 10m else continue prompt "p {sender}"
rule b: when content contains any ["a", "b"] ignoring case then escalate and reset auto_replies
rule c: when content contains all ["a", "b"] then stop "done"
rule d: when content starts with "a" ignoring case or content ends with "z" then stop
rule e: when role equals "assistant" and sender == "bot" and source != "human" then continue with "ok"
rule f: when content matches /ERROR:|Traceback/i then escalate else stop
rule g: when step > 3 and step >= 4 and step < 10 and step <= 9 and elapsed > 5m then escalate else reply
rule h: when tool.name in ["refund", "transfer"] and tool.args.amount > 100 then escalate timeout 30s
rule i: when tool.name not in ["search"] and tool.args.items[0].price exists then stop
rule j: when not (is_termination or every 5 auto_replies) and auto_replies >= max_auto_replies then escalate
rule k: when tool.args["odd key"] == 3 and tool.args.case == true and risk > 2 and tier == "gold" then stop
rule l: when flags contains "vip" and account.level >= 2 and anything exists and code.languages contains "sh" then continue
`;

describe('the grammar', () => {
  it('is generated from grammar.ne, and regenerating it changes nothing', () => {
    const out = join(mkdtempSync(join(tmpdir(), 'handrail-grammar-')), 'grammar.generated.ts');
    execFileSync(join(packageRoot, 'node_modules/.bin/nearleyc'), [join(packageRoot, 'src/syntax/grammar.ne'), '-o', out]);
    expect(readFileSync(out, 'utf8')).toBe(readFileSync(join(packageRoot, 'src/syntax/grammar.generated.ts'), 'utf8'));
  });

  it('parses every construct in exactly one way', () => {
    expect(countParses(everyConstruct)).toBe(1);
    const policy = parsePolicy(everyConstruct);
    expect(policy.name.name).toBe('everything');
    expect(policy.version?.value).toBe('2.1');
    expect(policy.statements.filter((s) => s.kind === 'rule')).toHaveLength(12);
    expect(policy.comments[0]?.text).toBe('# A policy that uses every construct of the language once.');
  });

  it('parses the presets and the example policies in exactly one way', () => {
    for (const name of ['always', 'never', 'terminate']) {
      expect(countParses(readFileSync(join(packageRoot, 'presets', `${name}.policy`), 'utf8'))).toBe(1);
    }
  });

  it('binds and tighter than or, and not tightest', () => {
    const policy = parsePolicy('policy p\nrule r: when not is_termination and step > 1 or step < 0 then stop');
    const rule = policy.statements[0] as Extract<(typeof policy.statements)[number], { kind: 'rule' }>;
    expect(rule.when.kind).toBe('or');
    const left = (rule.when as { left: { kind: string; left: { kind: string } } }).left;
    expect(left.kind).toBe('and');
    expect(left.left.kind).toBe('not');
  });

  it('records where each node is', () => {
    const policy = parsePolicy('policy p\n\nrule late:\n  when content contains "x"\n  then stop');
    const rule = policy.statements[0] as Extract<(typeof policy.statements)[number], { kind: 'rule' }>;
    expect(rule.name.span).toMatchObject({ line: 3, col: 6, length: 4 });
    expect(rule.when.span).toMatchObject({ line: 4, col: 8 });
  });
});
