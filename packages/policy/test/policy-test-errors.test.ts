// A test file with several problems reports them all at once, each positioned, whatever stage
// finds them (its shape, its names against the policy, the policy it names); and a turn of a
// conversation expects any fields of the decision, as the vitest matchers do.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compilePolicy, loadPolicyTestFile, parsePolicyTests, PolicyTestError, runPolicyTestSuite } from '../src/index.js';
import { handrail } from './run-handrail.js';

const policyText = `policy desk
fact tier: string
rule secrets: when content contains "password" then escalate "secret" else stop
rule done: when content == "bye" then stop "finished"
`;
const policy = compilePolicy(policyText, { file: 'desk.policy' });

// Line by line: an unknown property (3), an unknown rule (4), a misspelt fact (5), a second case
// named "a" (6), an expectation without a rule (7).
const broken = `{
  "cases": [
    { "name": "a", "turn": { "content": "x", "autoReply": 3 }, "expect": { "action": "continue", "rule": null } },
    { "name": "b", "turn": { "content": "password" }, "expect": { "action": "escalate", "rule": "secret" } },
    { "name": "c", "turn": { "content": "x", "facts": { "teir": "gold" } }, "expect": { "action": "continue", "rule": null } },
    { "name": "a", "turn": { "content": "bye" }, "expect": { "action": "stop", "rule": "done" } },
    { "name": "e", "turn": { "content": "bye" }, "expect": { "action": "stop" } }
  ]
}
`;

function problems(run: () => unknown): Array<{ code: string; at: string; message: string }> {
  try {
    run();
  } catch (error) {
    if (!PolicyTestError.isInstance(error)) throw error;
    return error.diagnostics.map((d) => ({ code: d.code, at: `${d.span.line}:${d.span.col}`, message: d.message }));
  }
  return [];
}

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'handrail-test-errors-'));
  for (const sub of ['broken', 'missing', 'both']) mkdirSync(join(dir, sub));
  writeFileSync(join(dir, 'broken', 'desk.policy'), policyText);
  writeFileSync(join(dir, 'broken', 'desk.policy.test.json'), broken);
  writeFileSync(join(dir, 'missing', 'desk.policy.test.json'), broken.replace('{\n  "cases"', '{\n  "policy": "nowhere.policy",\n  "cases"'));
  writeFileSync(join(dir, 'both', 'desk.policy'), 'policy desk\nrule r: when steps > 1 then stop\n');
  writeFileSync(join(dir, 'both', 'desk.policy.test.json'), broken);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('a test file with many problems', () => {
  const all = [
    { code: 'INVALID_TEST_FILE', at: '3:46', message: '/cases/0/turn: unknown property "autoReply"' },
    { code: 'UNKNOWN_RULE', at: '4:97', message: 'policy desk has no rule "secret"; did you mean "secrets"?' },
    { code: 'UNKNOWN_FACT', at: '5:57', message: 'policy desk declares no fact "teir"; did you mean "tier"?' },
    { code: 'INVALID_TEST_FILE', at: '6:15', message: '/cases/3/name: a case named "a" comes earlier (case 1); names tell failures apart' },
    { code: 'INVALID_TEST_FILE', at: '7:60', message: '/cases/4/expect: needs "rule"' },
  ];

  it('reports every problem at once, in the order of the file', () => {
    expect(problems(() => parsePolicyTests(broken, { policy, file: 'desk.policy.test.json' }))).toEqual(all);
  });

  it('reports them from a file too, with a policy that cannot be read among them', async () => {
    await expect(loadPolicyTestFile(join(dir, 'broken', 'desk.policy.test.json'))).rejects.toMatchObject({ diagnostics: all.map(({ message }) => ({ message })) });
    const error = await loadPolicyTestFile(join(dir, 'missing', 'desk.policy.test.json')).catch((e: unknown) => e);
    expect(PolicyTestError.isInstance(error)).toBe(true);
    const messages = (error as PolicyTestError).diagnostics.map((d) => d.message);
    expect(messages[0]).toBe(`cannot read the policy ${join(dir, 'missing', 'nowhere.policy')}: there is no such file`);
    expect(messages).toContain('/cases/0/turn: unknown property "autoReply"');
    expect(messages).toContain('/cases/4/expect: needs "rule"');
  });

  it('handrail test prints every problem as a code frame', async () => {
    const file = join(dir, 'broken', 'desk.policy.test.json');
    const result = await handrail('test', join(dir, 'broken'));
    expect(result.code).toBe(1);
    expect(result.stdout).toContain(`FAIL ${file}  (could not be loaded: INVALID_TEST_FILE)`);
    for (const { code, at, message } of all) expect(result.stdout).toContain(`${file}:${at}: error ${code}: ${message}`);
    expect(result.stdout.match(/^ +\| +\^+$/gm)).toHaveLength(all.length);
  });

  it('handrail test prints the test file\'s problems and the errors of the policy it tests', async () => {
    const result = await handrail('test', join(dir, 'both'));
    expect(result.code).toBe(1);
    expect(result.stdout).toContain(`${join(dir, 'both', 'desk.policy.test.json')}:3:46: error INVALID_TEST_FILE: /cases/0/turn: unknown property "autoReply"`);
    expect(result.stdout).toContain(`${join(dir, 'both', 'desk.policy.test.json')}:7:60: error INVALID_TEST_FILE: /cases/4/expect: needs "rule"`);
    expect(result.stdout).toContain(`${join(dir, 'both', 'desk.policy')}:2:14: error UNKNOWN_FACT: unknown fact "steps"; did you mean "step"?`);
  });
});

describe('an expectation in a conversation', () => {
  it('may give only the fields it checks, as the vitest matchers do', async () => {
    const suite = parsePolicyTests(
      JSON.stringify({
        cases: [
          {
            name: 'talk',
            conversation: [
              { turn: { content: 'hello' }, expect: { action: 'continue' } },
              { turn: { content: 'my password' }, expect: { reason: 'secret' }, answer: 'go on' },
              { turn: { content: 'bye' }, expect: { action: 'stop', reason: 'finished' } },
            ],
          },
        ],
      }),
      { policy },
    );
    const result = await runPolicyTestSuite(suite);
    expect(result.cases[0]).toMatchObject({ passed: true, turns: 3 });
  });

  it('still fails on the fields it gives', async () => {
    const suite = parsePolicyTests(JSON.stringify({ cases: [{ name: 'talk', conversation: [{ turn: { content: 'bye' }, expect: { action: 'continue' } }] }] }), { policy });
    const result = await runPolicyTestSuite(suite);
    expect(result.cases[0]!.passed).toBe(false);
    expect(result.cases[0]!.steps[0]!.mismatches).toEqual([{ field: 'action', expected: 'continue', actual: 'stop' }]);
  });

  it('is refused when empty: it would check nothing', () => {
    const text = '{ "cases": [{ "name": "talk", "conversation": [{ "turn": {}, "expect": {} }] }] }';
    expect(problems(() => parsePolicyTests(text, { policy }))).toEqual([
      { code: 'INVALID_TEST_FILE', at: '1:72', message: '/cases/0/conversation/0/expect: is empty, so it checks nothing; give the fields to check, or leave it out' },
    ]);
  });
});
