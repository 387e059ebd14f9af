// One step of a Chat Completions tool loop: the assistant message the model returned, gated.
import type { ChatCompletionMessage, ChatCompletionMessageParam, ChatCompletionMessageToolCall } from 'openai/resources/chat/completions';
import type { DurableRun, PendingQuestion, Verdict } from '@handrail/core';
import type { Gate, GateVerdict } from '../gate.js';
import { gateMessage, gateToolCalls, type GatedToolCall, type ProposedCall, type ToolFunctions } from './tool-calls.js';

/**
 * What a Chat Completions loop does after one assistant message.
 *
 * - `continue`: append `messages` (the assistant message, with any arguments a person edited, then
 *   one `tool` message per call, or a `user` message with a person's word) and ask the model again.
 * - `final`: the message had no tool calls and the policy let it through: it is the answer.
 * - `stop`: end the run with `reason`; no tool of the message ran.
 *
 * @example
 * const step = await gateChatCompletion(gate, completion.choices[0]!.message, { refund });
 * if (step.kind === 'stop') throw new Error(step.reason);
 */
export type ChatStep =
  | { kind: 'continue'; messages: ChatCompletionMessageParam[]; calls: GatedToolCall[]; verdict?: GateVerdict }
  | { kind: 'final'; messages: ChatCompletionMessageParam[]; text: string | null; verdict: GateVerdict }
  | { kind: 'stop'; reason: string; calls: GatedToolCall[]; verdict: GateVerdict };

/**
 * A step of a gate that suspends (`wait: 'suspend'`): `suspended` when a person was asked and
 * the loop waits; restore the run and run the loop again once the answer is in the store.
 *
 * @example
 * if (step.kind === 'suspended') { await run.close(); return step.pending; }
 */
export type SuspendableChatStep = ChatStep | { kind: 'suspended'; pending: PendingQuestion; calls: GatedToolCall[] };

/**
 * @example
 * await gateChatCompletion(gate, message, tools, { sender: 'clerk' });
 */
export interface GateStepOptions {
  /** Who the model speaks as, for the policy's `sender` and the auto-reply count. */
  sender?: string;
  /** A durable run: each tool runs as a journaled step, at most once in the life of the run. */
  run?: DurableRun;
}

function proposed(call: ChatCompletionMessageToolCall): ProposedCall {
  // A custom tool's free-form input reaches the policy and the tool as `{ input }`.
  return call.type === 'function' ? { id: call.id, name: call.function.name, args: call.function.arguments } : { id: call.id, name: call.custom.name, args: { input: call.custom.input } };
}

function asRan(call: ChatCompletionMessageToolCall, gated: GatedToolCall | undefined): ChatCompletionMessageToolCall {
  if (!gated || gated.args === gated.proposedArgs || call.type !== 'function') return call;
  return { ...call, function: { ...call.function, arguments: JSON.stringify(gated.args) } };
}

/**
 * Gates one assistant message of a Chat Completions tool loop and runs the tool calls the policy
 * (or a person it asked) lets through. Each call is decided as a turn `{ content, role:
 * 'assistant', sender, tool: { name, args } }`; a message without tool calls is decided as
 * itself. A refused call is not run and its `tool` message says why; an edited call runs with
 * the edited arguments; a person's reply is the call's result; a stop on any call runs none.
 *
 * @example
 * const messages: OpenAI.ChatCompletionMessageParam[] = [{ role: 'user', content: 'Refund order 42.' }];
 * for (;;) {
 *   const completion = await client.chat.completions.create({ model: 'gpt-4.1', messages, tools: schemas });
 *   const step = await gateChatCompletion(gate, completion.choices[0]!.message, { refund: ({ amount }) => pay(amount) });
 *   if (step.kind === 'stop') break;
 *   messages.push(...step.messages);
 *   if (step.kind === 'final') break;
 * }
 */
export function gateChatCompletion(gate: Gate, message: ChatCompletionMessage, tools: ToolFunctions, options?: GateStepOptions): Promise<ChatStep>;
export function gateChatCompletion(gate: Gate<Verdict>, message: ChatCompletionMessage, tools: ToolFunctions, options?: GateStepOptions): Promise<SuspendableChatStep>;
export async function gateChatCompletion(gate: Gate<Verdict>, message: ChatCompletionMessage, tools: ToolFunctions, options: GateStepOptions = {}): Promise<SuspendableChatStep> {
  const toolCalls = message.tool_calls ?? [];
  if (toolCalls.length === 0) {
    const outcome = await gateMessage(gate, message.content, options.sender);
    if (outcome.kind === 'stop') return { kind: 'stop', reason: outcome.reason, calls: [], verdict: outcome.verdict };
    if (outcome.kind === 'suspended') return { kind: 'suspended', pending: outcome.pending, calls: [] };
    if (outcome.kind === 'final') return { kind: 'final', messages: [message], text: message.content, verdict: outcome.verdict };
    return { kind: 'continue', messages: [message, { role: 'user', content: outcome.text }], calls: [], verdict: outcome.verdict };
  }
  const outcome = await gateToolCalls(gate, message.content, toolCalls.map(proposed), tools, options.sender, options.run);
  if (outcome.kind === 'stop') return { kind: 'stop', reason: outcome.reason, calls: outcome.calls, verdict: outcome.verdict };
  if (outcome.kind === 'suspended') return { kind: 'suspended', pending: outcome.pending, calls: outcome.calls };
  const byId = new Map(outcome.calls.map((call) => [call.id, call]));
  const assistant: ChatCompletionMessage = { ...message, tool_calls: toolCalls.map((call) => asRan(call, byId.get(call.id))) };
  return {
    kind: 'continue',
    messages: [assistant, ...outcome.calls.map((call): ChatCompletionMessageParam => ({ role: 'tool', tool_call_id: call.id, content: call.output ?? '' }))],
    calls: outcome.calls,
  };
}
