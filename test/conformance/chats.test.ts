// Chats: maxTurns, counters reset by a new chat and by reset(), per-sender limits, the first
// message asked with ">", two proxies talking, and the typed events of a run.
import { afterEach, describe, expect, test } from 'vitest';
import { ask, autoReply, closeServers, contents, noInput, promptA, promptL, said, servedModel, twoAgentChat } from './helpers.js';
import { AssistantAgent, ScriptedIO, UserProxyAgent } from './runtime.js';

afterEach(closeServers);

const u = (content: string) => said('user', 'assistant', content);
const a = (content: string) => said('assistant', 'user', content);

async function agents(mode: 'ALWAYS' | 'NEVER' | 'TERMINATE', replies: string[], answers: string[] = [], limit?: number) {
  const io = new ScriptedIO(answers);
  const { model, server } = await servedModel(replies);
  const assistant = new AssistantAgent('assistant', { model, io });
  const user = new UserProxyAgent('user', { humanInputMode: mode, codeExecutionConfig: false, io, ...(limit !== undefined ? { maxConsecutiveAutoReply: limit } : {}) });
  return { io, server, assistant, user };
}

describe('maxTurns', () => {
  test('stops after that many exchanges', async () => {
    const { io, result, server } = await twoAgentChat({ mode: 'TERMINATE', replies: ['a1', 'a2', 'a3'], chat: { maxTurns: 2 } });
    expect(io.transcript).toEqual([u('task'), a('a1'), autoReply, u(''), a('a2')]);
    expect(result.ended).toMatchObject({ cause: 'max-turns', agent: 'user' });
    expect(server.remaining).toBe(1);
  });

  test('maxTurns 1 is the task and its answer', async () => {
    const { io, result } = await twoAgentChat({ mode: 'ALWAYS', replies: ['a1'], chat: { maxTurns: 1 } });
    expect(io.transcript).toEqual([u('task'), a('a1')]);
    expect(contents(result.chatHistory)).toEqual(['task', 'a1']);
  });

  test('the human still ends a maxTurns chat with exit', async () => {
    const { io, result } = await twoAgentChat({ mode: 'ALWAYS', replies: ['a1', 'a2'], answers: ['exit'], chat: { maxTurns: 3 } });
    expect(io.transcript).toEqual([u('task'), a('a1'), ask(promptA('user', 'assistant'), 'exit')]);
    expect(result.ended.cause).toBe('exit');
  });
});

describe('counters', () => {
  test('a second chat starts with the counter at 0', async () => {
    const { io, assistant, user } = await agents('TERMINATE', ['a1', 'a2', 'a3', 'b1', 'b2', 'b3'], ['exit'], 2);
    await user.initiateChat(assistant, { message: 'task', maxTurns: 3 });
    expect(user.consecutiveAutoReplyCount(assistant)).toBe(2);
    io.transcript.length = 0;
    await user.initiateChat(assistant, { message: 'second' });
    // Without the reset, b1 would be met at the limit with prompt L.
    expect(io.transcript).toEqual([u('second'), a('b1'), autoReply, u(''), a('b2'), autoReply, u(''), a('b3'), ask(promptL('assistant'), 'exit')]);
  });

  test('reset() forgets the counters and the history', async () => {
    const { assistant, user } = await agents('TERMINATE', ['a1', 'a2'], [], 5);
    await user.initiateChat(assistant, { message: 'task', maxTurns: 2 });
    expect(user.consecutiveAutoReplyCount(assistant)).toBe(1);
    expect(user.chatMessagesWith(assistant)).toHaveLength(4);
    user.reset();
    expect(user.consecutiveAutoReplyCount(assistant)).toBe(0);
    expect(user.chatMessagesWith(assistant)).toHaveLength(0);
  });

  test('the limit can be changed for one sender only', async () => {
    const { io, assistant, user } = await agents('TERMINATE', ['a1', 'a2'], ['exit']);
    const other = new AssistantAgent('other', { io });
    user.updateMaxConsecutiveAutoReply(1, assistant);
    expect(user.maxConsecutiveAutoReply(assistant)).toBe(1);
    expect(user.maxConsecutiveAutoReply(other)).toBe(100);
    await user.initiateChat(assistant, { message: 'task' });
    expect(io.transcript).toEqual([u('task'), a('a1'), autoReply, u(''), a('a2'), ask(promptL('assistant'), 'exit')]);
  });

  test("the policy's limit is the turn's maxAutoReplies", async () => {
    const { result } = await twoAgentChat({ mode: 'NEVER', limit: 3, replies: ['a1', 'a2', 'a3', 'a4'] });
    const turns = result.events.flatMap((event) => (event.type === 'decision-made' && event.agent === 'user' ? [event.turn] : []));
    expect(turns.map((turn) => [turn.autoReplies, turn.maxAutoReplies, turn.sender])).toEqual([
      [0, 3, 'assistant'],
      [1, 3, 'assistant'],
      [2, 3, 'assistant'],
      [3, 3, 'assistant'],
    ]);
  });
});

describe('starting a chat', () => {
  test('with no message the human is asked for it with the prompt ">"', async () => {
    const { io, assistant, user } = await agents('ALWAYS', ['a1'], ['Write a haiku', 'exit']);
    const result = await user.initiateChat(assistant);
    expect(io.transcript).toEqual([ask('>', 'Write a haiku'), u('Write a haiku'), a('a1'), ask(promptA('user', 'assistant'), 'exit')]);
    expect(result.humanInputs).toEqual(['Write a haiku', 'exit']);
  });

  test('two proxies talk: one asks its human, the other auto-replies until its limit', async () => {
    const io = new ScriptedIO(['hello alice', '', 'exit']);
    const alice = new UserProxyAgent('alice', { humanInputMode: 'NEVER', maxConsecutiveAutoReply: 2, defaultAutoReply: 'ping', codeExecutionConfig: false, io });
    const bob = new UserProxyAgent('bob', { humanInputMode: 'ALWAYS', codeExecutionConfig: false, io });
    const result = await alice.initiateChat(bob, { message: 'hi' });
    const A = promptA('bob', 'alice');
    expect(io.transcript).toEqual([
      said('alice', 'bob', 'hi'),
      ask(A, 'hello alice'),
      said('bob', 'alice', 'hello alice'),
      said('alice', 'bob', 'ping'),
      ask(A, ''),
      noInput,
      autoReply,
      said('bob', 'alice', ''),
      said('alice', 'bob', 'ping'),
      ask(A, 'exit'),
    ]);
    expect(result.ended).toMatchObject({ cause: 'exit', agent: 'bob' });
  });

  test('two NEVER proxies stop at the first limit reached', async () => {
    const io = new ScriptedIO();
    const alice = new UserProxyAgent('alice', { humanInputMode: 'NEVER', maxConsecutiveAutoReply: 2, defaultAutoReply: 'ping', codeExecutionConfig: false, io });
    const bob = new UserProxyAgent('bob', { humanInputMode: 'NEVER', maxConsecutiveAutoReply: 2, defaultAutoReply: 'pong', codeExecutionConfig: false, io });
    const result = await alice.initiateChat(bob, { message: 'hi' });
    expect(contents(result.chatHistory)).toEqual(['hi', 'pong', 'ping', 'pong', 'ping']);
    expect(result.ended).toMatchObject({ cause: 'stop', agent: 'bob', rule: 'limit_reached' });
    expect(io.transcript.every((entry) => entry.type === 'print')).toBe(true);
  });
});

describe('events', () => {
  test('every step of a run is a typed event, in order', async () => {
    const { result } = await twoAgentChat({ mode: 'ALWAYS', replies: ['a1'], answers: ['exit'] });
    expect(result.events.map((event) => `${event.type}${'agent' in event ? `:${event.agent}` : ''}`)).toEqual([
      'message-sent',
      'decision-made:assistant',
      'auto-reply-generated:assistant',
      'message-sent',
      'decision-made:user',
      'human-input-requested:user',
      'human-input-received:user',
      'chat-ended',
    ]);
    const decision = result.events.find((event) => event.type === 'decision-made' && event.agent === 'user');
    expect(decision).toMatchObject({ decision: { action: 'escalate', rule: 'ask', reason: 'human input mode ALWAYS', onNoInput: 'continue', policy: { name: 'always' } } });
    expect(result.events.at(-1)).toMatchObject({ type: 'chat-ended', initiator: 'user', recipient: 'assistant', end: { cause: 'exit', agent: 'user' } });
  });

  test('hosts observe an agent with on()', async () => {
    const { assistant, user } = await agents('NEVER', ['a1'], [], 0);
    const seen: string[] = [];
    const off = user.on((event) => seen.push(event.type));
    await user.initiateChat(assistant, { message: 'task' });
    off();
    expect(seen).toEqual(['message-sent', 'decision-made', 'chat-ended']);
  });

  test('the chat result counts the tokens the model reported', async () => {
    const { result } = await twoAgentChat({ mode: 'NEVER', limit: 0, replies: ['one two three'] });
    expect(result.usage.completionTokens).toBe(3);
    expect(result.usage.totalTokens).toBeGreaterThan(3);
  });
});
