// Errors that say how to fix: what a policy author sees for the common slips, code frame and all.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { compilePolicy, PolicyError } from '../src/index.js';

function frame(source: string): string {
  try {
    compilePolicy(source, { file: 'p.policy' });
  } catch (error) {
    if (PolicyError.isInstance(error)) return error.format();
    throw error;
  }
  throw new Error('expected the policy to be refused');
}

const topLevel = ['"rule"', '"mode"', '"max"', '"fact"', '"default"'];

describe('a slip in a policy is refused with how to fix it', () => {
  it('a misspelt fact: did you mean the known one', () => {
    expect(frame('policy p\nrule r: when steps > 3 then stop')).toBe(
      [
        'p.policy:2:14: error UNKNOWN_FACT: unknown fact "steps"; did you mean "step"? (or declare custom facts with `fact steps: string`)',
        '  1 | policy p',
        '> 2 | rule r: when steps > 3 then stop',
        '    |              ^^^^^',
        '  expected one of: content, role, sender, source, tool, error, step, auto_replies, max_auto_replies, is_termination, elapsed, tokens, history, code',
      ].join('\n'),
    );
  });

  it('a misspelt field, mode, type or counter: did you mean', () => {
    expect(frame('policy p\nrule r: when tool.nmae == "x" then stop')).toContain('p.policy:2:18: error UNKNOWN_FACT: tool has no field "nmae"; did you mean "name"?');
    expect(frame('policy p\nmode termnate')).toContain('p.policy:2:6: error UNKNOWN_PRESET: unknown mode "termnate"; did you mean "terminate"?');
    expect(frame('policy p\nfact risk: nubmer')).toContain('p.policy:2:12: error UNKNOWN_TYPE: unknown fact type "nubmer"; did you mean "number"?');
    expect(frame('policy p\ntool refund(amount: numbr)')).toContain('p.policy:2:21: error UNKNOWN_TYPE: unknown argument type "numbr"; did you mean "number"?');
    expect(frame('policy p\nrule r: when step > 1 then stop and reset auto_reply')).toContain('UNKNOWN_COUNTER: unknown counter "auto_reply"; did you mean "auto_replies"?');
    // Nothing close: no guess.
    expect(frame('policy p\nrule r: when banana > 3 then stop')).toContain('unknown fact "banana"; declare custom facts with `fact banana: string`');
  });

  it('a misspelt keyword or operator: did you mean the word the grammar expects', () => {
    expect(frame('policy p\nrule r: when content contains "x" then stpo')).toBe(
      [
        'p.policy:2:40: error UNEXPECTED_TOKEN: unexpected "stpo"; did you mean "stop"?',
        '  1 | policy p',
        '> 2 | rule r: when content contains "x" then stpo',
        '    |                                        ^^^^',
        '  expected one of: "continue", "escalate", "stop"',
      ].join('\n'),
    );
    expect(frame('policy p\nrule r: when content contains "x" thne stop')).toContain('UNEXPECTED_TOKEN: unexpected "thne"; did you mean "then"?');
    expect(frame('policy p\nrule r: when content containz "x" then stop')).toContain('UNKNOWN_OPERATOR: unknown operator "containz"; did you mean "contains"?');
    expect(frame('policy p\nrule r: when content = "x" then stop')).toContain('p.policy:2:22: error INVALID_TOKEN: unexpected character "="; did you mean "=="?');
    // A statement begins a line: there, the statements are what is expected.
    const next = frame('policy p\nrule a: when step > 1 then stop\nrul b: when step > 2 then stop');
    expect(next).toContain('p.policy:3:1: error UNEXPECTED_TOKEN: unexpected "rul"; did you mean "rule"?');
    expect(next).toContain('"rule"');
  });

  it('a field that is not true or false, alone as a condition: did you mean exists', () => {
    expect(frame('policy p\nrule r: when error then escalate "a tool failed"')).toBe(
      [
        'p.policy:2:14: error TYPE_MISMATCH: error is text, not true or false, so it is no condition on its own; did you mean `error exists`?',
        '  1 | policy p',
        '> 2 | rule r: when error then escalate "a tool failed"',
        '    |              ^^^^^',
      ].join('\n'),
    );
    expect(frame('policy p\nrule r: when tokens.total and step > 1 then stop')).toContain('tokens.total is a number, not true or false, so it is no condition on its own; did you mean `tokens.total exists`?');
    expect(() => compilePolicy('policy p\nrule r: when is_termination then stop')).not.toThrow();
  });

  it('a number with a unit: numbers have none, durations are written 15m', () => {
    expect(frame('policy p\nrule r: when tool.args.amount > 50EUR then stop')).toBe(
      [
        'p.policy:2:33: error INVALID_TOKEN: numbers have no units; write 50 (durations are written like 15m)',
        '  1 | policy p',
        '> 2 | rule r: when tool.args.amount > 50EUR then stop',
        '    |                                 ^^^^^',
      ].join('\n'),
    );
    expect(frame('policy p\nrule r: when step > 1 then escalate timeout 15min else stop')).toBe(
      [
        'p.policy:2:45: error INVALID_TOKEN: numbers have no units; durations are written 15m',
        '  1 | policy p',
        '> 2 | rule r: when step > 1 then escalate timeout 15min else stop',
        '    |                                             ^^^^^',
      ].join('\n'),
    );
    expect(frame('policy p\nrule r: when elapsed > 2hours then stop')).toContain('p.policy:2:24: error INVALID_TOKEN: numbers have no units; durations are written 2h');
    expect(frame('policy p\nrule r: when elapsed > 1.5h then stop')).toContain('durations are written as a whole number and ms, s, m, h or d, such as 90s');
  });

  it('a "/" inside a regex: escape it, pointing at the "/" that ended the regex', () => {
    expect(frame('policy p\nrule r: when tool.args.path matches /^/etc/ then stop')).toBe(
      [
        'p.policy:2:39: error INVALID_REGEX: this "/" ends the regular expression; escape "/" inside a regular expression as "\\/": write /^\\/etc/',
        '  1 | policy p',
        '> 2 | rule r: when tool.args.path matches /^/etc/ then stop',
        '    |                                       ^',
      ].join('\n'),
    );
    expect(frame('policy p\nrule r: when content matches /usr/local/bin/i then stop')).toContain('p.policy:2:34: error INVALID_REGEX: this "/" ends the regular expression; escape "/" inside a regular expression as "\\/": write /usr\\/local\\/bin/i');
    // A wrong flag is still a wrong flag.
    expect(frame('policy p\nrule r: when content matches /a/g then stop')).toContain('INVALID_REGEX: the flag "g" is not allowed here');
  });

  it('a keyword used where it has no meaning: where it belongs, and what could continue the rule', () => {
    expect(frame('policy p\nrule r: when content contains "DONE" then stop "x" else continue')).toBe(
      [
        'p.policy:2:52: error UNEXPECTED_TOKEN: "else" belongs to escalate',
        '  1 | policy p',
        '> 2 | rule r: when content contains "DONE" then stop "x" else continue',
        '    |                                                    ^^^^',
        '  expected "and"',
      ].join('\n'),
    );
    expect(frame('policy p\nrule r: when step > 1\n  then continue timeout 10m')).toContain('p.policy:3:17: error UNEXPECTED_TOKEN: "timeout" belongs to escalate');
  });

  it('a statement that begins before the one above is finished: says so, and what it lacks', () => {
    expect(frame('policy p\nrule r: when content contains "x"\nrule s: when step > 1 then stop')).toBe(
      [
        'p.policy:3:1: error UNEXPECTED_TOKEN: "rule" begins a statement, but the one before it is not finished',
        '  2 | rule r: when content contains "x"',
        '> 3 | rule s: when step > 1 then stop',
        '    | ^^^^',
        '  expected one of: "ignoring", "and", "or", "then", "over"',
      ].join('\n'),
    );
  });

  it('in the middle of a rule, never lists the keywords that begin a statement', () => {
    for (const source of [
      'policy p\nrule r: when content contains "x" then stop "x" else continue',
      'policy p\nrule r: when content contains "x" then stop "x" reset auto_replies',
      'policy p\nrule r: when content contains "x" then escalate "x" 10m',
      'policy p\nrule r: when content contains "x" then continue with',
      'policy p\nrule r: when content contains then stop',
    ]) {
      const shown = frame(source);
      expect(shown).toMatch(/\n {2}expected /);
      for (const keyword of topLevel) expect(shown.slice(shown.indexOf('\n  expected'))).not.toContain(keyword);
    }
  });
});

describe('docs/policy-language.md, messages that say how to fix', () => {
  const doc = readFileSync(new URL('../../../docs/policy-language.md', import.meta.url), 'utf8');
  const pairs = [...doc.matchAll(/```policy-error\n([\s\S]*?)```\n\n```text\n([\s\S]*?)```/g)].map((match) => [match[1]!.trimEnd(), match[2]!.trimEnd()] as const);

  it('has an example of each message', () => {
    expect(pairs.length).toBeGreaterThanOrEqual(8);
  });

  it.each(pairs)('%s prints the frame the docs show', (source, shown) => {
    let printed = '';
    try {
      compilePolicy(source, { file: 'shop.policy' });
    } catch (error) {
      if (!PolicyError.isInstance(error)) throw error;
      printed = error.format();
    }
    expect(printed).toBe(shown);
  });
});
