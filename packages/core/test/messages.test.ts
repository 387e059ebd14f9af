// Messages in the OpenAI chat shape, and how a received one is shown.
import { describe, expect, test } from 'vitest';
import { formatReceivedMessage } from '../src/advanced.js';
import { AssistantAgent, asStored, toMessage, toModelMessages } from '../src/index.js';
import { ScriptedIO } from '../src/testing/index.js';

describe('messages', () => {
  test('text becomes a message; nothing to say is refused', () => {
    expect(toMessage('hi')).toEqual({ role: 'user', content: 'hi' });
    expect(toMessage('')).toEqual({ role: 'user', content: '' });
    expect(toMessage({ content: null })).toBeNull();
  });

  test('stored from each side: sent is assistant, received is user, tool calls stay assistant, tool stays tool', () => {
    expect(asStored({ role: 'user', content: 'x' }, 'assistant', 'me')).toEqual({ role: 'assistant', content: 'x', name: 'me' });
    expect(asStored({ role: 'user', content: 'x' }, 'user', 'them')).toEqual({ role: 'user', content: 'x', name: 'them' });
    const call = { id: 'c', type: 'function' as const, function: { name: 'f', arguments: '{}' } };
    expect(asStored({ role: 'user', content: null, tool_calls: [call] }, 'user', 'them')).toEqual({ role: 'assistant', content: null, tool_calls: [call] });
    expect(asStored({ role: 'tool', content: 'r', tool_call_id: 'c' }, 'user', 'them').role).toBe('tool');
  });

  test('tool responses are spread before the message that carried them', () => {
    expect(
      toModelMessages([
        { role: 'tool', content: 'a\n\nb', tool_responses: [{ role: 'tool', tool_call_id: '1', content: 'a' }, { role: 'tool', tool_call_id: '2', content: 'b' }] },
        { role: 'user', content: 'stop', name: 'user', tool_responses: [{ role: 'tool', tool_call_id: '3', content: 'USER INTERRUPTED' }] },
        { role: 'user', content: 'hi', name: 'has space' },
      ]),
    ).toEqual([
      { role: 'tool', tool_call_id: '1', content: 'a' },
      { role: 'tool', tool_call_id: '2', content: 'b' },
      { role: 'tool', tool_call_id: '3', content: 'USER INTERRUPTED' },
      { role: 'user', content: 'stop', name: 'user' },
      { role: 'user', content: 'hi' },
    ]);
  });

  test('a received message is printed as AutoGen prints it', () => {
    expect(formatReceivedMessage({ role: 'user', content: 'task' }, 'user', 'assistant')).toBe(`user (to assistant):\n\ntask\n\n${'-'.repeat(80)}`);
  });

  test('an empty message is printed as an empty block unless the receiver hides empty messages', async () => {
    const sender = new AssistantAgent('sender', { io: new ScriptedIO([]) });
    for (const hideEmptyMessages of [false, true]) {
      const io = new ScriptedIO([]);
      const receiver = new AssistantAgent('receiver', { io, hideEmptyMessages });
      await receiver.receive('', sender, { requestReply: false });
      await receiver.receive({ role: 'assistant', content: '', tool_calls: [{ id: 'c1', type: 'function', function: { name: 'f', arguments: '{}' } }] }, sender, { requestReply: false });
      const blocks = io.printed.filter((text) => text.startsWith('sender (to receiver):'));
      expect(blocks.length).toBe(hideEmptyMessages ? 1 : 2);
      expect(blocks.at(-1)).toContain('Suggested tool call (c1): f');
    }
  });
});
