// The local OpenAI-compatible server, talked to by the real openai client.
import OpenAI from 'openai';
import { afterEach, describe, expect, test } from 'vitest';
import { OpenAIModel } from '../src/index.js';
import { startOpenAIServer, type OpenAIServer } from '../src/testing/index.js';

let server: OpenAIServer | undefined;
afterEach(() => server?.close());

describe('startOpenAIServer', () => {
  test('serves scripted replies, tool calls included, and records the requests', async () => {
    server = await startOpenAIServer(['hello', { content: 'checking', toolCalls: [{ name: 'lookup', arguments: { id: 7 } }] }, ({ messages }) => `you sent ${messages.length}`]);
    const model = new OpenAIModel({ model: 'm', baseURL: server.baseURL, apiKey: 'k', temperature: 0.2 });
    expect(await model.complete({ messages: [{ role: 'user', content: 'hi' }] })).toMatchObject({ content: 'hello', usage: { completionTokens: 1 } });
    const second = await model.complete({ messages: [{ role: 'user', content: 'find 7' }], tools: [{ type: 'function', function: { name: 'lookup' } }] });
    expect(second).toMatchObject({ content: 'checking', toolCalls: [{ id: 'call_1', type: 'function', function: { name: 'lookup', arguments: '{"id":7}' } }] });
    expect((await model.complete({ messages: [{ role: 'system', content: 's' }, { role: 'user', content: 'u' }] })).content).toBe('you sent 2');
    expect(server.requests.map((request) => [request.model, request.temperature, request.tools?.length ?? 0])).toEqual([
      ['m', 0.2, 0],
      ['m', 0.2, 1],
      ['m', 0.2, 0],
    ]);
    expect(server.requests[0]!.headers.authorization).toBe('Bearer k');
  });

  test('streams when asked', async () => {
    server = await startOpenAIServer([{ content: 'streamed', toolCalls: [{ name: 'f', arguments: {} }] }]);
    const client = new OpenAI({ baseURL: server.baseURL, apiKey: 'k' });
    const stream = await client.chat.completions.create({ model: 'm', messages: [{ role: 'user', content: 'hi' }], stream: true });
    const parts: string[] = [];
    for await (const chunk of stream) {
      const delta = chunk.choices[0]?.delta;
      if (delta?.content) parts.push(delta.content);
      for (const call of delta?.tool_calls ?? []) parts.push(`call:${call.function?.name}`);
    }
    expect(parts).toEqual(['streamed', 'call:f']);
  });

  test('ends a stream with a usage chunk when the client asks for it (stream_options.include_usage), as the API does', async () => {
    server = await startOpenAIServer(['one two three', 'again']);
    const client = new OpenAI({ baseURL: server.baseURL, apiKey: 'k' });
    const withUsage = await client.chat.completions.create({ model: 'm', messages: [{ role: 'user', content: 'hi there' }], stream: true, stream_options: { include_usage: true } });
    const chunks = [];
    for await (const chunk of withUsage) chunks.push(chunk);
    expect(chunks.slice(0, -1).every((chunk) => chunk.usage === null && chunk.choices.length === 1)).toBe(true);
    expect(chunks.at(-1)).toMatchObject({ choices: [], usage: { prompt_tokens: 2, completion_tokens: 3, total_tokens: 5 } });
    expect(server.requests[0]!.streamOptions).toEqual({ include_usage: true });

    const without = await client.chat.completions.create({ model: 'm', messages: [{ role: 'user', content: 'hi' }], stream: true });
    const plain = [];
    for await (const chunk of without) plain.push(chunk);
    expect(plain.every((chunk) => chunk.choices.length === 1 && chunk.usage === undefined)).toBe(true);
  });

  test('answers errors as the API does', async () => {
    server = await startOpenAIServer(['only'], { apiKey: 'right' });
    const wrong = new OpenAI({ baseURL: server.baseURL, apiKey: 'wrong', maxRetries: 0 });
    await expect(wrong.chat.completions.create({ model: 'm', messages: [{ role: 'user', content: 'x' }] })).rejects.toMatchObject({ status: 401 });
    const right = new OpenAI({ baseURL: server.baseURL, apiKey: 'right', maxRetries: 0 });
    expect((await right.models.list()).data[0]?.id).toBe('scripted');
    await right.chat.completions.create({ model: 'm', messages: [{ role: 'user', content: 'x' }] });
    await expect(right.chat.completions.create({ model: 'm', messages: [{ role: 'user', content: 'x' }] })).rejects.toMatchObject({
      status: 500,
      message: expect.stringContaining('no reply left'),
    });
  });
});
