// Scripted model replies, shared by the in-process model and the HTTP server.
import type { ModelMessage, ToolCallPart } from '../messages.js';
import type { ModelRequest, ToolDefinition } from '../models/model.js';

/** One scripted tool call; `arguments` may be an object (sent as JSON). */
export interface ScriptedToolCall {
  name: string;
  arguments?: Record<string, unknown> | string;
  id?: string;
}

/**
 * One scripted model reply: text, a message with tool calls, or a function of the request.
 *
 * @example
 * const script: ScriptedReply[] = ['Hello', { toolCalls: [{ name: 'lookup', arguments: { id: '42' } }] }, ({ messages }) => `I saw ${messages.length} messages`];
 */
export type ScriptedReply =
  | string
  | { content?: string | null; toolCalls?: ScriptedToolCall[] }
  | ((request: { messages: ModelMessage[]; tools?: ToolDefinition[] }) => string | { content?: string | null; toolCalls?: ScriptedToolCall[] });

/** The reply a script gives, with tool-call ids made stable (`call_1`, `call_2`, …). */
export function resolveReply(reply: ScriptedReply, request: ModelRequest, nextId: () => string): { content: string | null; toolCalls: ToolCallPart[] } {
  const value = typeof reply === 'function' ? reply(request) : reply;
  if (typeof value === 'string') return { content: value, toolCalls: [] };
  const toolCalls = (value.toolCalls ?? []).map((call) => ({
    id: call.id ?? nextId(),
    type: 'function' as const,
    function: { name: call.name, arguments: typeof call.arguments === 'string' ? call.arguments : JSON.stringify(call.arguments ?? {}) },
  }));
  return { content: value.content ?? (toolCalls.length ? null : ''), toolCalls };
}

/** A rough token count, so scripted runs report usage like a real endpoint. */
export function countTokens(text: string): number {
  return text.split(/\s+/).filter(Boolean).length;
}

/** Hands out the replies of a script in order. */
export class Script {
  readonly #replies: ScriptedReply[];
  readonly #whenDone: ScriptedReply | undefined;
  #ids = 0;
  #used = 0;

  constructor(replies: readonly ScriptedReply[], whenDone?: ScriptedReply) {
    this.#replies = [...replies];
    this.#whenDone = whenDone;
  }

  /** How many replies are left. */
  get remaining(): number {
    return this.#replies.length - this.#used;
  }

  next(request: ModelRequest): { content: string | null; toolCalls: ToolCallPart[] } {
    const reply = this.#used < this.#replies.length ? this.#replies[this.#used++] : this.#whenDone;
    if (reply === undefined) throw new Error(`the script has no reply left (it had ${this.#replies.length}); the request's last message was: ${JSON.stringify(request.messages.at(-1)?.content ?? null)}`);
    return resolveReply(reply, request, () => `call_${++this.#ids}`);
  }
}
