// The small interface an AssistantAgent talks to a model through.
import type { ModelMessage, ToolCallPart } from '../messages.js';

/**
 * A function the model may call, in the OpenAI tools shape.
 *
 * @example
 * const tool: ToolDefinition = { type: 'function', function: { name: 'lookup', description: 'Find an invoice', parameters: { type: 'object', properties: { id: { type: 'string' } } } } };
 */
export interface ToolDefinition {
  type: 'function';
  function: { name: string; description?: string; parameters?: Record<string, unknown> };
}

/** Token counts of one call, when the model reports them. */
export interface Usage {
  promptTokens: number;
  completionTokens: number;
  totalTokens: number;
}

export interface ModelRequest {
  messages: ModelMessage[];
  tools?: ToolDefinition[];
}

export interface ModelResponse {
  content: string | null;
  toolCalls?: ToolCallPart[];
  usage?: Usage;
}

/**
 * A chat model: messages in, one message out.
 *
 * @example
 * const echo: Model = { name: 'echo', complete: async ({ messages }) => ({ content: String(messages.at(-1)?.content ?? '') }) };
 */
export interface Model {
  readonly name: string;
  complete(request: ModelRequest): Promise<ModelResponse>;
}
