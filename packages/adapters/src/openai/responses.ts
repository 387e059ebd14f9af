// One step of a Responses API tool loop: the output items of one response, gated.
import type { ResponseFunctionToolCall, ResponseInputItem, ResponseOutputItem } from 'openai/resources/responses/responses';
import type { DurableRun, PendingQuestion, Verdict } from '@handrail/core';
import type { Gate, GateVerdict } from '../gate.js';
import type { GateStepOptions } from './chat.js';
import { gateMessage, gateToolCalls, type GatedToolCall, type ToolFunctions } from './tool-calls.js';

/**
 * What a Responses API loop does after one response.
 *
 * - `continue`: append `input` (the response's output items, function calls with any arguments a
 *   person edited, then one `function_call_output` per call, or a `user` message with a person's
 *   word) to the input and create the next response.
 * - `final`: the response called no function and the policy let its text through: it is the answer.
 * - `stop`: end the run with `reason`; no function of the response ran.
 *
 * @example
 * const step = await gateResponse(gate, response, { refund });
 * if (step.kind === 'final') console.log(step.text);
 */
export type ResponseStep =
  | { kind: 'continue'; input: ResponseInputItem[]; calls: GatedToolCall[]; verdict?: GateVerdict }
  | { kind: 'final'; input: ResponseInputItem[]; text: string; verdict: GateVerdict }
  | { kind: 'stop'; reason: string; calls: GatedToolCall[]; verdict: GateVerdict };

/**
 * A step of a gate that suspends (`wait: 'suspend'`): `suspended` when a person was asked and
 * the loop waits; restore the run and run the loop again once the answer is in the store.
 *
 * @example
 * if (step.kind === 'suspended') { await run.close(); return step.pending; }
 */
export type SuspendableResponseStep = ResponseStep | { kind: 'suspended'; pending: PendingQuestion; calls: GatedToolCall[] };

function textOf(output: readonly ResponseOutputItem[]): string {
  return output
    .flatMap((item) => (item.type === 'message' ? item.content : []))
    .map((part) => (part.type === 'output_text' ? part.text : ''))
    .join('');
}

/**
 * Gates the output of one response of a Responses API tool loop and runs the `function_call`
 * items the policy (or a person it asked) lets through, as `gateChatCompletion` does for Chat
 * Completions. Each call is decided as a turn `{ content: the response's text, role: 'assistant',
 * sender, tool: { name, args } }`; a response without function calls is decided on its text.
 *
 * @example
 * let input: OpenAI.Responses.ResponseInput = [{ role: 'user', content: 'Refund order 42.' }];
 * for (;;) {
 *   const response = await client.responses.create({ model: 'gpt-4.1', input, tools: schemas });
 *   const step = await gateResponse(gate, response, { refund: ({ amount }) => pay(amount) });
 *   if (step.kind === 'stop') break;
 *   input = [...input, ...step.input];
 *   if (step.kind === 'final') break;
 * }
 */
export function gateResponse(gate: Gate, response: { output: readonly ResponseOutputItem[] }, tools: ToolFunctions, options?: GateStepOptions): Promise<ResponseStep>;
export function gateResponse(gate: Gate<Verdict>, response: { output: readonly ResponseOutputItem[] }, tools: ToolFunctions, options?: GateStepOptions): Promise<SuspendableResponseStep>;
export async function gateResponse(gate: Gate<Verdict>, response: { output: readonly ResponseOutputItem[] }, tools: ToolFunctions, options: GateStepOptions = {}): Promise<SuspendableResponseStep> {
  const text = textOf(response.output);
  const functionCalls = response.output.filter((item): item is ResponseFunctionToolCall => item.type === 'function_call');
  const output = response.output as readonly ResponseInputItem[];
  if (functionCalls.length === 0) {
    const outcome = await gateMessage(gate, text, options.sender);
    if (outcome.kind === 'stop') return { kind: 'stop', reason: outcome.reason, calls: [], verdict: outcome.verdict };
    if (outcome.kind === 'suspended') return { kind: 'suspended', pending: outcome.pending, calls: [] };
    if (outcome.kind === 'final') return { kind: 'final', input: [...output], text, verdict: outcome.verdict };
    return { kind: 'continue', input: [...output, { role: 'user', content: outcome.text }], calls: [], verdict: outcome.verdict };
  }
  const outcome = await gateToolCalls(gate, text === '' ? null : text, functionCalls.map((call) => ({ id: call.call_id, name: call.name, args: call.arguments })), tools, options.sender, options.run);
  if (outcome.kind === 'stop') return { kind: 'stop', reason: outcome.reason, calls: outcome.calls, verdict: outcome.verdict };
  if (outcome.kind === 'suspended') return { kind: 'suspended', pending: outcome.pending, calls: outcome.calls };
  const byId = new Map(outcome.calls.map((call) => [call.id, call]));
  const ran = output.map((item): ResponseInputItem => {
    const gated = item.type === 'function_call' ? byId.get(item.call_id) : undefined;
    return item.type === 'function_call' && gated && gated.args !== gated.proposedArgs ? { ...item, arguments: JSON.stringify(gated.args) } : item;
  });
  return {
    kind: 'continue',
    input: [...ran, ...outcome.calls.map((call): ResponseInputItem => ({ type: 'function_call_output', call_id: call.id, output: call.output ?? '' }))],
    calls: outcome.calls,
  };
}
