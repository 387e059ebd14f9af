// AUTOGEN.md rules 2-3 for TERMINATE, with rules 4-7, the counter that Enter does not reset,
// and the TERMINATE examples.
import { afterEach, describe, expect, test } from 'vitest';
import { ask, autoReply, closeServers, noInput, promptL, promptS, said, twoAgentChat } from './helpers.js';

afterEach(closeServers);

const L = promptL('assistant');
const S = promptS('assistant');
const u = (content: string) => said('user', 'assistant', content);
const a = (content: string) => said('assistant', 'user', content);

describe('TERMINATE', () => {
  test('example: a1, a2, TERMINATE; human "" → two auto replies, then prompt S, no input, end', async () => {
    const { io, result } = await twoAgentChat({ mode: 'TERMINATE', replies: ['a1', 'a2', 'TERMINATE'], answers: [''] });
    expect(io.transcript).toEqual([u('task'), a('a1'), autoReply, u(''), a('a2'), autoReply, u(''), a('TERMINATE'), ask(S, ''), noInput]);
    expect(result.ended).toMatchObject({ cause: 'no-input', agent: 'user', rule: 'ask_on_termination' });
  });

  test('example: limit 2, a1..a8; human "", "", "more", "exit" → Enter does not reset the counter, "more" does', async () => {
    const { io, result } = await twoAgentChat({
      mode: 'TERMINATE',
      limit: 2,
      replies: ['a1', 'a2', 'a3', 'a4', 'a5', 'a6', 'a7', 'a8'],
      answers: ['', '', 'more', 'exit'],
    });
    expect(io.transcript).toEqual([
      u('task'),
      a('a1'),
      autoReply,
      u(''),
      a('a2'),
      autoReply,
      u(''),
      a('a3'),
      ask(L, ''),
      noInput,
      autoReply,
      u(''),
      a('a4'),
      ask(L, ''),
      noInput,
      autoReply,
      u(''),
      a('a5'),
      ask(L, 'more'),
      u('more'),
      a('a6'),
      autoReply,
      u(''),
      a('a7'),
      autoReply,
      u(''),
      a('a8'),
      ask(L, 'exit'),
    ]);
    expect(result.ended).toMatchObject({ cause: 'exit', agent: 'user' });
    expect(result.humanInputs).toEqual(['', '', 'more', 'exit']);
  });

  test('an answer to a termination message is sent and resets the counter', async () => {
    const { io } = await twoAgentChat({ mode: 'TERMINATE', replies: ['a1', 'TERMINATE', 'a3', 'TERMINATE'], answers: ['one more thing', ''] });
    expect(io.transcript).toEqual([
      u('task'),
      a('a1'),
      autoReply,
      u(''),
      a('TERMINATE'),
      ask(S, 'one more thing'),
      u('one more thing'),
      a('a3'),
      autoReply,
      u(''),
      a('TERMINATE'),
      ask(S, ''),
      noInput,
    ]);
  });

  test('at the limit a termination message asks prompt S, where Enter means exit', async () => {
    const { io, result } = await twoAgentChat({ mode: 'TERMINATE', limit: 1, replies: ['a1', 'TERMINATE'], answers: [''] });
    expect(io.transcript).toEqual([u('task'), a('a1'), autoReply, u(''), a('TERMINATE'), ask(S, ''), noInput]);
    expect(result.ended.cause).toBe('no-input');
  });

  test('exit at prompt S ends the chat without the no-input note', async () => {
    const { io, result } = await twoAgentChat({ mode: 'TERMINATE', replies: ['TERMINATE'], answers: ['exit'] });
    expect(io.transcript).toEqual([u('task'), a('TERMINATE'), ask(S, 'exit')]);
    expect(result.ended.cause).toBe('exit');
  });

  test('limit 1: one silent auto-reply, then asked on every message until something is typed', async () => {
    const { io } = await twoAgentChat({ mode: 'TERMINATE', limit: 1, replies: ['a1', 'a2', 'a3'], answers: ['', 'exit'] });
    expect(io.transcript).toEqual([u('task'), a('a1'), autoReply, u(''), a('a2'), ask(L, ''), noInput, autoReply, u(''), a('a3'), ask(L, 'exit')]);
  });

  test('limit 0: asked at once; the empty answer itself is the reply, with no "USING AUTO REPLY"', async () => {
    const { io, user, assistant } = await twoAgentChat({ mode: 'TERMINATE', limit: 0, replies: ['a1', 'a2'], answers: ['', 'exit'] });
    expect(io.transcript).toEqual([u('task'), a('a1'), ask(L, ''), noInput, u(''), a('a2'), ask(L, 'exit')]);
    expect(user.consecutiveAutoReplyCount(assistant)).toBe(0);
  });

  test('limit 0 on a termination message asks prompt S', async () => {
    const { io } = await twoAgentChat({ mode: 'TERMINATE', limit: 0, replies: ['TERMINATE'], answers: [''] });
    expect(io.transcript).toEqual([u('task'), a('TERMINATE'), ask(S, ''), noInput]);
  });

  test('a custom termination test decides when prompt S is asked', async () => {
    const { io } = await twoAgentChat({
      mode: 'TERMINATE',
      replies: ['a1', 'Report written. DONE'],
      answers: [''],
      user: { isTerminationMsg: (message) => (message.content ?? '').includes('DONE') },
    });
    expect(io.transcript).toEqual([u('task'), a('a1'), autoReply, u(''), a('Report written. DONE'), ask(S, ''), noInput]);
  });
});
