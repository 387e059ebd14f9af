// AUTOGEN.md rules 2-3 for NEVER, rule 7's silent auto-replies, and the NEVER example.
import { afterEach, describe, expect, test } from 'vitest';
import { closeServers, contents, said, twoAgentChat } from './helpers.js';

afterEach(closeServers);

describe('NEVER', () => {
  test('example: limit 2, assistant a1..a4 → task, a1, "", a2, "", a3, end; no prompt, no note', async () => {
    const { io, result, server } = await twoAgentChat({ mode: 'NEVER', limit: 2, replies: ['a1', 'a2', 'a3', 'a4'] });
    expect(io.transcript).toEqual([
      said('user', 'assistant', 'task'),
      said('assistant', 'user', 'a1'),
      said('user', 'assistant', ''),
      said('assistant', 'user', 'a2'),
      said('user', 'assistant', ''),
      said('assistant', 'user', 'a3'),
    ]);
    expect(contents(result.chatHistory)).toEqual(['task', 'a1', '', 'a2', '', 'a3']);
    expect(result.ended).toMatchObject({ cause: 'stop', agent: 'user', rule: 'limit_reached' });
    expect(server.remaining).toBe(1);
    expect(io.prompts).toEqual([]);
  });

  test('limit 0: the first message from the assistant ends the chat', async () => {
    const { io } = await twoAgentChat({ mode: 'NEVER', limit: 0, replies: ['a1'] });
    expect(io.transcript).toEqual([said('user', 'assistant', 'task'), said('assistant', 'user', 'a1')]);
  });

  test('limit 1: one auto-reply, then the end', async () => {
    const { io } = await twoAgentChat({ mode: 'NEVER', limit: 1, replies: ['a1', 'a2'] });
    expect(io.transcript).toEqual([said('user', 'assistant', 'task'), said('assistant', 'user', 'a1'), said('user', 'assistant', ''), said('assistant', 'user', 'a2')]);
  });

  test('a termination message ends the chat below the limit', async () => {
    const { io, result } = await twoAgentChat({ mode: 'NEVER', replies: ['a1', 'TERMINATE'] });
    expect(io.transcript).toEqual([said('user', 'assistant', 'task'), said('assistant', 'user', 'a1'), said('user', 'assistant', ''), said('assistant', 'user', 'TERMINATE')]);
    expect(result.ended).toMatchObject({ cause: 'stop', agent: 'user', rule: 'termination' });
  });

  test('TERMINATE is matched exactly: "All done. TERMINATE" does not end the chat', async () => {
    const { io } = await twoAgentChat({ mode: 'NEVER', replies: ['All done. TERMINATE', 'TERMINATE'] });
    expect(io.printed).toEqual([
      said('user', 'assistant', 'task').text,
      said('assistant', 'user', 'All done. TERMINATE').text,
      said('user', 'assistant', '').text,
      said('assistant', 'user', 'TERMINATE').text,
    ]);
  });

  test('a custom termination test replaces the default one', async () => {
    const { io, result } = await twoAgentChat({
      mode: 'NEVER',
      replies: ['All done. TERMINATE'],
      user: { isTerminationMsg: (message) => (message.content ?? '').trimEnd().endsWith('TERMINATE') },
    });
    expect(io.transcript).toEqual([said('user', 'assistant', 'task'), said('assistant', 'user', 'All done. TERMINATE')]);
    const decision = result.events.find((event) => event.type === 'decision-made' && event.agent === 'user');
    expect(decision).toMatchObject({ turn: { isTermination: true }, decision: { action: 'stop', rule: 'termination' } });
  });

  test('defaultAutoReply replaces the empty auto-reply', async () => {
    const { io } = await twoAgentChat({ mode: 'NEVER', limit: 1, replies: ['a1', 'a2'], user: { defaultAutoReply: 'Go on.' } });
    expect(io.printed).toContain(said('user', 'assistant', 'Go on.').text);
  });
});
