// lintPolicy: each finding where it belongs, none where it does not, and silencing on one line.
import { describe, expect, it } from 'vitest';
import { formatFinding, lintPolicy, PolicyError, type LintFinding } from '../src/index.js';

/** The findings of a policy's rules, as `CODE line:col`. */
function codes(source: string): string[] {
  return lintPolicy(source, { file: 't.policy' }).map((f) => `${f.code} ${f.span.line}:${f.span.col}`);
}

function only(source: string): LintFinding {
  const findings = lintPolicy(source, { file: 't.policy' });
  expect(findings).toHaveLength(1);
  return findings[0]!;
}

describe('UNREACHABLE_RULE', () => {
  it('reports a rule whose condition implies an earlier rule of the same action', () => {
    const finding = only('policy p\nrule a: when step > 3 then stop\nrule b: when step > 5 then stop');
    expect(finding.code).toBe('UNREACHABLE_RULE');
    expect(finding.span).toMatchObject({ line: 3, col: 6, length: 1 });
    expect(finding.message).toContain('rule a (line 2) holds too and wins (it comes first in the policy)');
  });

  it('follows the resolution order: stop beats escalate, then priority, then file order', () => {
    // The stop comes later in the file but still wins.
    expect(only('policy p\nrule ask: when content contains "rm -rf /" then escalate\nrule halt: when content contains "rm -rf" then stop').message).toContain(
      'rule halt (line 3) holds too and wins (a stop beats an escalation whatever the priority)',
    );
    expect(only('policy p\nrule a: when role == "tool" and step > 2 then escalate\nrule b priority 2: when role == "tool" then escalate').message).toContain(
      'it has priority 2 and this rule 1',
    );
    // The broader rule ranks later: both can decide.
    expect(codes('policy p\nrule narrow: when step > 5 then stop\nrule broad: when step > 3 then stop')).toEqual([]);
    // A continue never beats an escalation, so the escalation of the same condition is fine.
    expect(codes('policy p\nrule ok: when role == "tool" then continue\nrule ask: when role == "tool" then escalate')).toEqual(['UNREACHABLE_RULE 2:6']);
  });

  it('reasons through and, or, not, lists, text and numbers', () => {
    const unreachable = [
      'rule a: when tool.name in ["refund", "transfer"] then escalate\nrule b: when tool.name == "refund" and tool.args.amount > 10 then escalate',
      'rule a: when content starts with "DEPLOY" then escalate\nrule b: when content starts with "DEPLOY prod" or content == "DEPLOY" then escalate',
      'rule a: when content contains "secret" ignoring case then escalate\nrule b: when content contains "TOP SECRET" then escalate',
      'rule a: when not role == "user" then escalate\nrule b: when role == "tool" then escalate',
      'rule a: when step >= 10 or role == "tool" then escalate\nrule b: when step > 20 then escalate',
      'rule a: when step > 3 then escalate\nrule b: when (step == 5 or step == 9) and role == "tool" then escalate',
      'rule a: when error exists then escalate\nrule b: when error contains "timeout" then escalate',
    ];
    for (const rules of unreachable) expect(codes(`policy p\n${rules}`), rules).toEqual(['UNREACHABLE_RULE 3:6']);
    const reachable = [
      'rule a: when tool.name in ["refund", "transfer"] then escalate\nrule b: when tool.name == "delete" then escalate',
      'rule a: when content contains "SECRET" then escalate\nrule b: when content contains "secret" ignoring case then escalate',
      'rule a: when not role == "tool" then escalate\nrule b: when role == "tool" then escalate',
      'rule a: when step > 3 and role == "tool" then escalate\nrule b: when step > 5 then escalate',
      'rule a: when step > 3 then escalate\nrule b: when step == 2 or step == 9 then escalate',
      'rule a: when not error exists then escalate\nrule b: when not error contains "x" then escalate',
    ];
    for (const rules of reachable) expect(codes(`policy p\n${rules}`), rules).toEqual([]);
  });

  it('names a preset rule that always beats a rule of the file', () => {
    const finding = only('policy p\nmode never\nrule last: when auto_replies >= max_auto_replies and step > 1 then escalate');
    expect(finding.code).toBe('UNREACHABLE_RULE');
    expect(finding.message).toContain('rule never.limit_reached (from `mode never`) holds too and wins (a stop beats an escalation');
  });
});

describe('IMPOSSIBLE_CONDITION', () => {
  it('reports tests of one field that cannot hold together, at the later test', () => {
    const finding = only('policy p\nrule r: when tool.args.amount > 10 and tool.args.amount < 5 then stop');
    expect(finding).toMatchObject({ code: 'IMPOSSIBLE_CONDITION', span: { line: 2, col: 40 } });
    expect(finding.message).toBe(
      '`tool.args.amount < 5` can never hold together with `tool.args.amount > 10`, so rule r never fires; correct the values, or join the tests with `or` if either should do',
    );
    const impossible = [
      'tool.args.x == "a" and tool.args.x == "b"',
      'tool.args.x == 5 and tool.args.x > 7',
      'tool.args.x > 7 and tool.args.x in [1, 2, 3]',
      'step >= 5 and step < 5',
      'content starts with "GET" and content starts with "POST"',
      'content ends with "!" and content ends with "?"',
      'error == "timeout" and error contains "refused"',
      'error == "timeout" and error matches /^refused/',
      'not error exists and error contains "x"',
      'is_termination and not is_termination',
      'step > 3 and not step > 1',
    ];
    for (const condition of impossible) expect(codes(`policy p\nrule r: when ${condition} then stop`), condition).toEqual([`IMPOSSIBLE_CONDITION 2:${condition.lastIndexOf(' and ') + 19}`]);
  });

  it('stays quiet where the tests can hold together, or where it cannot tell', () => {
    const possible = [
      'tool.args.x > 10 and tool.args.x < 50',
      'tool.args.x >= 5 and tool.args.x <= 5',
      'tool.args.x == "5" and tool.args.x == 5',
      'tool.args.x == "5" and tool.args.x == "5.0"',
      'content starts with "GET" and content starts with "GET /"',
      'content starts with "get" ignoring case and content starts with "GET"',
      'tool.args.x == 5 and tool.args.x starts with "5"',
      'not step > 5 and step < 3',
      'step > auto_replies and step < 2',
      'content == "a" or content == "b"',
    ];
    for (const condition of possible) expect(codes(`policy p\nrule r: when ${condition} then stop`), condition).toEqual([]);
  });

  it('reports an impossible part inside an or, saying only that part never holds', () => {
    const finding = only('policy p\nrule r: when content contains "x" or (step > 3 and step < 2) then stop');
    expect(finding.message).toContain('so this `and` never holds');
  });
});

describe('DUPLICATE_CONDITION and IDENTICAL_RULES', () => {
  it('reports a condition repeated in one and or or, however it is spelled', () => {
    expect(codes('policy p\nrule r: when content contains "X" ignoring case or step > 3 or content contains "x" ignoring case then stop')).toEqual([
      'DUPLICATE_CONDITION 2:64',
    ]);
    expect(codes('policy p\nrule r: when tool.args["amount"] > 3 and (tool.args.amount > 3) then stop')).toEqual(['DUPLICATE_CONDITION 2:42']);
    expect(codes('policy p\nrule r: when content contains "x" and content contains "X" then stop')).toEqual([]);
  });

  it('reports the second of two rules with the same condition and action', () => {
    const finding = only('policy p\nrule a: when step > 3 then stop "late"\nrule b: when step > 3 then stop "late"');
    expect(finding).toMatchObject({ code: 'IDENTICAL_RULES', span: { line: 3, col: 6 } });
    // Another action makes it a rule that never decides instead.
    expect(codes('policy p\nrule a: when step > 3 then stop "late"\nrule b: when step > 3 then stop "later"')).toEqual(['UNREACHABLE_RULE 3:6']);
  });
});

describe('REGEX_MATCHES_EMPTY', () => {
  it('reports a regex that matches the empty text, at the regex', () => {
    for (const regex of ['/a*/', '/(ERROR)?/', '/x|/', '/(?:)/', '/(a|b*)/i', '/\\d{0,3}/']) {
      const finding = only(`policy p\nrule r: when content matches ${regex} then stop`);
      expect(finding.code, regex).toBe('REGEX_MATCHES_EMPTY');
      expect(finding.span, regex).toMatchObject({ line: 2, col: 30, length: regex.length });
    }
  });

  it('stays quiet on a regex that needs a character, or needs the text to be empty or at a boundary', () => {
    for (const regex of ['/a+/', '/^$/', '/\\b/', '/^\\s*$/', '/ERROR:\\s*/', '/(a|b)+c?/']) expect(codes(`policy p\nrule r: when content matches ${regex} then stop`), regex).toEqual([]);
  });
});

describe('preset rules', () => {
  it('reports a file rule that keeps a preset rule from ever deciding, at the file rule', () => {
    const finding = only('policy p\nmode terminate\nrule finished: when is_termination then stop "done"');
    expect(finding).toMatchObject({ code: 'SHADOWED_PRESET_RULE', span: { line: 3, col: 6 } });
    expect(finding.message).toContain('keeps rule terminate.ask_on_termination (from `mode terminate`) from ever deciding');
    // Of the same action and priority, the file's rule comes first.
    expect(codes('policy p\nmode never\nrule end: when auto_replies >= max_auto_replies then stop "limit"')).toEqual(['SHADOWED_PRESET_RULE 3:6']);
    // An escalation does not beat the preset's stop.
    expect(codes('policy p\nmode never\nrule ask: when is_termination then escalate')).toEqual(['UNREACHABLE_RULE 3:6']);
    expect(codes('policy p\nmode terminate\nrule review: when content contains "NEEDS_REVIEW" then escalate')).toEqual([]);
  });

  it('reports a file rule named like a preset rule, which does not replace it', () => {
    const finding = only('policy p\nmode terminate\nrule ask_at_limit: when step > 50 then escalate');
    expect(finding.code).toBe('PRESET_RULE_NAME');
    expect(finding.message).toContain('does not replace rule terminate.ask_at_limit (from `mode terminate`)');
  });
});

describe('UNTYPED_ARGUMENT', () => {
  const tools = 'tool refund(order: string, amount: number)\ntool send_email(to: string, ...)\n';

  it('is silent while the policy declares no tools, and on arguments the declarations type', () => {
    expect(codes('policy p\nrule big: when tool.args.amount > 100 then escalate')).toEqual([]);
    expect(codes(`policy p\n${tools}rule big: when tool.name == "refund" and tool.args.amount > 100 then escalate`)).toEqual([]);
    expect(codes(`policy p\n${tools}rule big: when tool.args.amount > 100 and tool.name == "refund" then escalate`)).toEqual([]);
  });

  it('reports a number compared on an argument of an undeclared or open-ended tool, at the argument', () => {
    const undeclared = only(`policy p\n${tools}rule big: when tool.name == "transfer" and tool.args.amount > 100 then escalate`);
    expect(undeclared).toMatchObject({ code: 'UNTYPED_ARGUMENT', span: { line: 4, col: 44, length: 16 } });
    expect(undeclared.message).toBe(
      'tool.args.amount is compared as a number, but tool transfer has no declaration; declare it with its arguments: `tool transfer(amount: number)`',
    );
    expect(only(`policy p\n${tools}rule many: when tool.name == "send_email" and tool.args.count >= 3 then escalate`).message).toBe(
      'tool.args.count is compared as a number, but tool send_email does not declare it (its `...` lets calls carry anything); add `count: number` to its declaration',
    );
    // Naming no tool, the open-ended tool is among those the test can be about.
    expect(codes(`policy p\n${tools}rule big: when tool.args.amount > 100 then escalate`)).toEqual(['UNTYPED_ARGUMENT 4:16']);
    expect(codes(`policy p\n${tools}rule big: when every 3 tool.args.retries and tool.name == "send_email" then escalate`)).toEqual(['UNTYPED_ARGUMENT 4:24']);
  });
});

describe('silencing', () => {
  const unreachable = 'rule a: when step > 3 then stop\nrule b: when step > 5 then stop';

  it('silences a finding with # handrail-ignore CODE at the end of its line or alone on the line above', () => {
    expect(codes(`policy p\nrule a: when step > 3 then stop\nrule b: when step > 5 then stop  # handrail-ignore UNREACHABLE_RULE`)).toEqual([]);
    const twice = 'rule a: when step > 3 then stop\nrule b: when step > 5 and step > 5 then stop';
    expect(codes(`policy p\n${twice}`)).toEqual(['UNREACHABLE_RULE 3:6', 'DUPLICATE_CONDITION 3:27']);
    expect(codes(`policy p\nrule a: when step > 3 then stop\n  # handrail-ignore UNREACHABLE_RULE, DUPLICATE_CONDITION\nrule b: when step > 5 and step > 5 then stop`)).toEqual([]);
    expect(codes(`policy p\nrule a: when step > 3 then stop\n# handrail-ignore DUPLICATE_CONDITION\nrule b: when step > 5 and step > 5 then stop`)).toEqual(['UNREACHABLE_RULE 4:6']);
    expect(codes(`policy p\n${unreachable}`)).toEqual(['UNREACHABLE_RULE 3:6']);
  });

  it('does not let an ignore at the end of a line silence the line below', () => {
    expect(codes('policy p\nrule a: when step > 3 then stop # handrail-ignore UNREACHABLE_RULE\nrule b: when step > 5 then stop')).toEqual([
      'UNUSED_IGNORE 2:33',
      'UNREACHABLE_RULE 3:6',
    ]);
  });

  it('reports an ignore that names no code, or a code that is not one', () => {
    const findings = lintPolicy(`policy p\n${unreachable} # handrail-ignore UNREACHABLE_RULES`);
    expect(findings.map((f) => f.code)).toEqual(['UNREACHABLE_RULE', 'UNUSED_IGNORE']);
    expect(findings[1]!.message).toMatch(/^UNREACHABLE_RULES is not a lint code; the codes are UNREACHABLE_RULE, /);
    expect(lintPolicy('policy p # handrail-ignore')[0]!.message).toBe('name the code to silence: `# handrail-ignore UNREACHABLE_RULE`');
  });
});

describe('lintPolicy', () => {
  it('throws the PolicyError of a policy that does not compile', () => {
    expect(() => lintPolicy('policy p\nrule r: when contnet contains "x" then stop')).toThrow(PolicyError);
  });

  it('prints a finding as a code frame with its code', () => {
    const source = 'policy p\nrule r: when step > 10 and step < 5 then stop\n';
    const [finding] = lintPolicy(source, { file: 'p.policy' });
    expect(formatFinding(finding!, source, 'p.policy')).toBe(
      [
        'p.policy:2:28: warning IMPOSSIBLE_CONDITION: `step < 5` can never hold together with `step > 10`, so rule r never fires; correct the values, or join the tests with `or` if either should do',
        '  1 | policy p',
        '> 2 | rule r: when step > 10 and step < 5 then stop',
        '    |                            ^^^^^^^^',
      ].join('\n'),
    );
  });

  it('treats conditions it does not understand as opaque: equal only to themselves', () => {
    // A fact whose type lint cannot see through: the comparisons with another fact are opaque.
    expect(codes('policy p\nrule a: when step > auto_replies then stop\nrule b: when step > auto_replies and role == "tool" then stop')).toEqual(['UNREACHABLE_RULE 3:6']);
    expect(codes('policy p\nrule a: when step > auto_replies then stop\nrule b: when step > max_auto_replies then stop')).toEqual([]);
  });
});
