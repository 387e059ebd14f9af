// An in-process model that replies from a script, for unit tests that need no HTTP.
import type { Model, ModelRequest, ModelResponse } from '../models/model.js';
import { countTokens, Script, type ScriptedReply } from './script.js';

export interface ScriptedModelOptions {
  name?: string;
  /** The reply once the script is used up; by default the model throws then. */
  whenDone?: ScriptedReply;
}

/**
 * A model whose replies are written in advance; records every request.
 *
 * @example
 * const model = new ScriptedModel(['a1', 'a2', 'TERMINATE']);
 * const assistant = new AssistantAgent('assistant', { model });
 */
export class ScriptedModel implements Model {
  readonly name: string;
  readonly requests: ModelRequest[] = [];
  readonly #script: Script;

  constructor(replies: readonly ScriptedReply[], options: ScriptedModelOptions = {}) {
    this.name = options.name ?? 'scripted';
    this.#script = new Script(replies, options.whenDone);
  }

  /** How many scripted replies are left. */
  get remaining(): number {
    return this.#script.remaining;
  }

  async complete(request: ModelRequest): Promise<ModelResponse> {
    this.requests.push(structuredClone(request));
    const { content, toolCalls } = this.#script.next(request);
    const promptTokens = request.messages.reduce((sum, message) => sum + countTokens(String(message.content ?? '')), 0);
    const completionTokens = countTokens(content ?? '') + toolCalls.length;
    return { content, ...(toolCalls.length ? { toolCalls } : {}), usage: { promptTokens, completionTokens, totalTokens: promptTokens + completionTokens } };
  }
}
