// Messages in the OpenAI chat shape, as AutoGen stores them: one list per conversation partner,
// each message seen from the side of the agent that stores it.

/** A tool call a model asked for, in the OpenAI chat shape. */
export interface ToolCallPart {
  id: string;
  type: 'function';
  function: { name: string; arguments: string };
}

/** The answer to one tool call. */
export interface ToolResponse {
  role: 'tool';
  tool_call_id: string;
  content: string;
}

/**
 * One chat message. `role` is relative to the agent holding it: what it sent is `assistant`,
 * what it received is `user` (tool responses stay `tool`). `tool_responses` carries the answers
 * to the tool calls of the previous message, as AutoGen does; it is spread into separate `tool`
 * messages when the conversation goes to a model.
 *
 * @example
 * const message: Message = { role: 'user', content: 'Summarise data.csv', name: 'user' };
 */
export interface Message {
  role: 'system' | 'user' | 'assistant' | 'tool';
  content: string | null;
  name?: string;
  tool_calls?: ToolCallPart[];
  tool_call_id?: string;
  tool_responses?: ToolResponse[];
}

/**
 * What an agent may send: plain text, or a message whose role the runtime settles.
 *
 * @example
 * await user.send('Draft the email', assistant);
 * await user.send({ content: 'Looks good', tool_responses: [] }, assistant);
 */
export type MessageInput = string | (Partial<Message> & { content?: string | null });

/**
 * Normalises what was sent into a message; null when it holds neither content nor tool calls,
 * which AutoGen refuses as "not a valid ChatCompletion message".
 *
 * @example
 * toMessage('hello'); // { role: 'user', content: 'hello' }
 */
export function toMessage(input: MessageInput): Message | null {
  if (typeof input === 'string') return { role: 'user', content: input };
  if (input === null || typeof input !== 'object') return null;
  const hasToolCalls = Array.isArray(input.tool_calls) && input.tool_calls.length > 0;
  if ((input.content === undefined || input.content === null) && !hasToolCalls && !input.tool_responses?.length) return null;
  const message: Message = { role: input.role ?? 'user', content: input.content ?? null };
  if (input.name !== undefined) message.name = input.name;
  if (hasToolCalls) message.tool_calls = input.tool_calls!.map((call) => ({ ...call, function: { ...call.function } }));
  if (input.tool_call_id !== undefined) message.tool_call_id = input.tool_call_id;
  if (input.tool_responses?.length) message.tool_responses = input.tool_responses.map((response) => ({ ...response }));
  return message;
}

/**
 * The message as the holder stores it (AutoGen's `_append_oai_message`): tool responses keep
 * their role, tool calls are always `assistant`, everything else takes the holder's side, and
 * a message without a name is named after its author.
 */
export function asStored(message: Message, role: 'user' | 'assistant', author: string): Message {
  const stored: Message = { ...message };
  if (message.tool_calls?.length) stored.role = 'assistant';
  else if (message.role !== 'tool') stored.role = role;
  if (!message.tool_calls?.length && stored.name === undefined) stored.name = author;
  if (message.tool_calls) stored.tool_calls = message.tool_calls.map((call) => ({ ...call, function: { ...call.function } }));
  if (message.tool_responses) stored.tool_responses = message.tool_responses.map((response) => ({ ...response }));
  return stored;
}

/**
 * The text of a message's content (`content_str` in AutoGen).
 *
 * @example
 * contentText({ role: 'user', content: null }); // ''
 */
export function contentText(message: Pick<Message, 'content'>): string {
  return message.content ?? '';
}

/** A message as the OpenAI API takes it. */
export type ModelMessage =
  | { role: 'system'; content: string; name?: string }
  | { role: 'user'; content: string; name?: string }
  | { role: 'assistant'; content: string | null; name?: string; tool_calls?: ToolCallPart[] }
  | { role: 'tool'; content: string; tool_call_id: string };

const namePattern = /^[a-zA-Z0-9_-]{1,64}$/;

/**
 * A conversation as a model reads it: tool responses spread into `tool` messages (before the
 * message that carried them, which is dropped when it is itself a tool message), names only
 * where the API accepts them.
 *
 * @example
 * const messages = toModelMessages([{ role: 'system', content: 'You are terse.' }, ...history]);
 */
export function toModelMessages(messages: readonly Message[]): ModelMessage[] {
  const out: ModelMessage[] = [];
  for (const message of messages) {
    for (const response of message.tool_responses ?? []) out.push({ role: 'tool', tool_call_id: response.tool_call_id, content: response.content });
    if (message.tool_responses?.length && message.role === 'tool') continue;
    const name = message.name !== undefined && namePattern.test(message.name) ? { name: message.name } : {};
    switch (message.role) {
      case 'tool':
        out.push({ role: 'tool', tool_call_id: message.tool_call_id ?? '', content: contentText(message) });
        break;
      case 'assistant':
        out.push({ role: 'assistant', content: message.content, ...name, ...(message.tool_calls?.length ? { tool_calls: message.tool_calls } : {}) });
        break;
      case 'system':
        out.push({ role: 'system', content: contentText(message), ...name });
        break;
      default:
        out.push({ role: 'user', content: contentText(message), ...name });
    }
  }
  return out;
}
