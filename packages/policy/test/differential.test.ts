// The fast evaluator must decide exactly as json-rules-engine does: random policies (as text,
// through the whole compiler) and random turns, compared decision by decision, traces included.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compilePolicy, decide, historyOfTurns, type Turn } from '../src/index.js';
import { fuzzRuns } from '../../../test/adversarial/fuzz-runs.js';

const words = ['delete', 'DROP TABLE', 'refund', 'Ünïcode', 'TERMINATE', 'error:', 'ok', '', 'a', 'NEEDS_REVIEW', 'İstanbul'];
const quote = (s: string) => JSON.stringify(s);

const textField = fc.constantFrom('content', 'sender', 'tool.name', 'tool.args.to', 'tool.args.items[0]', 'tool.args["odd key"]', 'error', 'tier', 'code.text', 'profile.level');
const numberField = fc.constantFrom('step', 'auto_replies', 'max_auto_replies', 'tool.args.amount', 'elapsed', 'tokens.total', 'risk', 'code.count', 'profile.score');
const anyField = fc.constantFrom('tool.args.amount', 'tool.args.flag', 'tool.args', 'profile.level', 'profile');
const scalarField = fc.constantFrom('tool.args.amount', 'tool.args.flag', 'tool.args.to', 'profile.level', 'profile.score');
const word = fc.constantFrom(...words);
const wordList = fc.array(word, { minLength: 1, maxLength: 3 }).map((items) => `[${items.map(quote).join(', ')}]`);
const ignoring = fc.boolean().map((b) => (b ? ' ignoring case' : ''));
const number = fc.oneof(fc.integer({ min: -2, max: 12 }), fc.constantFrom(0.5, 100, 250)).map(String);
const scalar = fc.oneof(word.map(quote), number, fc.constantFrom('true', 'false', '"250"', '"1e2"', '"-0.5"'));

const test: fc.Arbitrary<string> = fc.oneof(
  fc.tuple(textField, word, ignoring).map(([f, w, i]) => `${f} contains ${quote(w)}${i}`),
  fc.tuple(textField, wordList, ignoring).map(([f, l, i]) => `${f} contains any ${l}${i}`),
  fc.tuple(textField, wordList, ignoring).map(([f, l, i]) => `${f} contains all ${l}${i}`),
  fc.tuple(textField, word, ignoring, fc.constantFrom('starts with', 'ends with')).map(([f, w, i, op]) => `${f} ${op} ${quote(w)}${i}`),
  fc.tuple(textField, word, ignoring, fc.constantFrom('equals', '==', '!=')).map(([f, w, i, op]) => `${f} ${op} ${quote(w)}${i}`),
  fc.tuple(textField, fc.constantFrom('/err(or)?:/i', '/^ok$/m', '/\\d+/', '/T.RM/s', '/ü/u', '/.*TERM.*/', '/\\s*\\s*x/')).map(([f, r]) => `${f} matches ${r}`),
  fc.tuple(numberField, fc.constantFrom('>', '>=', '<', '<=', '==', '!='), number).map(([f, op, n]) => `${f} ${op} ${n}`),
  fc.tuple(numberField, fc.constantFrom('>', '>=', '<', '<='), numberField).map(([f, op, g]) => `${f} ${op} ${g}`),
  fc.constantFrom('elapsed > 5m', 'elapsed <= 1500ms', 'code.languages contains "sh"', 'flags contains "vip"', 'is_termination', 'vip', 'profile.active', 'tool.args.items contains "ok"', 'tool.args.to contains "a"'),
  fc.tuple(textField, wordList, fc.boolean()).map(([f, l, n]) => `${f} ${n ? 'not in' : 'in'} ${l}`),
  fc.tuple(numberField, fc.array(number, { minLength: 1, maxLength: 3 }), fc.boolean()).map(([f, l, n]) => `${f} ${n ? 'not in' : 'in'} [${l.join(', ')}]`),
  fc.constantFrom('role in ["assistant", "tool"]', 'source == "human"', 'role != "user"'),
  fc.tuple(fc.oneof(textField, numberField, anyField)).map(([f]) => `${f} exists`),
  // Fields of no declared type, against every kind of literal: values of another type fail closed.
  fc.tuple(scalarField, scalar, fc.constantFrom('==', '!=')).map(([f, v, op]) => `${f} ${op} ${v}`),
  fc.tuple(scalarField, fc.array(scalar, { minLength: 1, maxLength: 3 }), fc.boolean()).map(([f, l, n]) => `${f} ${n ? 'not in' : 'in'} [${l.join(', ')}]`),
  fc.tuple(scalarField, fc.constantFrom('>', '>=', '<', '<='), fc.oneof(number, scalarField)).map(([f, op, v]) => `${f} ${op} ${v}`),
  fc.tuple(scalarField, scalarField).map(([f, g]) => `${f} == ${g}`),
  fc.tuple(fc.constantFrom('tool.args.items', 'profile.tags'), word).map(([f, w]) => `${f} contains ${quote(w)}`),
  fc.tuple(fc.integer({ min: 1, max: 4 }), fc.constantFrom('auto_replies', 'step', 'risk')).map(([n, f]) => `every ${n} ${f}`),
  // History: tools called before, counts of one tool (0 when never called), errors, in a window or not.
  fc.tuple(fc.constantFrom('history.tools contains "refund"', 'history.tools contains "read_inbox"', 'history.calls.refund', 'history.calls.search', 'history.calls["odd-tool"]', 'history.errors', 'history.turns'), fc.constantFrom('>', '>=', '<', '<=', '==', '!='), fc.integer({ min: 0, max: 3 }), fc.constantFrom('', '', ' over the last 1 step', ' over the last 3 steps', ' over the last 100 steps'))
    .map(([f, op, n, w]) => (f.includes('contains') ? `${f}${w}` : `${f} ${op} ${n}${w}`)),
  fc.constantFrom('history.calls.refund > history.calls.search', 'history.calls exists', 'history.tools contains "search"'),
  // Paths, resolved lexically against the decision's working directory and home.
  fc.tuple(fc.constantFrom('tool.args.path', 'tool.args.to', 'tool.args.amount', 'content'), fc.boolean(), fc.constantFrom('./workspace', '/srv/app/workspace', '~/notes', 'workspace/../workspace/', '/', '.'))
    .map(([f, negated, root]) => `${f} ${negated ? 'not within' : 'within'} ${quote(root)}`),
);

const condition: fc.Arbitrary<string> = fc.letrec((tie) => ({
  node: fc.oneof({ depthSize: 'small', withCrossShrink: true }, test, tie('and'), tie('or'), tie('not')),
  and: fc.tuple(tie('node'), tie('node')).map(([a, b]) => `(${a} and ${b})`),
  or: fc.tuple(tie('node'), tie('node')).map(([a, b]) => `(${a} or ${b})`),
  not: tie('node').map((a) => `not ${a}`),
})).node as fc.Arbitrary<string>;

// A declared tool's arguments, read where the condition names the tool (and only there: a
// conjunction with the name would type-check its siblings against the declaration too).
const typedTest = fc.constantFrom('tool.name == "pay" and tool.args.sum > 100', 'tool.name == "pay" and tool.args.urgent', 'tool.name in ["pay"] and tool.args.note contains "a"', 'tool.name == "pay" and tool.args.sum <= risk');
const ruleCondition = fc.oneof({ weight: 4, arbitrary: condition }, { weight: 1, arbitrary: fc.tuple(typedTest, condition).map(([typed, other]) => `(${typed}) or (${other})`) });

const action = fc.oneof(
  fc.constantFrom('continue', 'continue with "fixed"', 'stop', 'stop "halt"'),
  fc.tuple(fc.constantFrom('', ' via slack'), fc.constantFrom('', ' timeout 10m'), fc.constantFrom('', ' else continue', ' else reply')).map(([v, t, e]) => `escalate "ask"${v}${t}${e}`),
);

const policyText = fc
  .record({
    mode: fc.constantFrom('', 'mode always', 'mode never', 'mode terminate'),
    max: fc.constantFrom('', 'max auto_replies 3'),
    rules: fc.array(fc.record({ when: ruleCondition, then: action, priority: fc.constantFrom('', ' priority 2', ' priority 5'), reset: fc.boolean() }), { minLength: 1, maxLength: 6 }),
  })
  .map(({ mode, max, rules }) =>
    [
      'policy generated',
      mode,
      max,
      'fact risk: number',
      'fact tier: string',
      'fact flags: list',
      'fact vip: boolean',
      'fact profile: object',
      // A call of pay whose arguments do not match fails closed before any rule (INVALID_TOOL_CALL).
      'tool pay(sum: number, note?: string, urgent?: boolean)',
      'tool search(...)',
      ...rules.map((r, i) => `rule r${i}${r.priority}: when ${r.when} then ${r.then}${r.reset ? ' and reset auto_replies' : ''}`),
    ].join('\n'),
  );

/** Now and then a value of another type than the tests on it expect, as models write them. */
const mistyped = fc.constantFrom<unknown>('500', '-1.5e3', '0', '250', '5e2x', ' 500', '0x10', '', 'Infinity', 'true', true, false, 7, 0, [], ['ok'], [250], {}, { amount: 1 }, null);
const sometimes = <T>(value: fc.Arbitrary<T>) => fc.oneof({ weight: 5, arbitrary: value as fc.Arbitrary<unknown> }, { weight: 1, arbitrary: mistyped });
const args = fc.oneof(
  fc.record(
    {
      amount: sometimes(fc.oneof(fc.integer({ min: 0, max: 300 }), fc.constant('250'))),
      to: sometimes(word),
      items: sometimes(fc.array(word, { maxLength: 2 })),
      'odd key': sometimes(word),
      flag: sometimes(fc.boolean()),
      path: sometimes(fc.constantFrom('workspace/a.txt', './workspace', '../workspace/a', '/srv/app/workspace/x', '/srv/app/workspace-evil/x', '/etc/passwd', '~/notes/n.md', '~', '~root/x', 'a\u0000b', '', '.', '/srv/app/../app/workspace', 'workspace//b/', '%2e%2e/etc')),
    },
    { requiredKeys: [] },
  ),
  fc.constantFrom('{"amount": 150, "to": "refund"}', '', '[1, 2]', '"text"', 'not json'),
);
// Calls of the declared pay: matching, or not (a missing or mistyped argument, or an extra one).
const payArgs = fc.oneof(
  fc.record({ sum: sometimes(fc.integer({ min: 0, max: 300 })), note: sometimes(word), urgent: sometimes(fc.boolean()), memo: word }, { requiredKeys: ['sum'] }),
  fc.record({ sum: fc.integer({ min: 0, max: 300 }), note: word, urgent: fc.boolean() }, { requiredKeys: ['sum'] }),
  fc.constantFrom('{"sum": 150, "note": "rent"}', '{"sum": "150"}', '', '[1, 2]', '{"sum": 5, "note": null}'),
);
const toolCall = fc.oneof(
  { weight: 3, arbitrary: fc.record({ name: fc.constantFrom('refund', 'transfer_funds', 'search'), args }) },
  { weight: 1, arbitrary: fc.record({ name: fc.constant('pay'), args: payArgs }) },
);
const customValue = <T>(value: fc.Arbitrary<T>) =>
  fc.oneof(
    { weight: 6, arbitrary: value.map((v) => v as unknown) },
    { weight: 1, arbitrary: value.map((v) => () => v) },
    { weight: 1, arbitrary: value.map((v) => async () => v) },
  );

const turnFields = fc.record(
  {
    content: fc.oneof(fc.array(word, { maxLength: 4 }).map((w) => w.join(' ')), fc.constantFrom('```sh\nls\n```', null, 'x'.repeat(5000) + ' Delete ERROR: TERMINATE')),
    role: fc.constantFrom('assistant', 'user', 'tool', 'system'),
    sender: word,
    tool: toolCall,
    toolCalls: fc.array(toolCall, { minLength: 2, maxLength: 3 }),
    error: word,
    step: fc.integer({ min: 0, max: 12 }),
    autoReplies: fc.integer({ min: 0, max: 8 }),
    maxAutoReplies: fc.integer({ min: 0, max: 5 }),
    isTermination: fc.boolean(),
    elapsedMs: fc.constantFrom(0, 1500, 300_000, 300_001),
    tokens: fc.record({ total: fc.integer({ min: 0, max: 1000 }) }),
    history: fc.array(fc.record({ tool: fc.record({ name: fc.constantFrom('refund', 'search', 'read_inbox', 'odd-tool', '__proto__') }), error: fc.constantFrom(undefined, 'failed') }, { requiredKeys: [] }), { maxLength: 8 }).map((earlier) => historyOfTurns(earlier as Turn[])),
    facts: fc.record(
      {
        risk: customValue(fc.integer({ min: 0, max: 6 })),
        tier: customValue(word),
        flags: customValue(fc.array(fc.constantFrom('vip', 'new'))),
        vip: customValue(fc.boolean()),
        profile: customValue(
      fc.record({ level: sometimes(word), score: sometimes(fc.integer({ min: 0, max: 10 })), active: sometimes(fc.boolean()), tags: sometimes(fc.array(word)) }, { requiredKeys: [] }),
    ),
      },
      { requiredKeys: ['risk', 'tier', 'flags', 'vip'] },
    ),
  },
  { requiredKeys: [] },
);
// A turn gives tool or toolCalls; both (refused as INVALID_TURN) only now and then.
const turn: fc.Arbitrary<Turn> = fc
  .tuple(turnFields, fc.constantFrom('tool', 'toolCalls', 'tool', 'toolCalls', 'both'))
  .map(([fields, keep]) => {
    const { tool, toolCalls, ...rest } = fields;
    return { ...rest, ...(keep !== 'toolCalls' && tool ? { tool } : {}), ...(keep !== 'tool' && toolCalls ? { toolCalls } : {}) } as Turn;
  });

/** What paths resolve against: nothing, a working directory, a home, both, or one that is not absolute. */
const pathContext = fc.constantFrom<Record<string, string>>({}, { workingDirectory: '/srv/app' }, { home: '/home/agent' }, { workingDirectory: '/srv/app', home: '/srv/app/workspace' }, { workingDirectory: 'relative' });

/** Occasionally a fact that throws or has the wrong type: both evaluators must fail closed alike. */
const brokenFacts = fc.constantFrom<Record<string, unknown> | undefined>(
  undefined,
  undefined,
  undefined,
  { risk: () => { throw new Error('risk service down'); } },
  { risk: async () => { throw new Error('timeout'); } },
  { risk: 'high' },
);

describe('fast evaluator vs json-rules-engine', () => {
  it('gives the same decision, reason and explanation on 10,000 generated cases', async () => {
    let cases = 0;
    const codes = new Map<string, number>();
    await fc.assert(
      fc.asyncProperty(policyText, fc.array(fc.tuple(turn, brokenFacts, pathContext), { minLength: 50, maxLength: 50 }), async (text, turns) => {
        const policy = compilePolicy(text);
        for (const [t, broken, paths] of turns) {
          const input = broken ? { ...t, facts: { ...t.facts, ...broken } } : t;
          const fast = await decide(policy, input, { explain: 'all', ...paths });
          const reference = await decide(policy, input, { explain: 'all', engine: 'reference', ...paths });
          expect(fast).toEqual(reference);
          cases++;
          const code = fast.error?.code ?? fast.action;
          codes.set(code, (codes.get(code) ?? 0) + 1);
          const seen = fast.error?.message.includes('as a path') ? 'path failed closed' : fast.explanation.some((rule) => rule.result && JSON.stringify(rule.conditions).includes('"pathWithin"')) ? 'path rule held' : undefined;
          const history = fast.explanation.some((rule) => rule.result && JSON.stringify(rule.conditions).includes('"fact":"history"')) ? 'history rule held' : undefined;
          for (const outcome of [seen, history]) if (outcome) codes.set(outcome, (codes.get(outcome) ?? 0) + 1);
        }
      }),
      { numRuns: 200 },
    );
    expect(cases).toBeGreaterThanOrEqual(10_000);
    // The generated cases reach every outcome, failing closed on mistyped values among them.
    for (const code of ['continue', 'escalate', 'stop', 'MISTYPED_FACT', 'INVALID_TURN', 'FACT_FAILED', 'INVALID_FACT', 'INVALID_TOOL_CALL']) expect(codes.get(code) ?? 0, code).toBeGreaterThan(100);
    // History and path rules among them: holding, and (for paths and a missing history) failing closed.
    for (const code of ['MISSING_FACT', 'path failed closed', 'path rule held', 'history rule held']) expect(codes.get(code) ?? 0, code).toBeGreaterThan(20);
  }, 300_000);

  // Large policies take other paths: rules split into several generated functions, and the
  // words of many keyword tests on one text found in one shared scan (from 16 words on).
  it('agrees on generated policies of many rules, keyword-heavy, on long messages, with every operator', async () => {
    const runs = fuzzRuns(20);
    const vocabulary = [...words, 'wire transfer', 'rm -rf', 'Production', 'ß', 'straße', 'STRASSE', 'K', 'ﬁle', 'İ', 'i̇', 'é', 'e\u0301', '😀', '\ud83d', 'aa', 'aaa', 'ab', 'b', 'drop', 'drop table', 'table', 'able', 'op t', 'DROP'];
    const keyword = fc.constantFrom(...vocabulary);
    const keywordList = fc.array(keyword, { minLength: 1, maxLength: 6 }).map((items) => `[${items.map(quote).join(', ')}]`);
    const keywordTest = fc.oneof(
      fc.tuple(fc.constantFrom('content', 'sender'), keyword, ignoring).map(([f, w, i]) => `${f} contains ${quote(w)}${i}`),
      fc.tuple(fc.constantFrom('content', 'sender'), keywordList, ignoring, fc.constantFrom('any', 'all')).map(([f, l, i, m]) => `${f} contains ${m} ${l}${i}`),
    );
    const manyRules = fc.array(fc.record({ when: fc.oneof({ weight: 4, arbitrary: keywordTest }, { weight: 1, arbitrary: ruleCondition }), then: action }), { minLength: 41, maxLength: 130 });
    const longContent = fc
      .tuple(fc.array(keyword, { maxLength: 12 }), fc.integer({ min: 0, max: 40_000 }), fc.constantFrom('', ' ERROR: TERMINATE', ' NEEDS_REVIEW'))
      .map(([inserted, filler, tail]) => {
        const base = 'The quick brown fox reports on invoices. '.repeat(Math.ceil(filler / 41)).slice(0, filler);
        const at = Math.floor(base.length / 2);
        return `${base.slice(0, at)} ${inserted.join(' ')} ${base.slice(at)}${tail}`;
      });
    let cases = 0;
    await fc.assert(
      fc.asyncProperty(manyRules, fc.array(fc.tuple(turn, longContent, keyword), { minLength: 6, maxLength: 6 }), async (rules, turns) => {
        const text = ['policy large', 'fact risk: number', 'fact tier: string', 'fact flags: list', 'fact vip: boolean', 'fact profile: object', 'tool pay(sum: number, note?: string, urgent?: boolean)', 'tool search(...)', ...rules.map((r, i) => `rule r${i}: when ${r.when} then ${r.then}`)].join('\n');
        const policy = compilePolicy(text);
        for (const [t, content, sender] of turns) {
          const input = { ...t, content, sender };
          // Every rule's explanation, so a test that went wrong shows even when an earlier rule decides.
          const fast = await decide(policy, input, { explain: 'all' });
          const reference = await decide(policy, input, { explain: 'all', engine: 'reference' });
          expect(fast).toEqual(reference);
          cases++;
        }
      }),
      { numRuns: runs },
    );
    expect(cases).toBe(runs * 6);
  }, 300_000);
});
