// Answering a message's tool calls with the functions this agent executes
// (AutoGen's generate_tool_calls_reply / execute_function).
import type { Message, ToolResponse } from '../messages.js';

/** A function a model may call; receives the parsed JSON arguments. */
export type ToolFunction = (args: Record<string, unknown>) => unknown | Promise<unknown>;

function text(value: unknown): string {
  if (typeof value === 'string') return value;
  if (value === undefined || value === null) return '';
  return JSON.stringify(value);
}

/** Runs one call; failures become the text the model sees, as in AutoGen. */
export async function executeToolCall(functions: ReadonlyMap<string, ToolFunction>, name: string, rawArguments: string): Promise<{ content: string; ok: boolean }> {
  const fn = functions.get(name);
  if (!fn) return { content: `Error: Function ${name} not found.`, ok: false };
  let args: Record<string, unknown>;
  try {
    args = rawArguments.trim() === '' ? {} : (JSON.parse(rawArguments) as Record<string, unknown>);
  } catch (error) {
    return { content: `Error: ${(error as Error).message}\n The argument must be in JSON format.`, ok: false };
  }
  try {
    return { content: text(await fn(args)), ok: true };
  } catch (error) {
    return { content: `Error: ${error instanceof Error ? error.message : String(error)}`, ok: false };
  }
}

/** The tool message answering every call of `message`: one response per call, contents joined. */
export function toolReply(responses: ToolResponse[]): Message {
  return { role: 'tool', content: responses.map((response) => response.content).join('\n\n'), tool_responses: responses };
}
