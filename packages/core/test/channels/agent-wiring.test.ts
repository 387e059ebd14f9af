// How an approval channel's answer becomes behaviour: reply, approve, edit, reject, timeout, with
// the events naming the channel and who answered; the io path unchanged beside it.
import { describe, expect, test } from 'vitest';
import { AssistantAgent, callbackChannel, consoleChannel, ScriptedChannel, UserProxyAgent, type ApprovalRequest, type HandrailEvent } from '../../src/index.js';
import { ScriptedIO, ScriptedModel } from '../../src/testing/index.js';
import { refundPolicy, refundRun } from './helpers.js';

const received = (events: HandrailEvent[]) => events.filter((event) => event.type === 'human-input-received');

describe('answers from an approval channel', () => {
  test('the request carries the prompt, the message, the tool call and its arguments, the rule, reason and policy', async () => {
    const channel = new ScriptedChannel([{ kind: 'approve', by: 'ana' }]);
    const { result } = await refundRun({ channel, policy: refundPolicy({ timeout: '10m' }) });
    const [request] = channel.requests as [ApprovalRequest];
    expect(request).toMatchObject({
      agent: 'user',
      sender: 'assistant',
      prompt: 'assistant wants to refund. Approve?',
      message: { role: 'assistant', content: null },
      tool: { name: 'refund', args: { order: 'A-7', amount: 250 }, callId: 'call_1' },
      decision: { rule: 'large', reason: 'refund over 100', onNoInput: 'stop', timeoutMs: 600_000, policy: { name: 'refunds', hash: expect.stringMatching(/^sha256:/) } },
    });
    expect(request.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(Date.parse(request.expiresAt!) - Date.parse(request.createdAt)).toBe(600_000);
    expect(request.tools).toBeUndefined();
    const requested = result.events.find((event) => event.type === 'human-input-requested');
    expect(requested).toMatchObject({ agent: 'user', sender: 'assistant', channel: 'scripted', approvalId: request.id, timeoutMs: 600_000 });
  });

  test('approve runs the tool call as proposed, and the run goes on', async () => {
    const channel = new ScriptedChannel([{ kind: 'approve', by: 'ana' }]);
    const { result, refunds, io } = await refundRun({ channel });
    expect(refunds).toEqual([{ order: 'A-7', amount: 250 }]);
    expect(io.printed).toContain('>>>>>>>> APPROVED by ana.');
    expect(result.ended).toMatchObject({ cause: 'stop', reason: 'finished' });
    expect(received(result.events)).toEqual([
      expect.objectContaining({ agent: 'user', answer: '', timedOut: false, channel: 'scripted', by: 'ana', approval: expect.objectContaining({ kind: 'approve', by: 'ana' }) }),
    ]);
    expect(result.events.find((event) => event.type === 'tool-executed')).toMatchObject({ name: 'refund', arguments: '{"order":"A-7","amount":250}', ok: true });
  });

  test('edit runs the tool call with the edited arguments; the history keeps what the model proposed', async () => {
    const channel = new ScriptedChannel([{ kind: 'edit', args: { order: 'A-7', amount: 100 }, by: 'ana' }]);
    const { result, refunds, model } = await refundRun({ channel });
    expect(refunds).toEqual([{ order: 'A-7', amount: 100 }]);
    expect(result.events.find((event) => event.type === 'tool-executed')).toMatchObject({ arguments: '{"order":"A-7","amount":100}' });
    expect(result.humanInputs).toEqual(['{"order":"A-7","amount":100}']);
    const seen = model.requests[1]!.messages;
    expect(seen.find((message) => message.role === 'assistant')).toMatchObject({ tool_calls: [{ function: { arguments: '{"order":"A-7","amount":250}' } }] });
    expect(seen.at(-1)).toMatchObject({ role: 'tool', content: '{"refunded":100,"order":"A-7"}' });
  });

  test('reject ends the run with the message; the tool does not run', async () => {
    const channel = new ScriptedChannel([{ kind: 'reject', message: 'refunds are frozen this week', by: 'ana' }]);
    const { result, refunds, io } = await refundRun({ channel });
    expect(refunds).toEqual([]);
    expect(result.ended).toEqual({ cause: 'rejected', agent: 'user', reason: 'rejected by ana: refunds are frozen this week', rule: 'large' });
    expect(io.printed.at(-1)).toBe('>>>>>>>> REJECTED by ana.');
    expect(result.humanInputs).toEqual(['refunds are frozen this week']);
  });

  test('reply sends the text to the sender, with USER INTERRUPTED for the tool call', async () => {
    const channel = new ScriptedChannel([{ kind: 'reply', text: 'refund 100 only', by: 'ana' }]);
    const { result, refunds, model } = await refundRun({ channel, replies: [{ toolCalls: [{ name: 'refund', arguments: { order: 'A-7', amount: 250 } }] }, 'TERMINATE'] });
    expect(refunds).toEqual([]);
    expect(model.requests[1]!.messages.slice(-2)).toEqual([
      { role: 'tool', tool_call_id: 'call_1', content: 'USER INTERRUPTED' },
      { role: 'user', content: 'refund 100 only', name: 'user' },
    ]);
    expect(result.humanInputs).toEqual(['refund 100 only']);
    expect(result.ended.cause).toBe('stop');
  });

  test.each([
    ['stop', { cause: 'no-input', reason: 'refund over 100' }, 0],
    ['continue', { cause: 'stop', reason: 'finished' }, 1],
    ['reply', { cause: 'stop', reason: 'finished' }, 0],
  ] as const)('a timeout follows the policy: else %s', async (onNoInput, ended, runs) => {
    const channel = new ScriptedChannel([{ silence: true }]);
    const started = Date.now();
    const { result, refunds, io } = await refundRun({ channel, policy: refundPolicy({ timeout: '80ms', onNoInput }) });
    expect(Date.now() - started).toBeGreaterThanOrEqual(75);
    expect(io.printed).toContain('>>>>>>>> NO HUMAN INPUT RECEIVED.');
    expect(result.ended).toMatchObject(ended);
    expect(refunds).toHaveLength(runs);
    expect(received(result.events)).toEqual([expect.objectContaining({ timedOut: true, answer: '', approval: expect.objectContaining({ kind: 'timeout' }) })]);
  });

  test('an escalation names its channel with `via`; a named io keeps the prompt path, unchanged', async () => {
    const finance = new ScriptedChannel([{ kind: 'approve', by: 'bo' }], { name: 'finance-queue' });
    const fallback = new ScriptedChannel([], { name: 'default' });
    const { result, refunds } = await refundRun({ channel: fallback, channels: { finance }, policy: refundPolicy({ via: 'finance' }) });
    expect(refunds).toHaveLength(1);
    expect(fallback.requests).toEqual([]);
    expect(finance.requests[0]!.decision.channel).toBe('finance');
    expect(received(result.events)[0]).toMatchObject({ channel: 'finance', by: 'bo' });

    const typed = new ScriptedIO(['not now']);
    const io = await refundRun({ channels: { finance: typed }, policy: refundPolicy({ via: 'finance' }) });
    expect(typed.prompts).toEqual(['assistant wants to refund. Approve?']);
    expect(io.refunds).toEqual([]);
    expect(io.result.humanInputs).toEqual(['not now']);
  });

  test('without an approval channel the io answers as before', async () => {
    const io = new ScriptedIO(['']);
    const { result, refunds } = await refundRun({ io });
    expect(io.prompts).toEqual(['assistant wants to refund. Approve?']);
    expect(refunds).toEqual([]);
    expect(result.ended.cause).toBe('no-input');
  });

  test('a channel named by the policy that the agent lacks is a configuration error', async () => {
    await expect(refundRun({ channel: new ScriptedChannel(), policy: refundPolicy({ via: 'pager' }) })).rejects.toThrow('the policy asks through channel "pager", but agent user has no such channel');
  });

  test('a callback channel answers with a function of the request', async () => {
    const channel = callbackChannel((request) => ((request.tool?.args as { amount: number }).amount > 200 ? { kind: 'edit', args: { ...(request.tool!.args as object), amount: 200 }, by: 'limit-bot' } : { kind: 'approve' }));
    const { refunds, result } = await refundRun({ channel, amount: 900 });
    expect(refunds).toEqual([{ order: 'A-7', amount: 200 }]);
    expect(received(result.events)[0]).toMatchObject({ channel: 'callback', by: 'limit-bot' });
  });

  test('a console channel shows the context and reads y / n [message] / edit {json} / text / enter', async () => {
    const cases: Array<[string[], (run: Awaited<ReturnType<typeof refundRun>>) => void]> = [
      [['y'], (run) => expect(run.refunds).toEqual([{ order: 'A-7', amount: 250 }])],
      [['n too much'], (run) => expect(run.result.ended).toMatchObject({ cause: 'rejected', reason: 'rejected by console: too much' })],
      // An edit is decided again: 120 is still over 100, so the edited call is asked about.
      [['edit {bad', 'edit {"order":"A-7","amount":120}', 'y'], (run) => expect(run.refunds).toEqual([{ order: 'A-7', amount: 120 }])],
      [['edit {"order":"A-7","amount":90}'], (run) => expect(run.refunds).toEqual([{ order: 'A-7', amount: 90 }])],
      [
        [`edit {"order":"A-7","amount":${'['.repeat(80_000)}1${']'.repeat(80_000)}}`, 'edit {"order":"A-7","amount":120}', 'y'],
        (run) => {
          expect(run.refunds).toEqual([{ order: 'A-7', amount: 120 }]);
          expect(run.io.printed).toContain('Not an answer: the arguments nest deeper than 64 levels of objects and arrays; try again.');
        },
      ],
      [['call me first'], (run) => expect(run.result.humanInputs).toEqual(['call me first'])],
      [[''], (run) => expect(run.result.ended.cause).toBe('no-input')],
    ];
    for (const [answers, check] of cases) {
      const io = new ScriptedIO(answers);
      const run = await refundRun({ io, channel: consoleChannel({ io }) });
      check(run);
    }
    const io = new ScriptedIO(['y']);
    await refundRun({ io, channel: consoleChannel({ io }) });
    expect(io.printed.slice(2, 6)).toEqual([
      expect.stringMatching(/^Approval [0-9a-f-]{36} for user \(message from assistant\)$/),
      expect.stringMatching(/^ {2}rule large of policy refunds: refund over 100; no answer means stop$/),
      // What reject will do, before the person answers: the agents' default ends the run.
      '  Reject ends the run.',
      '  tool call refund (call_1): {"order":"A-7","amount":250}',
    ]);
    const refusing = new ScriptedIO(['y']);
    await refundRun({ io: refusing, channel: consoleChannel({ io: refusing }), user: { onReject: 'refuse' } });
    expect(refusing.printed).toContain('  Reject refuses this call and tells the model; the run goes on.');
  });
});

describe('shadow mode in the bundled agents', () => {
  test('the policy decides and the decision is recorded, but nobody is asked, the call runs and no stop is enforced', async () => {
    const channel = new ScriptedChannel([{ kind: 'reject', message: 'never asked' }]);
    const refunds: unknown[] = [];
    const io = new ScriptedIO();
    const assistant = new AssistantAgent('assistant', { model: new ScriptedModel([{ toolCalls: [{ name: 'refund', arguments: { order: 'A-7', amount: 250 } }] }, 'TERMINATE', 'still here']), io });
    const user = new UserProxyAgent('user', { policy: refundPolicy(), io, codeExecutionConfig: false, approvalChannel: channel, shadow: true, functionMap: { refund: (args) => (refunds.push(args), 'refunded') } });
    // Three exchanges: the refund, then TERMINATE, which the policy stops and shadow mode lets by.
    const result = await user.initiateChat(assistant, { message: 'Refund order A-7.', maxTurns: 3 });
    expect(channel.requests).toEqual([]);
    expect(refunds).toEqual([{ order: 'A-7', amount: 250 }]);
    const decided = result.events.flatMap((event) => (event.type === 'decision-made' && event.agent === 'user' ? [event.decision.action] : []));
    expect(decided).toEqual(['escalate', 'stop']);
    expect(result.ended.cause).toBe('max-turns');
  });
});
