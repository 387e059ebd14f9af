// Tool calls: a human's answer to a message with tool calls carries `USER INTERRUPTED` for
// each (rule 6); otherwise the proxy executes them.
import { afterEach, describe, expect, test } from 'vitest';
import { ask, autoReply, closeServers, noInput, promptA, promptS, said, twoAgentChat } from './helpers.js';

afterEach(closeServers);

const rule = '-'.repeat(80);
const stars = (head: string) => '*'.repeat(head.length);
const call = (id: string, name: string, args: string) => {
  const head = `***** Suggested tool call (${id}): ${name} *****`;
  return `${head}\nArguments: \n${args}\n${stars(head)}`;
};
const response = (id: string, content: string) => {
  const head = `***** Response from calling tool (${id}) *****`;
  return `${head}\n${content}\n${stars(head)}`;
};

const toolCalls = { toolCalls: [{ name: 'lookup', arguments: { id: '42' } }, { name: 'refund', arguments: { amount: 250 } }] };

describe('tool calls', () => {
  test('a human answer interrupts every tool call; the model sees the tool responses, then the answer', async () => {
    const { io, server } = await twoAgentChat({ mode: 'ALWAYS', replies: [toolCalls, 'ok'], answers: ['do not refund', 'exit'] });
    expect(io.transcript).toEqual([
      said('user', 'assistant', 'task'),
      { type: 'print', text: `assistant (to user):\n\n${call('call_1', 'lookup', '{"id":"42"}')}\n${call('call_2', 'refund', '{"amount":250}')}\n\n${rule}` },
      ask(promptA('user', 'assistant'), 'do not refund'),
      { type: 'print', text: `user (to assistant):\n\n${response('call_1', 'USER INTERRUPTED')}\n${response('call_2', 'USER INTERRUPTED')}\ndo not refund\n\n${rule}` },
      said('assistant', 'user', 'ok'),
      ask(promptA('user', 'assistant'), 'exit'),
    ]);
    const second = server.requests[1]!.messages.slice(1);
    expect(second).toEqual([
      { role: 'user', content: 'task', name: 'user' },
      {
        role: 'assistant',
        content: null,
        tool_calls: [
          { id: 'call_1', type: 'function', function: { name: 'lookup', arguments: '{"id":"42"}' } },
          { id: 'call_2', type: 'function', function: { name: 'refund', arguments: '{"amount":250}' } },
        ],
      },
      { role: 'tool', tool_call_id: 'call_1', content: 'USER INTERRUPTED' },
      { role: 'tool', tool_call_id: 'call_2', content: 'USER INTERRUPTED' },
      { role: 'user', content: 'do not refund', name: 'user' },
    ]);
  });

  test('the policy sees the tool calls, their names and arguments', async () => {
    const { result } = await twoAgentChat({ mode: 'ALWAYS', replies: [toolCalls], answers: ['exit'] });
    const decision = result.events.find((event) => event.type === 'decision-made' && event.agent === 'user');
    expect(decision).toMatchObject({ turn: { role: 'assistant', toolCalls: [{ name: 'lookup', args: '{"id":"42"}' }, { name: 'refund', args: '{"amount":250}' }] } });
  });

  test('without a human answer the proxy executes the calls and replies with their results', async () => {
    const { io, server } = await twoAgentChat({
      mode: 'TERMINATE',
      replies: [toolCalls, 'TERMINATE'],
      answers: [''],
      user: {
        functionMap: {
          lookup: ({ id }) => ({ id, total: 250 }),
          refund: () => {
            throw new Error('refunds are closed');
          },
        },
      },
    });
    expect(io.transcript.slice(2)).toEqual([
      autoReply,
      { type: 'print', text: '>>>>>>>> EXECUTING FUNCTION lookup...' },
      { type: 'print', text: '>>>>>>>> EXECUTING FUNCTION refund...' },
      { type: 'print', text: `user (to assistant):\n\n${response('call_1', '{"id":"42","total":250}')}\n${response('call_2', 'Error: refunds are closed')}\n\n${rule}` },
      said('assistant', 'user', 'TERMINATE'),
      ask(promptS('assistant'), ''),
      noInput,
    ]);
    expect(server.requests[1]!.messages.slice(-2)).toEqual([
      { role: 'tool', tool_call_id: 'call_1', content: '{"id":"42","total":250}' },
      { role: 'tool', tool_call_id: 'call_2', content: 'Error: refunds are closed' },
    ]);
  });

  test('a call to a function nobody executes is answered with an error', async () => {
    const { io } = await twoAgentChat({ mode: 'NEVER', limit: 1, replies: [{ toolCalls: [{ name: 'launch', arguments: {} }] }, 'a2'] });
    expect(io.printed[3]).toBe(`user (to assistant):\n\n${response('call_1', 'Error: Function launch not found.')}\n\n${rule}`);
  });
});
