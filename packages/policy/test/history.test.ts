// History rules: the run so far built from turns (one implementation for the supervisor, replay
// and policy tests), windows, counts that start at 0, and a missing or malformed history failing
// closed. The supervisor's side is tested in @handrail/core (test/supervisor/history.test.ts).
import { describe, expect, it } from 'vitest';
import { Engine } from 'json-rules-engine';
import { addOperators, compilePolicy, decide, lintPolicy, emptyHistory, engineParameterFacts, historyAfter, historyOfTurns, maxHistoryWindow, parsePolicyTests, replayLines, runPolicyTestSuite, type Turn } from '../src/index.js';
import { printCompiledCondition } from '../src/format/print-compiled-condition.js';
import { formatExplanation } from '../src/format/explanation.js';

const policy = compilePolicy(`policy mail
rule tainted: when tool.name == "send_email" and history.tools contains "read_inbox" then escalate "sending after reading the inbox"
rule refunds: when tool.name == "refund" and history.calls.refund >= 3 then escalate "more than 3 refunds in this run"
rule burst:   when tool.name == "refund" and history.calls.refund >= 2 over the last 3 steps then stop "refund burst"
rule verify:  when tool.name == "pay" and history.calls.verify < 1 then stop "pay before verify"
rule flaky:   when history.errors >= 2 over the last 4 steps then stop "errors keep coming"`);

const call = (name: string): Turn => ({ tool: { name, args: {} } });
const text = (content: string): Turn => ({ content, role: 'assistant' });

describe('history from turns', () => {
  it('counts every call, keeps each tool once in order of first call, and counts errors', () => {
    const history = historyOfTurns([call('read_inbox'), { toolCalls: [{ name: 'refund' }, { name: 'refund' }] }, text('hi'), { content: '', error: 'boom' }, call('read_inbox')]);
    expect(history).toMatchObject({ turns: 5, tools: ['read_inbox', 'refund'], calls: { read_inbox: 2, refund: 2 }, errors: 1 });
    expect(historyAfter(history, text('x')).turns).toBe(6);
    expect(history.turns).toBe(5);
  });

  it('keeps only the steps a window can reach, so a history stays small however long the run', () => {
    let history = emptyHistory();
    for (let i = 0; i < 10_000; i++) history = historyAfter(history, call(i % 2 ? 'search' : 'refund'));
    expect(history.calls).toEqual({ refund: 5000, search: 5000 });
    expect(history.recent.length).toBeLessThanOrEqual(maxHistoryWindow);
    expect(JSON.stringify(history).length).toBeLessThan(10_000);
  });

  it('a tool named __proto__ is counted as a tool', () => {
    const history = historyOfTurns([call('__proto__'), call('__proto__')]);
    expect(Object.hasOwn(history.calls, '__proto__')).toBe(true);
    expect(history.calls['__proto__']).toBe(2);
  });
});

describe('history rules', () => {
  const decideAfter = (earlier: Turn[], turn: Turn) => decide(policy, { ...turn, history: historyOfTurns(earlier) });

  it('escalates send_email only after read_inbox', async () => {
    expect((await decideAfter([], call('send_email'))).action).toBe('continue');
    expect((await decideAfter([call('read_inbox'), text('ok')], call('send_email'))).rule).toBe('tainted');
  });

  it('counts from 0: a tool never called is fewer than 1', async () => {
    expect((await decideAfter([], call('pay'))).rule).toBe('verify');
    expect((await decideAfter([call('verify')], call('pay'))).action).toBe('continue');
  });

  it('decides rate rules over the whole run and in a window', async () => {
    const spaced = [call('refund'), text('a'), text('b'), text('c'), call('refund'), text('d'), text('e'), text('f'), call('refund')];
    expect((await decideAfter(spaced.slice(0, 5), call('refund'))).action).toBe('continue');
    expect((await decideAfter(spaced, call('refund'))).rule).toBe('refunds');
    expect((await decideAfter([call('refund'), call('refund')], call('refund'))).rule).toBe('burst');
    expect((await decideAfter([call('refund'), text('a'), text('b'), call('refund')], call('refund'))).action).toBe('continue');
    expect((await decideAfter([{ error: 'x' }, text('a'), { error: 'y' }], text('ok'))).rule).toBe('flaky');
    expect((await decideAfter([{ error: 'x' }, text('a'), text('b'), text('c'), { error: 'y' }], text('ok'))).action).toBe('continue');
  });

  it('fails closed without a history, or with one that is not a history', async () => {
    for (const engine of ['fast', 'reference'] as const) {
      const missing = await decide(policy, call('send_email'), { engine });
      expect(missing).toMatchObject({ action: 'escalate', error: { code: 'MISSING_FACT' } });
      expect(missing.reason).toMatch(/reads the run's history, but the turn has none/);
      for (const bad of [null, 'x', { turns: -1 }, { ...emptyHistory(), tools: 'read_inbox' }, { ...emptyHistory(), calls: { refund: 'many' } }]) {
        expect(await decide(policy, { ...call('send_email'), history: bad as never }, { engine })).toMatchObject({ action: 'escalate', error: { code: 'INVALID_TURN' } });
      }
    }
  });

  it('a policy that does not read history never reads the one a turn carries', async () => {
    // A supervisor passes the run's history with every turn; only history rules pay for it.
    const plain = compilePolicy('policy plain\nrule mail: when tool.name == "send_email" then escalate "mail"');
    const history = historyOfTurns([call('read_inbox'), { content: '', error: 'boom' }]);
    const read: PropertyKey[] = [];
    const watched = new Proxy(history, { get: (target, key, receiver) => (read.push(key), Reflect.get(target, key, receiver)) });
    for (const engine of ['fast', 'reference'] as const) {
      const decision = await decide(plain, { ...call('send_email'), history: watched }, { engine, explain: 'all' });
      expect(decision).toMatchObject({ action: 'escalate', rule: 'mail' });
      expect(decision).toEqual(await decide(plain, call('send_email'), { engine, explain: 'all' }));
    }
    expect(read).toEqual([]);
  });

  it('a window only counts history, and is bounded', () => {
    expect(() => compilePolicy('policy p\nrule r: when step > 3 over the last 5 steps then stop')).toThrow(/counts the run's history/);
    expect(() => compilePolicy(`policy p\nrule r: when history.errors > 3 over the last ${maxHistoryWindow + 1} steps then stop`)).toThrow(/from 1 to 100/);
    expect(() => compilePolicy('policy p\nrule r: when history.calls.refund contains "x" then stop')).toThrow(/needs text or a list/);
    expect(() => compilePolicy('policy p\nrule r: when history.recent exists then stop')).toThrow(/has no field "recent"/);
    expect(() => compilePolicy('policy p\nfact directory: object\nrule r: when content == "x" then stop')).toThrow(/built-in fact/);
  });

  it("lint reads each tool's count and each window as a value of its own", () => {
    const text = 'policy p\nrule a: when history.calls.refund >= 3 and history.calls.verify < 1 then stop "x"\nrule b: when history.errors > 2 and history.errors < 1 over the last 5 steps then stop "y"\nrule c: when history.errors > 2 and history.errors < 1 then stop "z"\n';
    expect(lintPolicy(text).map((finding) => [finding.code, finding.message.split(',')[0]])).toEqual([['IMPOSSIBLE_CONDITION', '`history.errors < 1` can never hold together with `history.errors > 2`']]);
  });

  it('explanations print history conditions as written', () => {
    const [, , burst] = policy.document.rules;
    expect(printCompiledCondition(burst!.conditions)).toBe('tool.name == "refund" and history.calls.refund >= 2 over the last 3 steps');
  });

  it('handrail explain shows the history a rule saw', async () => {
    const decision = await decide(policy, { ...call('refund'), history: historyOfTurns([call('refund'), call('refund')]) }, { explain: 'all' });
    expect(formatExplanation(decision)).toContain('✓ history.calls.refund >= 2 over the last 3 steps  saw 2');
  });
});

describe('a plain json-rules-engine Engine', () => {
  it('runs the compiled history and path conditions with the operators and engineParameterFacts', async () => {
    const files = compilePolicy('policy p\nrule r: when tool.args.path not within "./workspace" and history.calls.write >= 1 over the last 2 steps then stop');
    const engine = addOperators(new Engine(structuredClone(files.document.rules) as never));
    const run = async (path: string, earlier: Turn[]) =>
      (await engine.run({ tool: { name: 'write', args: { path } }, ...engineParameterFacts({ history: historyOfTurns(earlier), directory: { workingDirectory: '/srv' } }) })).results.map((r) => r.name);
    expect(await run('/etc/x', [call('write')])).toEqual(['r']);
    expect(await run('/srv/workspace/x', [call('write')])).toEqual([]);
    expect(await run('/etc/x', [call('write'), text('a'), text('b')])).toEqual([]);
  });
});

describe('replay and policy tests build the history as the supervisor does', () => {
  const lines = [call('read_inbox'), call('send_email'), text('done')].map((turn) => JSON.stringify(turn));

  it('replay: each turn sees the turns before it; a turn that recorded its history keeps it', async () => {
    const report = await replayLines(policy, lines);
    expect(report.decisions.rules).toMatchObject({ tainted: 1 });
    const recorded = JSON.stringify({ ...call('send_email'), history: emptyHistory() });
    expect((await replayLines(policy, [lines[0]!, recorded])).decisions.rules).toEqual({ '(default)': 2 });
  });

  it('a test conversation carries the history from turn to turn; a single turn is the first of its run', async () => {
    const suite = parsePolicyTests(
      JSON.stringify({
        cases: [
          { name: 'send after read', conversation: [{ turn: call('read_inbox'), expect: { action: 'continue', rule: null } }, { turn: call('send_email'), expect: { action: 'escalate', rule: 'tainted' } }] },
          { name: 'send alone', turn: call('send_email'), expect: { action: 'continue', rule: null } },
        ],
      }),
      { policy },
    );
    const result = await runPolicyTestSuite(suite);
    expect(result.cases.map((c) => c.passed)).toEqual([true, true]);
  });
});

describe('a test case may give the turns before it', () => {
  const run = async (cases: unknown[]) => runPolicyTestSuite(parsePolicyTests(JSON.stringify({ cases }), { policy }));

  it('a single turn is decided with the history of the earlier turns the case lists', async () => {
    const result = await run([
      { name: 'send after read', history: [call('read_inbox')], turn: call('send_email'), expect: { action: 'escalate', rule: 'tainted' } },
      { name: 'third refund', history: [{ toolCalls: [{ name: 'lookup' }, { name: 'refund' }] }, text('ok'), text('ok'), call('refund'), text('ok'), text('ok'), call('refund')], turn: call('refund'), expect: { action: 'escalate', rule: 'refunds' } },
      { name: 'errors in the window', history: [{ error: 'timeout' }, text('retrying'), { error: 'timeout' }], turn: text('again'), expect: { action: 'stop', rule: 'flaky' } },
      { name: 'an empty history is the first turn', history: [], turn: call('send_email'), expect: { action: 'continue', rule: null } },
    ]);
    expect(result.cases.map((c) => [c.name, c.passed])).toEqual([
      ['send after read', true],
      ['third refund', true],
      ['errors in the window', true],
      ['an empty history is the first turn', true],
    ]);
  });

  it('a conversation starts from the history the case lists', async () => {
    const result = await run([
      { name: 'read before', history: [call('read_inbox')], conversation: [{ turn: text('drafting') }, { turn: call('send_email'), expect: { action: 'escalate', rule: 'tainted' } }] },
    ]);
    expect(result.cases[0]!.passed).toBe(true);
  });

  it('the earlier turns are checked like turns: an unknown field is an error with its place', () => {
    const text = JSON.stringify({ cases: [{ name: 'typo', history: [{ tool: { name: 'read_inbox' }, toolcalls: [] }], turn: call('send_email'), expect: { action: 'escalate', rule: 'tainted' } }] });
    expect(() => parsePolicyTests(text, { policy })).toThrow(/\/cases\/0\/history\/0: unknown property "toolcalls"/);
    const notList = JSON.stringify({ cases: [{ name: 'not a list', history: { tools: ['read_inbox'] }, turn: call('send_email'), expect: { action: 'escalate', rule: 'tainted' } }] });
    expect(() => parsePolicyTests(notList, { policy })).toThrow(/\/cases\/0\/history: must be array/);
  });
});

describe('replay keeps one history per run', () => {
  // Audit records of two runs, interleaved as two runs at once write them; written without their history.
  const record = (runId: string | null, turn: Turn, seq: number) =>
    JSON.stringify({ seq, time: '2026-01-01T10:00:00.000Z', type: 'decision', runId, policy: { name: 'mail', hash: 'sha256:0' }, rule: null, reason: 'no rule matched', action: 'continue', prev: 'x', hash: 'y', turn });

  it('a run is decided on its own earlier turns, not on those of another run in the same log', async () => {
    const lines = [record('run-a', call('read_inbox'), 1), record('run-b', call('send_email'), 2), record('run-a', call('send_email'), 3), record('run-b', call('send_email'), 4)];
    const report = await replayLines(policy, lines, { maxSamples: 10 });
    expect(report.decisions.rules).toEqual({ '(default)': 3, tainted: 1 });
    const rulesInOrder = async (order: number[]) => (await replayLines(policy, order.map((i) => lines[i]!))).decisions.rules;
    expect(await rulesInOrder([1, 0, 3, 2])).toEqual({ '(default)': 3, tainted: 1 });
  });

  it('lines without a run id are one run, the transcript', async () => {
    const report = await replayLines(policy, [record(null, call('read_inbox'), 1), JSON.stringify(call('send_email'))]);
    expect(report.decisions.rules).toEqual({ '(default)': 1, tainted: 1 });
  });

  it("a turn that recorded its history carries its run on from it (a log that starts mid-run)", async () => {
    const recorded = { ...call('lookup'), history: historyOfTurns([call('read_inbox')]) };
    const report = await replayLines(policy, [record('run-a', recorded, 7), record('run-b', call('lookup'), 8), record('run-a', call('send_email'), 9)]);
    expect(report.decisions.rules).toEqual({ '(default)': 2, tainted: 1 });
  });

  it('a run whose history was forgotten (too many runs open at once) fails closed, and says why', async () => {
    const lines = [record('run-a', call('read_inbox'), 1), record('run-b', call('lookup'), 2), record('run-c', call('lookup'), 3), record('run-a', call('send_email'), 4)];
    const report = await replayLines(policy, lines, { maxRuns: 2 });
    expect(report.decisions.rules).toEqual({ '(default)': 3 });
    expect(report.decisions.failed.first).toEqual([{ line: 4, code: 'MISSING_FACT', message: expect.stringMatching(/^the history of run "run-a" is not known: more than 2 runs were open at once/) }]);
    // A policy that reads no history decides such a turn as usual.
    const plain = compilePolicy('policy plain\nrule mail: when tool.name == "send_email" then escalate "mail"');
    expect((await replayLines(plain, lines, { maxRuns: 2 })).decisions.rules).toEqual({ '(default)': 3, mail: 1 });
  });
});
