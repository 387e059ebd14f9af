// AUTOGEN.md rule 1 (ALWAYS) with rules 4-7, and its examples.
import { afterEach, describe, expect, test } from 'vitest';
import { ask, autoReply, closeServers, contents, noInput, promptA, said, twoAgentChat } from './helpers.js';

afterEach(closeServers);

const A = promptA('user', 'assistant');

describe('ALWAYS', () => {
  test('example: assistant says a1; human types exit → two messages, the chat ends', async () => {
    const { io, result, server } = await twoAgentChat({ mode: 'ALWAYS', replies: ['a1'], answers: ['exit'] });
    expect(io.transcript).toEqual([said('user', 'assistant', 'task'), said('assistant', 'user', 'a1'), ask(A, 'exit')]);
    expect(contents(result.chatHistory)).toEqual(['task', 'a1']);
    expect(result.ended).toMatchObject({ cause: 'exit', agent: 'user' });
    expect(result.humanInputs).toEqual(['exit']);
    expect(server.requests).toHaveLength(1);
  });

  test('example: a1, a2; human "", "exit" → no input, auto reply (empty, still sent), then exit', async () => {
    const { io, result } = await twoAgentChat({ mode: 'ALWAYS', replies: ['a1', 'a2'], answers: ['', 'exit'] });
    expect(io.transcript).toEqual([
      said('user', 'assistant', 'task'),
      said('assistant', 'user', 'a1'),
      ask(A, ''),
      noInput,
      autoReply,
      said('user', 'assistant', ''),
      said('assistant', 'user', 'a2'),
      ask(A, 'exit'),
    ]);
    expect(contents(result.chatHistory)).toEqual(['task', 'a1', '', 'a2']);
    expect(result.humanInputs).toEqual(['', 'exit']);
  });

  test('a non-empty answer is sent to the sender as the reply, with no note', async () => {
    const { io, result } = await twoAgentChat({ mode: 'ALWAYS', replies: ['a1', 'a2'], answers: ['make it shorter', 'exit'] });
    expect(io.transcript).toEqual([
      said('user', 'assistant', 'task'),
      said('assistant', 'user', 'a1'),
      ask(A, 'make it shorter'),
      said('user', 'assistant', 'make it shorter'),
      said('assistant', 'user', 'a2'),
      ask(A, 'exit'),
    ]);
    expect(result.chatHistory.map((m) => [m.role, m.name, m.content])).toEqual([
      ['assistant', 'user', 'task'],
      ['user', 'assistant', 'a1'],
      ['assistant', 'user', 'make it shorter'],
      ['user', 'assistant', 'a2'],
    ]);
  });

  test('an empty answer to a termination message means exit', async () => {
    const { io, result } = await twoAgentChat({ mode: 'ALWAYS', replies: ['TERMINATE'], answers: [''] });
    expect(io.transcript).toEqual([said('user', 'assistant', 'task'), said('assistant', 'user', 'TERMINATE'), ask(A, ''), noInput]);
    expect(result.ended).toMatchObject({ cause: 'no-input', agent: 'user' });
  });

  test('an answer to a termination message is sent, and the chat goes on', async () => {
    const { io } = await twoAgentChat({ mode: 'ALWAYS', replies: ['TERMINATE', 'a2'], answers: ['not yet', 'exit'] });
    expect(io.transcript).toEqual([
      said('user', 'assistant', 'task'),
      said('assistant', 'user', 'TERMINATE'),
      ask(A, 'not yet'),
      said('user', 'assistant', 'not yet'),
      said('assistant', 'user', 'a2'),
      ask(A, 'exit'),
    ]);
  });

  test('the limit plays no part: with a limit of 1 the human is asked and Enter auto-replies past it', async () => {
    const { io } = await twoAgentChat({ mode: 'ALWAYS', limit: 1, replies: ['a1', 'a2', 'a3'], answers: ['', '', 'exit'] });
    expect(io.transcript).toEqual([
      said('user', 'assistant', 'task'),
      said('assistant', 'user', 'a1'),
      ask(A, ''),
      noInput,
      autoReply,
      said('user', 'assistant', ''),
      said('assistant', 'user', 'a2'),
      ask(A, ''),
      noInput,
      autoReply,
      said('user', 'assistant', ''),
      said('assistant', 'user', 'a3'),
      ask(A, 'exit'),
    ]);
  });

  test('limit 0: the empty answer itself is the reply, with no "USING AUTO REPLY"', async () => {
    const { io, user, assistant } = await twoAgentChat({ mode: 'ALWAYS', limit: 0, replies: ['a1', 'a2'], answers: ['', 'exit'] });
    expect(io.transcript).toEqual([
      said('user', 'assistant', 'task'),
      said('assistant', 'user', 'a1'),
      ask(A, ''),
      noInput,
      said('user', 'assistant', ''),
      said('assistant', 'user', 'a2'),
      ask(A, 'exit'),
    ]);
    expect(user.consecutiveAutoReplyCount(assistant)).toBe(0);
  });

  test('exit is matched exactly: "Exit" and "exit " are replies', async () => {
    const { io, result } = await twoAgentChat({ mode: 'ALWAYS', replies: ['a1', 'a2', 'a3'], answers: ['Exit', 'exit ', 'exit'] });
    expect(io.transcript).toEqual([
      said('user', 'assistant', 'task'),
      said('assistant', 'user', 'a1'),
      ask(A, 'Exit'),
      said('user', 'assistant', 'Exit'),
      said('assistant', 'user', 'a2'),
      ask(A, 'exit '),
      said('user', 'assistant', 'exit '),
      said('assistant', 'user', 'a3'),
      ask(A, 'exit'),
    ]);
    expect(result.humanInputs).toEqual(['Exit', 'exit ', 'exit']);
  });
});
