// The policy test engine through its public API: the format's checks and their places, how a
// conversation carries its counters, what coverage counts, how decisions are compared, and the
// JUnit escaping.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import {
  PolicyTestError,
  compareDecision,
  compilePolicy,
  decide,
  junitReport,
  loadPolicyFile,
  measureCoverage,
  parsePolicyTests,
  runPolicyTestSuite,
  type PolicyTestRun,
} from '../src/index.js';
import { escapeXml } from '../src/policy-tests/report-junit.js';
import { failureLines } from '../src/policy-tests/failure-details.js';

const policy = compilePolicy(
  `policy desk
fact tier: string
max auto_replies 3
mode terminate
rule secrets: when content contains "password" then escalate "secret" else stop and reset auto_replies
rule checkpoint: when every 2 auto_replies then escalate "checkpoint" timeout 5m else continue
rule vip: when tier == "gold" and not content contains "refund" then continue with "right away"
rule done: when content == "bye" then stop "finished"
`,
  { file: 'desk.policy' },
);

const parse = (tests: unknown) => parsePolicyTests(typeof tests === 'string' ? tests : JSON.stringify(tests, null, 2), { policy, file: 'desk.policy.test.json' });

function problems(text: string): Array<{ code: string; at: string; message: string }> {
  try {
    parse(text);
  } catch (error) {
    if (!PolicyTestError.isInstance(error)) throw error;
    return error.diagnostics.map((d) => ({ code: d.code, at: `${d.span.line}:${d.span.col}`, message: d.message }));
  }
  return [];
}

describe('the test format', () => {
  it('positions each problem of a test file that breaks the schema', () => {
    const text = `{
  "cases": [
    { "name": "a", "turn": { "role": "bot" }, "expect": { "action": "continue" } },
    { "name": "b", "turn": { "elapsedMs": "soon" }, "expect": { "action": "wait", "rule": null }, "answer": "" },
    { "name": "c", "conversation": [{ "turn": {} }], "expect": { "action": "stop", "rule": null } },
    { "name": "d" }
  ]
}`;
    expect(problems(text)).toEqual([
      { code: 'INVALID_TEST_FILE', at: '3:38', message: '/cases/0/turn/role: must be one of the allowed values' },
      { code: 'INVALID_TEST_FILE', at: '3:57', message: '/cases/0/expect: needs "rule"' },
      { code: 'INVALID_TEST_FILE', at: '4:43', message: '/cases/1/turn/elapsedMs: must be milliseconds or a duration such as 10m' },
      { code: 'INVALID_TEST_FILE', at: '4:75', message: '/cases/1/expect/action: must be one of the allowed values' },
      { code: 'INVALID_TEST_FILE', at: '4:99', message: '/cases/1: unknown property "answer"' },
      { code: 'INVALID_TEST_FILE', at: '5:54', message: '/cases/2/expect: a case with a conversation has no "expect"; give each turn of the conversation its own' },
      { code: 'INVALID_TEST_FILE', at: '6:5', message: '/cases/3: needs "turn"' },
      { code: 'INVALID_TEST_FILE', at: '6:5', message: '/cases/3: needs "expect"' },
    ]);
  });

  it('points at the key of an unknown property and lists the known ones', () => {
    try {
      parse('{ "cases": [{ "name": "a", "turn": { "content": "x" }, "expect": { "action": "stop", "rule": null, "reasn": "x" } }] }');
      expect.unreachable();
    } catch (error) {
      expect(PolicyTestError.isInstance(error)).toBe(true);
      const [diagnostic] = (error as PolicyTestError).diagnostics;
      expect(diagnostic).toMatchObject({ span: { line: 1, col: 100, length: 7 }, expected: ['action', 'rule', 'reason', 'onNoInput', 'timeoutMs', 'channel', 'prompt', 'reply', 'reset', 'error', 'held'] });
      expect((error as PolicyTestError).format()).toContain('desk.policy.test.json:1:100: error INVALID_TEST_FILE: /cases/0/expect: unknown property "reasn"');
    }
  });

  it('positions invalid JSON', () => {
    expect(problems('{ "cases": [\n  { "name": "a", }\n] }')).toEqual([{ code: 'INVALID_TEST_FILE', at: '2:18', message: expect.stringMatching(/^not valid JSON: /) }]);
  });

  it('checks rule and fact names against the policy', () => {
    const text = `{
  "facts": { "tier": "gold", "tire": "x" },
  "cases": [
    { "name": "a", "turn": {}, "expect": { "action": "stop", "rule": "secret", "held": ["done", "terminate.ask"] } }
  ]
}`;
    expect(problems(text)).toEqual([
      { code: 'UNKNOWN_FACT', at: '2:30', message: 'policy desk declares no fact "tire"; did you mean "tier"?' },
      { code: 'UNKNOWN_RULE', at: '4:70', message: 'policy desk has no rule "secret"; did you mean "secrets"?' },
      { code: 'UNKNOWN_RULE', at: '4:97', message: 'policy desk has no rule "terminate.ask"' },
    ]);
  });

  it('refuses two cases with one name', () => {
    const turn = { turn: {}, expect: { action: 'continue', rule: null } };
    expect(problems(JSON.stringify({ cases: [{ name: 'same', ...turn }, { name: 'same', ...turn }] }))).toEqual([
      { code: 'INVALID_TEST_FILE', at: '1:88', message: '/cases/1/name: a case named "same" comes earlier (case 1); names tell failures apart' },
    ]);
  });

  it('merges the defaults of the file and the case into each turn, and reads durations', () => {
    const suite = parse({
      defaults: { role: 'assistant', sender: 'a', facts: { tier: 'gold' } },
      cases: [{ name: 'x', defaults: { sender: 'b' }, turn: { content: 'hi', elapsedMs: '2h', facts: { tier: 'silver' } }, expect: { action: 'continue', rule: null } }],
    });
    expect(suite.cases[0]!.steps[0]!.turn).toEqual({ role: 'assistant', sender: 'b', content: 'hi', elapsedMs: 7_200_000, facts: { tier: 'silver' } });
  });

  it('is described by the JSON Schema shipped for editors', () => {
    const schema = JSON.parse(readFileSync(new URL('../schema/policy-test.schema.json', import.meta.url), 'utf8'));
    expect(schema.$schema).toBe('https://json-schema.org/draft/2020-12/schema');
    expect(Object.keys(schema.$defs.expectation.properties)).toEqual(['action', 'rule', 'reason', 'onNoInput', 'timeoutMs', 'channel', 'prompt', 'reply', 'reset', 'error', 'held']);
  });
});

describe('running cases', () => {
  const run = async (tests: unknown) => runPolicyTestSuite(parse(tests));

  it('uses the file’s custom facts, a case’s instead, and a turn’s over both', async () => {
    const result = await run({
      facts: { tier: 'gold' },
      cases: [
        { name: 'file', turn: { content: 'hello' }, expect: { action: 'continue', rule: 'vip', reply: 'right away' } },
        { name: 'case', facts: { tier: 'silver' }, turn: { content: 'hello' }, expect: { action: 'continue', rule: null } },
        { name: 'none', facts: {}, turn: { content: 'hello' }, expect: { action: 'escalate', rule: null, error: 'MISSING_FACT' } },
        { name: 'turn', facts: {}, turn: { content: 'hello', facts: { tier: 'gold' } }, expect: { action: 'continue', rule: 'vip' } },
        { name: 'nobody', facts: {}, humanAvailable: false, turn: { content: 'hello' }, expect: { action: 'stop', rule: null, error: 'MISSING_FACT' } },
      ],
    });
    expect(result.cases.map((c) => [c.name, c.passed])).toEqual([
      ['file', true],
      ['case', true],
      ['none', true],
      ['turn', true],
      ['nobody', true],
    ]);
  });

  it('carries the step and the auto-reply count through a conversation as the runtime does', async () => {
    const result = await run({
      facts: { tier: 'silver' },
      cases: [
        {
          name: 'counting',
          conversation: [
            { turn: { content: 'a' }, expect: { action: 'continue', rule: null } },
            { turn: { content: 'b' }, expect: { action: 'continue', rule: null } },
            { turn: { content: 'c' }, expect: { action: 'escalate', rule: 'checkpoint', onNoInput: 'continue' } },
            { turn: { content: 'the password is' }, expect: { action: 'escalate', rule: 'secrets', reset: ['auto_replies'] }, answer: 'do not share it' },
            { turn: { content: 'd' }, expect: { action: 'continue', rule: null } },
            { turn: { content: 'e', autoReplies: 3 }, expect: { action: 'escalate', rule: 'terminate.ask_at_limit' }, answer: 'exit' },
          ],
        },
      ],
    });
    const [item] = result.cases;
    expect(item!.passed).toBe(true);
    // No answer to the checkpoint (else continue) counts as an auto-reply; a person's reply resets.
    expect(item!.steps.map((s) => [s.turn.step, s.turn.autoReplies])).toEqual([
      [1, 0],
      [2, 1],
      [3, 2],
      [4, 3],
      [5, 0],
      [6, 3],
    ]);
  });

  it('starts counting from the defaults of a conversation', async () => {
    const result = await run({
      facts: { tier: 'silver' },
      cases: [{ name: 'late', defaults: { step: 10, autoReplies: 1 }, conversation: [{ turn: { content: 'a' } }, { turn: { content: 'b' }, expect: { action: 'escalate', rule: 'checkpoint' } }] }],
    });
    expect(result.cases[0]!.passed).toBe(true);
    expect(result.cases[0]!.steps.map((s) => [s.turn.step, s.turn.autoReplies])).toEqual([
      [10, 1],
      [11, 2],
    ]);
  });

  it('fails a conversation that ends before its last turn, and one at its first wrong turn', async () => {
    const result = await run({
      facts: { tier: 'silver' },
      cases: [
        { name: 'silence stops', conversation: [{ turn: { content: 'password' } }, { turn: { content: 'more' } }] },
        { name: 'exit ends', conversation: [{ turn: { content: 'x', autoReplies: 2 }, answer: 'exit' }, { turn: { content: 'more' } }] },
        { name: 'wrong', conversation: [{ turn: { content: 'bye' }, expect: { action: 'continue', rule: null } }, { turn: { content: 'never decided' } }] },
      ],
    });
    expect(result.cases.map((c) => c.problem)).toEqual([
      'the conversation ended at turn 1 (nobody answered when rule secrets escalated (else stop)), but 1 more turn follows',
      'the conversation ended at turn 1 (the person typed exit when rule checkpoint escalated), but 1 more turn follows',
      undefined,
    ]);
    expect(result.cases[2]!.steps).toHaveLength(1);
    expect(result.cases[2]!.steps[0]!.mismatches.map((m) => m.field)).toEqual(['action', 'rule']);
    expect([result.passed, result.failed]).toEqual([0, 3]);
  });
});

describe('coverage', () => {
  it('covers a rule that held, and a condition seen both true and false, whether or not its rule decided', async () => {
    const decisions = await Promise.all(
      [
        { content: 'the password', facts: { tier: 'gold' } },
        { content: 'refund please', facts: { tier: 'gold' } },
      ].map((turn) => decide(policy, turn, { explain: 'all' })),
    );
    const coverage = measureCoverage(policy, decisions);
    expect(coverage.rules.filter((rule) => rule.held).map((rule) => rule.rule)).toEqual(['secrets', 'vip']);
    expect([coverage.rulesCovered, coverage.rules.length, Math.round(coverage.rulePercent)]).toEqual([2, 7, 29]);
    const vip = coverage.rules.find((rule) => rule.rule === 'vip')!;
    // vip held on the first turn only (not on the refund), though secrets decided it.
    expect(vip.held).toBe(1);
    expect(vip.conditions.map((c) => [c.path, c.seenTrue, c.seenFalse])).toEqual([
      ['/all/0', true, false],
      ['/all/1/not', true, true],
    ]);
    const secrets = coverage.rules.find((rule) => rule.rule === 'secrets')!;
    expect(secrets.conditions.map((c) => [c.seenTrue, c.seenFalse])).toEqual([[true, true]]);
  });

  it('counts nothing from a decision that failed closed', async () => {
    const coverage = measureCoverage(policy, [await decide(policy, { content: 'x' }, { explain: 'all' })]);
    expect(coverage.turns).toBe(1);
    expect(coverage.rulesCovered).toBe(0);
    expect(coverage.conditionsCovered).toBe(0);
  });
});

describe('comparing decisions', () => {
  it('checks only the fields given, durations as written in policies, resets as sets', async () => {
    const decision = await decide(policy, { content: 'x', autoReplies: 2, facts: { tier: 'silver' } });
    expect(compareDecision({ action: 'escalate', rule: 'checkpoint', timeoutMs: '5m', onNoInput: 'continue', reset: [] }, decision)).toEqual([]);
    expect(compareDecision({ action: 'escalate', timeoutMs: 60_000, channel: 'ops', error: null }, decision)).toEqual([
      { field: 'timeoutMs', expected: 60_000, actual: 300_000 },
      { field: 'channel', expected: 'ops', actual: undefined },
    ]);
  });
});

describe('JUnit XML', () => {
  it('escapes markup, quotes and line breaks, and replaces what XML cannot carry', () => {
    expect(escapeXml('a < b & "c" \'d\' > e')).toBe('a &lt; b &amp; "c" \'d\' &gt; e');
    expect(escapeXml('a < b & "c" \'d\'\nnext', { attribute: true })).toBe('a &lt; b &amp; &quot;c&quot; &apos;d&apos;&#10;next');
    expect(escapeXml('bell\u0007 nul\u0000 lone\uD800 pair\uD83D\uDE00 ]]>')).toBe('bell\uFFFD nul\uFFFD lone\uFFFD pair\uD83D\uDE00 ]]&gt;');
  });

  it('reports an empty run as an empty, valid document', () => {
    const run: PolicyTestRun = { engine: 'fast', suites: [], failures: [], untested: [], passed: 0, failed: 0, durationMs: 0 };
    expect(junitReport(run)).toBe('<?xml version="1.0" encoding="UTF-8"?>\n<testsuites name="handrail test" tests="0" failures="0" errors="0" time="0.000">\n</testsuites>\n');
  });
});

describe('docs/testing-policies.md', () => {
  const doc = readFileSync(new URL('../../../docs/testing-policies.md', import.meta.url), 'utf8');
  const blocks = [...doc.matchAll(/```json\n([\s\S]*?)```/g)].map((match) => match[1]!);
  const example = (name: string) => loadPolicyFile(fileURLToPath(new URL(`../../../examples/policies/${name}.policy`, import.meta.url)));

  it('has a test file example that passes against the example invoices policy', async () => {
    const text = blocks.find((block) => block.includes('"cases"'))!;
    const result = await runPolicyTestSuite(parsePolicyTests(text, { policy: await example('invoices') }));
    expect(result.cases.map((c) => [c.name, c.passed])).toEqual(result.cases.map((c) => [c.name, true]));
    expect(result.cases).toHaveLength(4);
  });

  it('has a conversation example that passes against the example adaptive policy', async () => {
    const text = blocks.find((block) => block.includes('"conversation"'))!;
    const result = await runPolicyTestSuite(parsePolicyTests(`{ "cases": [${text}] }`, { policy: await example('adaptive') }));
    expect(result.cases[0]!.passed).toBe(true);
    expect(result.cases[0]!.steps).toHaveLength(8);
  });

  it('shows the history a failed turn was decided on, for a policy that reads history', async () => {
    const history = compilePolicy('policy h\nrule thrice: when tool.name == "refund" and history.calls.refund >= 3 then escalate "a fourth refund"\n');
    const tests = {
      cases: [
        {
          name: 'the third refund goes through',
          history: [{ tool: { name: 'refund' } }, { content: 'ok', error: 'timeout' }, { tool: { name: 'lookup' } }, { tool: { name: 'refund' } }],
          turn: { role: 'assistant', tool: { name: 'refund' } },
          expect: { action: 'escalate', rule: 'thrice' },
        },
      ],
    };
    const result = await runPolicyTestSuite(parsePolicyTests(JSON.stringify(tests), { policy: history }));
    expect(failureLines(result.cases[0]!)[1]).toBe('history: 4 earlier turns; calls: "refund" ×2, "lookup" ×1; errors: 1');
    // A policy that does not read history is not shown one.
    const plain = await runPolicyTestSuite(parsePolicyTests(JSON.stringify(tests), { policy: compilePolicy('policy p\nrule thrice: when content == "x" then stop\n') }));
    expect(failureLines(plain.cases[0]!).some((line) => line.startsWith('history:'))).toBe(false);
  });

  it('has a history and paths example that passes against the example assistant-tools policy', async () => {
    const text = blocks.find((block) => block.includes('"paths"'))!;
    const result = await runPolicyTestSuite(parsePolicyTests(text, { policy: await example('assistant-tools') }));
    expect(result.cases.map((c) => [c.name, c.passed])).toEqual([
      ["a reply may go out once the inbox was read, after a person's word", true],
      ['a fourth refund in the run waits for a person', true],
      ['writes outside the workspace stop', true],
    ]);
  });
});
