// Replay as a program uses it: each shape of transcript line, the counts, the differences from
// another policy, and the report a person reads.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { compilePolicy, createReplay, formatReplayReport, readTranscriptLine, replayLines, turnOfMessage, type Turn } from '../src/index.js';

const policy = compilePolicy(
  `policy review version 2
mode never
max auto_replies 3
fact tier: string

rule review: when content contains "NEEDS_REVIEW" then escalate "asked for review" timeout 10m
rule refund: when tool.name == "refund" and tool.args.amount > 100 then stop "large refund"
rule gold: when tier == "gold" then continue with "welcome back"
`,
  { file: 'review.policy' },
);

const old = compilePolicy(
  `policy review version 1
rule review: when content contains "NEEDS_REVIEW" then escalate "asked for review"
`,
  { file: 'old.policy' },
);

const line = (value: unknown) => JSON.stringify(value);
const facts = { tier: 'silver' };

describe('readTranscriptLine', () => {
  it('reads a Turn as it is', () => {
    expect(readTranscriptLine(line({ content: 'hi', role: 'user', autoReplies: 2 }))).toEqual({ kind: 'turns', format: 'turn', turns: [{ content: 'hi', role: 'user', autoReplies: 2 }] });
  });

  it('reads an OpenAI chat message as the runtime turns it into a Turn', () => {
    const message = { role: 'assistant', content: null, name: 'clerk', tool_calls: [{ id: 'c1', type: 'function', function: { name: 'refund', arguments: '{"amount": 150}' } }] };
    expect(readTranscriptLine(line(message))).toEqual({
      kind: 'turns',
      format: 'message',
      turns: [{ role: 'assistant', content: null, sender: 'clerk', toolCalls: [{ name: 'refund', args: '{"amount": 150}' }] }],
    });
    expect(turnOfMessage({ role: 'user', content: 'ok', tool_responses: [{ role: 'tool', tool_call_id: 'c1', content: 'done' }] })).toEqual({ role: 'tool', content: 'ok' });
    expect(turnOfMessage({ role: 'developer', content: 'be brief' })).toEqual({ role: 'system', content: 'be brief' });
    expect(turnOfMessage({ role: 'tool', content: 'result', tool_call_id: 'c1' })).toEqual({ role: 'tool', content: 'result' });
  });

  it("reads a record's turn: an audit record or a decision-made event", () => {
    const turn: Turn = { content: 'NEEDS_REVIEW', role: 'assistant', sender: 'clerk', step: 3 };
    expect(readTranscriptLine(line({ type: 'decision-made', agent: 'proxy', sender: 'clerk', decision: { action: 'escalate' }, turn }))).toEqual({ kind: 'turns', format: 'record', turns: [turn] });
    expect(readTranscriptLine(line({ seq: 4, type: 'decision', action: 'stop', turn }))).toEqual({ kind: 'turns', format: 'record', turns: [turn] });
  });

  it("reads the run an audit record names; null names none", () => {
    const turn: Turn = { content: 'hi' };
    expect(readTranscriptLine(line({ seq: 4, type: 'decision', runId: 'run-42', action: 'stop', turn }))).toEqual({ kind: 'turns', format: 'record', turns: [turn], runId: 'run-42' });
    expect(readTranscriptLine(line({ seq: 5, type: 'decision', runId: null, action: 'stop', turn }))).toEqual({ kind: 'turns', format: 'record', turns: [turn] });
  });

  it("reads every decision-made event of a chat result, in order", () => {
    const result = {
      chatHistory: [{ role: 'user', content: 'task' }],
      summary: 'x',
      events: [
        { type: 'message-sent', sender: 'user', recipient: 'clerk', message: { role: 'user', content: 'task' }, silent: false },
        { type: 'decision-made', agent: 'clerk', sender: 'user', decision: {}, turn: { content: 'task' } },
        { type: 'decision-made', agent: 'user', sender: 'clerk', decision: {}, turn: { content: 'TERMINATE' } },
      ],
    };
    expect(readTranscriptLine(line(result))).toEqual({ kind: 'turns', format: 'chat-result', turns: [{ content: 'task' }, { content: 'TERMINATE' }] });
    expect(readTranscriptLine(line({ ...result, events: [] }))).toEqual({ kind: 'skipped', type: 'chat result without decisions' });
  });

  it('skips records that hold no turn, named by their type', () => {
    expect(readTranscriptLine(line({ type: 'message-sent', sender: 'a', recipient: 'b', message: { role: 'user', content: 'x' } }))).toEqual({ kind: 'skipped', type: 'message-sent' });
    expect(readTranscriptLine(line({ seq: 1, type: 'answer', answer: { kind: 'approve' }, sender: 'clerk' }))).toEqual({ kind: 'skipped', type: 'answer' });
    expect(readTranscriptLine(line({ type: 'decision', turn: null }))).toEqual({ kind: 'skipped', type: 'decision' });
    expect(readTranscriptLine(line({ decision: { action: 'stop' }, sender: 'clerk' }))).toEqual({ kind: 'skipped', type: 'decision without a turn' });
    expect(readTranscriptLine(line({ unrelated: true }))).toEqual({ kind: 'skipped', type: '(no turn)' });
  });

  it('calls a line bad when it is not a JSON object', () => {
    expect(readTranscriptLine('{"content": "unterminated')).toMatchObject({ kind: 'bad', message: expect.stringMatching(/^not JSON: /) });
    expect(readTranscriptLine('[1, 2]')).toEqual({ kind: 'bad', message: 'not a JSON object but an array' });
    expect(readTranscriptLine('null')).toEqual({ kind: 'bad', message: 'not a JSON object but null' });
    expect(readTranscriptLine('"text"')).toEqual({ kind: 'bad', message: 'not a JSON object but a string' });
    expect(readTranscriptLine('{"turn": "text"}')).toEqual({ kind: 'bad', message: 'its "turn" is not an object' });
  });
});

const transcript = [
  line({ content: 'hello', role: 'assistant' }), // 1: default
  line({ content: 'Invoice 4 NEEDS_REVIEW', role: 'assistant' }), // 2: review
  '', // 3: blank
  'this is not json', // 4: bad
  line({ role: 'assistant', content: null, tool_calls: [{ id: 'c', type: 'function', function: { name: 'refund', arguments: '{"amount": 500}' } }] }), // 5: refund
  line({ type: 'chat-ended', initiator: 'a', recipient: 'b', end: { cause: 'stop' } }), // 6: skipped
  line({ content: 'hi', facts: { tier: 'gold' } }), // 7: gold
  line({ content: 'x', role: 'robot' }), // 8: failed closed (INVALID_TURN)
  line({ content: 'y', autoReplies: 3 }), // 9: never.limit_reached
  line({ events: [{ type: 'decision-made', turn: { content: 'a' } }, { type: 'decision-made', turn: { content: 'NEEDS_REVIEW' } }] }), // 10: two turns
];

describe('replayLines', () => {
  it('counts decisions per action and per rule, failures, skipped, bad and blank lines', async () => {
    const report = await replayLines(policy, transcript, { facts });
    expect(report).toMatchObject({
      policy: { name: 'review', version: '2', hash: policy.hash, file: 'review.policy' },
      lines: 10,
      blankLines: 1,
      turns: 8,
      formats: { turn: 5, message: 1, record: 0, 'chat-result': 2 },
      skipped: { count: 1, types: { 'chat-ended': 1 } },
      badLines: { count: 1, first: [{ line: 4, message: expect.stringMatching(/^not JSON/) }] },
      decisions: {
        actions: { continue: 3, escalate: 2, stop: 2 },
        rules: { '(default)': 2, review: 2, refund: 1, gold: 1, 'never.limit_reached': 1 },
        failed: { count: 1, codes: { INVALID_TURN: 1 } },
      },
    });
    expect(report.decisions.failed.first).toEqual([{ line: 8, code: 'INVALID_TURN', message: 'invalid turn: role must be one of assistant, user, tool, system, not "robot"' }]);
    expect(report.differences).toBeUndefined();
  });

  it('fails closed, and says so, when a custom fact is missing', async () => {
    const report = await replayLines(policy, [line({ content: 'hello' })]);
    expect(report.decisions.failed).toEqual({ count: 1, codes: { MISSING_FACT: 1 }, first: [{ line: 1, code: 'MISSING_FACT', message: 'policy review reads the fact "tier", but the host did not provide it' }] });
    expect(report.decisions.actions).toEqual({ continue: 0, escalate: 0, stop: 0 });
  });

  it('lists every turn decided differently by the other policy, with its line (and turn within the line)', async () => {
    const report = await replayLines(policy, transcript, { facts, against: old });
    expect(report.against).toEqual({ name: 'review', version: '1', hash: old.hash, file: 'old.policy' });
    expect(report.againstDecisions!.actions).toEqual({ continue: 5, escalate: 2, stop: 0 });
    expect(report.differences!.count).toBe(5);
    const places = report.differences!.first.map((d) => (d.item ? `${d.line}.${d.item}` : `${d.line}`));
    // Line 1 and the first turn of line 10 are decided alike (by default), and line 8 fails
    // closed alike (a robot's role); the rest differ.
    expect(places).toEqual(['2', '5', '7', '9', '10.2']);
    expect(report.differences!.first[0]).toEqual({
      line: 2,
      old: { action: 'escalate', rule: 'review', reason: 'asked for review', reset: [], onNoInput: 'stop' },
      new: { action: 'escalate', rule: 'review', reason: 'asked for review', reset: [], onNoInput: 'stop', timeoutMs: 600_000 },
    });
    expect(report.differences!.first[2]).toEqual({
      line: 7,
      old: { action: 'continue', rule: null, reason: 'no rule matched', reset: [] },
      new: { action: 'continue', rule: 'gold', reason: 'rule gold', reset: [], reply: 'welcome back' },
    });
  });

  it('keeps only the first differences and bad lines, and counts them all', async () => {
    const lines = function* () {
      for (let i = 0; i < 5000; i++) yield i % 2 ? line({ content: 'NEEDS_REVIEW' }) : '{bad';
    };
    const report = await replayLines(policy, lines(), { facts, against: old, maxDifferences: 10, maxSamples: 3 });
    expect(report.differences!.count).toBe(2500);
    expect(report.differences!.first.map((d) => d.line)).toEqual([2, 4, 6, 8, 10, 12, 14, 16, 18, 20]);
    expect(report.badLines.count).toBe(2500);
    expect(report.badLines.first.map((b) => b.line)).toEqual([1, 3, 5]);
  });

  it('reads lines from an async source, skips a byte order mark and counts rules named like Object methods', async () => {
    const odd = compilePolicy('policy odd\nrule constructor: when content == "a" then stop\nrule toString: when content == "b" then stop');
    async function* lines() {
      yield '\ufeff' + line({ content: 'a' });
      yield line({ content: 'b' });
      yield line({ type: '__proto__' });
    }
    const report = await replayLines(odd, lines());
    expect(report.turns).toBe(2);
    expect({ ...report.decisions.rules }).toEqual({ constructor: 1, toString: 1 });
    expect(Object.entries(report.skipped.types)).toEqual([['__proto__', 1]]);
  });

  it('decides each turn once per policy, as decide does', async () => {
    const replay = createReplay(policy, { facts });
    replay.line(line({ content: 'Please check: NEEDS_REVIEW', role: 'assistant' }));
    expect(replay.report().decisions.rules).toEqual({ review: 1 });
  });
});

describe('formatReplayReport', () => {
  it('prints what was read, the counts side by side, failures, skipped and bad lines, and each difference', async () => {
    const report = await replayLines(policy, transcript, { facts, against: old });
    const text = formatReplayReport(report, { transcript: 'runs.jsonl' });
    expect(text).toBe(`replay runs.jsonl
  policy   review.policy  (review version 2, ${policy.hash.slice(0, 19)}…)
  against  old.policy  (review version 1, ${old.hash.slice(0, 19)}…)
  10 lines: 8 turns, 1 skipped (no turn), 1 bad, 1 blank

action           new  old
  continue         3    5
  escalate         2    2
  stop             2    0
  failed closed    1    1

deciding rule          new  old
  (default)              2    5
  review                 2    2
  gold                   1    0
  never.limit_reached    1    0
  refund                 1    0

failed closed (new): 1 decision
  INVALID_TURN  1
  line 8: INVALID_TURN: invalid turn: role must be one of assistant, user, tool, system, not "robot"

failed closed (old): 1 decision
  INVALID_TURN  1
  line 8: INVALID_TURN: invalid turn: role must be one of assistant, user, tool, system, not "robot"

skipped: 1 line without a turn
  chat-ended  1

bad lines: 1
  line 4: ${report.badLines.first[0]!.message}

differences: 5 of 8 turns decided differently
  line 2
    old  escalate review "asked for review" [else stop]
    new  escalate review "asked for review" [else stop, timeout 10m]
  line 5
    old  continue (default) "no rule matched"
    new  stop refund "large refund"
  line 7
    old  continue (default) "no rule matched"
    new  continue gold "rule gold" [reply "welcome back"]
  line 9
    old  continue (default) "no rule matched"
    new  stop never.limit_reached "reached the limit of consecutive auto-replies"
  line 10 (turn 2)
    old  escalate review "asked for review" [else stop]
    new  escalate review "asked for review" [else stop, timeout 10m]
`);
  });
});

describe('docs/testing-policies.md, "Formatting and replay"', () => {
  const doc = readFileSync(new URL('../../../docs/testing-policies.md', import.meta.url), 'utf8');
  const section = doc.split('\n## Formatting and replay\n')[1] ?? '';
  const fenced = (language: string) => [...section.matchAll(new RegExp(`\`\`\`${language}\\n([\\s\\S]*?)\`\`\``, 'g'))].map((match) => match[1]!);

  it('prints what the section shows for its transcript', async () => {
    // The section's last two policies are the new one and the one in use.
    const [policy, old] = fenced('policy').slice(-2);
    const [transcriptText] = fenced('jsonl');
    const [shown] = fenced('text');
    const report = await replayLines(compilePolicy(policy!, { file: 'refunds.policy' }), transcriptText!.trimEnd().split('\n'), {
      against: compilePolicy(old!, { file: 'refunds-old.policy' }),
      facts: { tier: 'silver' },
    });
    // Hashes change with the compiler, and JSON's error messages with Node's version.
    const normal = (text: string) => text.replace(/sha256:[0-9a-f]{12}…/g, 'sha256:…').replace(/not JSON: .*/g, 'not JSON: …');
    expect(normal(formatReplayReport(report, { transcript: 'runs.jsonl' }))).toBe(normal(shown!));
  });
});
