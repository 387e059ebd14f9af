// The shipped model: the `openai` client on any OpenAI-compatible Chat Completions endpoint.
import OpenAI from 'openai';
import type { ChatCompletion, ChatCompletionCreateParamsNonStreaming, ChatCompletionMessageParam } from 'openai/resources/chat/completions';
import type { ToolCallPart } from '../messages.js';
import type { Model, ModelRequest, ModelResponse } from './model.js';

/**
 * The part of an `openai` client the model uses. A shape rather than the `OpenAI` class: a
 * CommonJS program's `require('openai')` is another copy of the package than the one this ES
 * module imports, and TypeScript keeps the two classes apart (their private fields differ).
 *
 * @example
 * const client: ChatCompletionsClient = new OpenAI({ baseURL: 'http://localhost:11434/v1', apiKey: 'ollama' });
 */
export interface ChatCompletionsClient {
  chat: { completions: { create(body: ChatCompletionCreateParamsNonStreaming): PromiseLike<ChatCompletion> } };
}

/**
 * @example
 * const model = new OpenAIModel({ model: 'gpt-4o-mini', baseURL: 'http://localhost:11434/v1', apiKey: 'ollama' });
 */
export interface OpenAIModelOptions {
  /** The model name, e.g. `gpt-4o-mini`. */
  model: string;
  /** Defaults to the `OPENAI_API_KEY` environment variable. */
  apiKey?: string;
  /** Any OpenAI-compatible endpoint; defaults to `OPENAI_BASE_URL` or OpenAI's own. */
  baseURL?: string;
  temperature?: number;
  /** Retries of a failed request (the client's default is 2). */
  maxRetries?: number;
  /** Milliseconds before a request is abandoned. */
  timeout?: number;
  /** A client made elsewhere (`new OpenAI(...)`); the connection options above are then ignored. */
  client?: ChatCompletionsClient;
}

/**
 * A model reached through the `openai` client, with tool calling.
 *
 * @example
 * const assistant = new AssistantAgent('assistant', { model: new OpenAIModel({ model: 'gpt-4o-mini', temperature: 0 }) });
 */
export class OpenAIModel implements Model {
  readonly name: string;
  readonly client: ChatCompletionsClient;
  readonly #temperature: number | undefined;

  constructor(options: OpenAIModelOptions) {
    this.name = options.model;
    this.#temperature = options.temperature;
    this.client =
      options.client ??
      new OpenAI({
        ...(options.apiKey !== undefined ? { apiKey: options.apiKey } : {}),
        ...(options.baseURL !== undefined ? { baseURL: options.baseURL } : {}),
        ...(options.maxRetries !== undefined ? { maxRetries: options.maxRetries } : {}),
        ...(options.timeout !== undefined ? { timeout: options.timeout } : {}),
      });
  }

  async complete(request: ModelRequest): Promise<ModelResponse> {
    const body: ChatCompletionCreateParamsNonStreaming = {
      model: this.name,
      messages: request.messages as ChatCompletionMessageParam[],
      ...(this.#temperature !== undefined ? { temperature: this.#temperature } : {}),
      ...(request.tools?.length ? { tools: request.tools } : {}),
    };
    const completion = await this.client.chat.completions.create(body);
    const message = completion.choices[0]?.message;
    const toolCalls: ToolCallPart[] = (message?.tool_calls ?? []).flatMap((call) =>
      call.type === 'function' ? [{ id: call.id, type: 'function' as const, function: { name: call.function.name, arguments: call.function.arguments } }] : [],
    );
    return {
      content: message?.content ?? null,
      ...(toolCalls.length ? { toolCalls } : {}),
      ...(completion.usage
        ? { usage: { promptTokens: completion.usage.prompt_tokens, completionTokens: completion.usage.completion_tokens, totalTokens: completion.usage.total_tokens } }
        : {}),
    };
  }
}

/**
 * The model named by the environment, or undefined when neither `OPENAI_API_KEY` nor
 * `OPENAI_BASE_URL` is set: `OPENAI_MODEL` (default `gpt-4o-mini`), `OPENAI_TEMPERATURE`.
 *
 * @example
 * const model = openAIModelFromEnv() ?? scriptedFallback;
 */
export function openAIModelFromEnv(env: NodeJS.ProcessEnv = process.env, defaults: { model?: string; temperature?: number } = {}): OpenAIModel | undefined {
  if (!env.OPENAI_API_KEY && !env.OPENAI_BASE_URL) return undefined;
  const temperature = env.OPENAI_TEMPERATURE !== undefined ? Number(env.OPENAI_TEMPERATURE) : defaults.temperature;
  return new OpenAIModel({
    model: env.OPENAI_MODEL ?? defaults.model ?? 'gpt-4o-mini',
    // Local OpenAI-compatible servers often need no key, but the client insists on one.
    apiKey: env.OPENAI_API_KEY ?? 'not-needed',
    ...(env.OPENAI_BASE_URL ? { baseURL: env.OPENAI_BASE_URL } : {}),
    ...(temperature !== undefined ? { temperature } : {}),
  });
}
