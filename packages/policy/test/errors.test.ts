import { describe, expect, it } from 'vitest';
import { compilePolicy, loadPolicy, PolicyError, type PolicyErrorCode } from '../src/index.js';

function failure(source: string): PolicyError {
  try {
    compilePolicy(source, { file: 'broken.policy' });
  } catch (error) {
    if (PolicyError.isInstance(error)) return error;
    throw error;
  }
  throw new Error('expected the policy to be refused');
}

const cases: Array<[string, PolicyErrorCode, number, number, string]> = [
  ['policy p\nrule r: when content containz "x" then stop', 'UNKNOWN_OPERATOR', 2, 22, '"contains"'],
  ['policy p\nrule r: when then stop', 'UNEXPECTED_TOKEN', 2, 14, '"not"'],
  ['policy p\nrule r: when content contains "x" then', 'UNEXPECTED_END', 2, 39, '"escalate"'],
  ['policy p\nrule r: when content contains "x then stop', 'INVALID_TOKEN', 2, 31, ''],
  ['policy p\nrule r: when content contains "x" then stop @', 'INVALID_TOKEN', 2, 45, ''],
  ['policy p\nrule r: when contnet contains "x" then stop', 'UNKNOWN_FACT', 2, 14, 'content'],
  ['policy p\nrule r: when tool.nmae == "x" then stop', 'UNKNOWN_FACT', 2, 18, 'name'],
  ['policy p\nmode sometimes', 'UNKNOWN_PRESET', 2, 6, 'terminate'],
  ['policy p\nrule r: when step > 1 then stop\nrule r: when step > 2 then stop', 'DUPLICATE_RULE', 3, 6, ''],
  ['policy p\nrule r: when step > "three" then stop', 'TYPE_MISMATCH', 2, 21, ''],
  ['policy p\nrule r: when content > 3 then stop', 'TYPE_MISMATCH', 2, 22, ''],
  ['policy p\nrule r: when role == "robot" then stop', 'INVALID_VALUE', 2, 22, '"assistant"'],
  ['policy p\nrule r: when content matches /a(b/ then stop', 'INVALID_REGEX', 2, 30, ''],
  ['policy p\nrule r: when content matches /a/g then stop', 'INVALID_REGEX', 2, 30, ''],
  ['policy p\nrule r: when content matches /(?<=a)b/ then stop', 'INVALID_REGEX', 2, 30, ''],
  ['policy p\nrule r: when content matches /(a+)+b/ then stop', 'UNSAFE_REGEX', 2, 30, ''],
  ['policy p\nrule r: when content matches /(a|ab)*c/ then stop', 'UNSAFE_REGEX', 2, 30, ''],
  ['policy p\nrule r: when step > 1 then stop and reset steps', 'UNKNOWN_COUNTER', 2, 43, 'auto_replies'],
  ['policy p\nfact content: string', 'DUPLICATE_FACT', 2, 6, ''],
  ['policy p\nfact risk: float', 'UNKNOWN_TYPE', 2, 12, 'number'],
  ['policy p\nmax auto_replies 3\nmax auto_replies 4', 'DUPLICATE_SETTING', 3, 1, ''],
  ['policy p\nrule r: when step > 1 then escalate timeout 1m timeout 2m', 'DUPLICATE_OPTION', 2, 48, ''],
  ['policy p\nrule r: when every 0 step then stop', 'INVALID_VALUE', 2, 20, ''],
  ['policy p\nrule r: when tool.args["a.b"] == 1 then stop', 'INVALID_VALUE', 2, 23, ''],
  ['policy p\nrule r: when step > 1 then stop and reset auto_replies and reset auto_replies', 'DUPLICATE_OPTION', 2, 66, ''],
  ['policy p\nrule r: when content contains "\\u12" then stop', 'INVALID_TOKEN', 2, 31, ''],
  ['policy p\nfact meta: any\nrule r: when meta.amount > 100 then stop', 'TYPE_MISMATCH', 3, 18, 'fact meta: object'],
  ['policy p\nrule r: when content matches /a^b/m then stop', 'INVALID_REGEX', 3 - 1, 30, ''],
  ['policy p\nrule r: when content contains "a\tb" then stop', 'INVALID_TOKEN', 2, 33, 'write \\t'],
  ['policy p\nrule r: when content == "a\u0000b\r" then stop', 'INVALID_TOKEN', 2, 27, 'write \\u0000'],
  [`policy p\nrule r: when step > ${'9'.repeat(400)} then stop`, 'INVALID_VALUE', 2, 21, 'too large'],
  ['policy p\nrule r: when step > -9007199254740992 then stop', 'INVALID_VALUE', 2, 21, 'too large'],
  [`policy p\nrule r: when tool.args[${'9'.repeat(30)}] == 1 then stop`, 'INVALID_VALUE', 2, 24, 'too large'],
  ['policy p\nrule r: when step > 1 then escalate timeout 99999999999999999999d', 'INVALID_VALUE', 2, 45, '365d'],
  ['policy p\nrule r: when step > 1 then escalate timeout 8761h', 'INVALID_VALUE', 2, 45, '365d'],
  ['policy p\nrule r: when elapsed > 366d then stop', 'INVALID_VALUE', 2, 24, '365d'],
  [`policy p\nrule r: when ${'('.repeat(3000)}step > 1 then stop`, 'TOO_DEEP', 2, 270, 'at most 64'],
  [`policy p\nrule r: when ${'not '.repeat(3000)}step > 1 then stop`, 'TOO_DEEP', 2, 1038, 'at most 64'],
  [`policy p\nrule r: when ${'not ('.repeat(3000)}step > 1 then stop`, 'TOO_DEEP', 2, 654, 'at most 64'],
];

describe('a broken policy', () => {
  it.each(cases)('%j is refused with %s at %i:%i', (source, code, line, col, expected) => {
    const error = failure(source);
    const [first] = error.diagnostics;
    expect(first).toMatchObject({ code, span: { line, col } });
    const frame = error.format();
    expect(frame).toContain(`broken.policy:${line}:${col}: error ${code}`);
    expect(frame).toMatch(/\n\s+\| +\^+/);
    expect(frame).not.toMatch(/\n\s+at /);
    if (expected) expect(frame).toContain(expected);
  });

  it('refuses conditions nested deeper than the compiler walks, and frames long lines in a window', () => {
    const error = failure(`policy p\nrule r: when ${'not '.repeat(200)}step > 1 then stop`);
    expect(error.diagnostics[0]).toMatchObject({ code: 'TOO_DEEP', span: { line: 2, col: 14 } });
    const frame = error.format();
    expect(frame).toContain('broken.policy:2:14: error TOO_DEEP: the condition nests 201 levels deep; at most 64 are allowed');
    for (const line of frame.split('\n')) expect(line.length).toBeLessThan(140);
    expect(frame).toContain('> 2 | rule r: when not not');
    expect(frame).toMatch(/\n\s+\|\s{14}\^+$/m);
  });

  it('reports every problem, not only the first', () => {
    const error = failure('policy p\nrule a: when contnet contains "x" then stop\nrule a: when step > "1" then stop');
    expect(error.diagnostics.map((d) => d.code)).toEqual(['UNKNOWN_FACT', 'DUPLICATE_RULE', 'TYPE_MISMATCH']);
  });

  it('prints a code frame with the lines around the error and what was expected', () => {
    const error = failure('policy p\n# a comment\nrule r: when content containz "x" then stop\n');
    expect(error.format()).toBe(
      [
        'broken.policy:3:22: error UNKNOWN_OPERATOR: unknown operator "containz"; did you mean "contains"?',
        '  2 | # a comment',
        '> 3 | rule r: when content containz "x" then stop',
        '    |                      ^^^^^^^^',
        `  expected ${error.diagnostics[0]!.expected!.length > 1 ? 'one of: ' : ''}${error.diagnostics[0]!.expected!.join(', ')}`,
      ].join('\n'),
    );
  });

  it('is an error object with a code and the source', () => {
    const error = failure('policy p\nrule r: when x then stop');
    expect(error).toBeInstanceOf(Error);
    expect(error.name).toBe('PolicyError');
    expect(error.code).toBe('UNKNOWN_FACT');
    expect(error.message).toBe('broken.policy:2:14: unknown fact "x"; declare custom facts with `fact x: string`');
  });
});

describe('a broken compiled document', () => {
  it('points at the line and column of the JSON that is wrong', () => {
    const text = JSON.stringify({ format: 'handrail.policy/v1', name: 'p', rules: [{ name: 'r', conditions: { all: [{ fact: 'content', operator: 'textContainz', value: 'x' }] }, event: { type: 'stop', params: { reason: 'x' } } }] }, null, 2);
    try {
      loadPolicy(text, { file: 'p.json' });
      throw new Error('expected a failure');
    } catch (error) {
      if (!PolicyError.isInstance(error)) throw error;
      expect(error.diagnostics[0]).toMatchObject({ code: 'INVALID_COMPILED_POLICY', span: { line: 11, col: 25 } });
      expect(error.format()).toContain('p.json:11:25: error INVALID_COMPILED_POLICY: /rules/0/conditions/all/0/operator: must be one of the allowed values');
    }
  });

  it('refuses a timeout longer than 365 days, at the line of the timeout', () => {
    const escalation = (timeoutMs: number) => ({ format: 'handrail.policy/v1', name: 'p', rules: [{ name: 'r', conditions: { all: [{ fact: 'step', operator: 'numberAbove', value: 1 }] }, event: { type: 'escalate', params: { reason: 'x', timeoutMs } } }] });
    expect(() => loadPolicy(JSON.stringify(escalation(365 * 86_400_000)))).not.toThrow();
    const text = JSON.stringify(escalation(365 * 86_400_000 + 1), null, 2);
    try {
      loadPolicy(text, { file: 'p.json' });
      throw new Error('expected a failure');
    } catch (error) {
      if (!PolicyError.isInstance(error)) throw error;
      expect(error.format()).toMatch(/^p\.json:\d+:\d+: error INVALID_COMPILED_POLICY: \/rules\/0\/event\/params\/timeoutMs: must be <= 31536000000/);
    }
  });

  it('refuses unknown facts, unsafe regexes and a hash that does not match', () => {
    const base = { format: 'handrail.policy/v1', name: 'p', rules: [] as unknown[] };
    const rule = (condition: unknown) => ({ name: 'r', conditions: { all: [condition] }, event: { type: 'stop', params: { reason: 'x' } } });
    const codes = (document: unknown) => {
      try {
        loadPolicy(document as never);
        return [];
      } catch (error) {
        return (error as PolicyError).diagnostics.map((d) => d.code);
      }
    };
    expect(codes({ ...base, rules: [rule({ fact: 'contnet', operator: 'textContains', value: 'x' })] })).toEqual(['UNKNOWN_FACT']);
    expect(codes({ ...base, rules: [rule({ fact: 'content', operator: 'textMatches', value: { pattern: '(a*)*', flags: '' } })] })).toEqual(['UNSAFE_REGEX']);
    expect(codes({ ...base, hash: `sha256:${'0'.repeat(64)}` })).toEqual(['INVALID_COMPILED_POLICY']);
    expect(codes({ ...base, rules: [rule({ fact: 'step', operator: 'numberAbove', value: 'three' })] })).toEqual(['INVALID_COMPILED_POLICY']);
    let deep: unknown = { fact: 'step', operator: 'numberAbove', value: 1 };
    for (let i = 0; i < 5000; i++) deep = { not: deep };
    expect(codes({ ...base, rules: [rule(deep)] })).toEqual(['TOO_DEEP']);
  });
});
