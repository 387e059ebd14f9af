// The step both OpenAI APIs share: gate every tool call of one model message, then run the ones
// the gate lets through. Nothing runs until every call has been decided, so a stop on any call
// means no tool of that message runs.
import type { DurableRun, PendingQuestion, Verdict } from '@handrail/core';
import type { Turn } from '@handrail/policy';
import type { Gate, GateVerdict } from '../gate.js';

/**
 * The functions a loop may run, by tool name. Each gets the parsed arguments (a person's edit
 * when there was one); what it returns goes back to the model (strings as they are, anything
 * else as JSON).
 *
 * @example
 * const tools: ToolFunctions = { refund: ({ amount }: { amount: number }) => `refunded ${amount}` };
 */
export type ToolFunctions = Readonly<Record<string, (args: any) => unknown>>;

/**
 * One tool call of a model message and what became of it.
 *
 * @example
 * const ran = step.calls.filter((call) => call.ran).map((call) => [call.name, call.args]);
 */
export interface GatedToolCall {
  /** The call's id: `tool_call_id` in Chat Completions, `call_id` in the Responses API. */
  id: string;
  name: string;
  /** The arguments the tool ran with (or would have): a person's edit, else the model's, parsed. */
  args: unknown;
  /** The arguments as the model wrote them, parsed when they are JSON. */
  proposedArgs: unknown;
  verdict: Verdict;
  /** Whether the tool function ran. */
  ran: boolean;
  /** The text the model is given as the call's result (absent when the run stopped). */
  output?: string;
}

/** A tool call as the model proposed it, in either API's shape. */
export interface ProposedCall {
  id: string;
  name: string;
  /** JSON text from the model, or an object. */
  args: unknown;
}

export type CallsOutcome =
  | { kind: 'ran'; calls: GatedToolCall[] }
  | { kind: 'stop'; reason: string; verdict: GateVerdict; calls: GatedToolCall[] }
  | { kind: 'suspended'; pending: PendingQuestion; calls: GatedToolCall[] };

function parse(args: unknown): unknown {
  if (typeof args !== 'string') return args ?? {};
  if (args.trim() === '') return {};
  try {
    return JSON.parse(args);
  } catch {
    // The policy sees the raw text and fails closed on it.
    return args;
  }
}

function outputText(value: unknown): string {
  if (typeof value === 'string') return value;
  if (value === undefined) return '';
  return JSON.stringify(value) ?? String(value);
}

/** Gates each call in order, stopping at the first stop; then runs the calls that may proceed. */
export async function gateToolCalls(gate: Gate<Verdict>, content: Turn['content'], proposed: readonly ProposedCall[], tools: ToolFunctions, sender: string | undefined, run?: DurableRun): Promise<CallsOutcome> {
  const calls: GatedToolCall[] = [];
  for (const call of proposed) {
    const proposedArgs = parse(call.args);
    const verdict = await gate.check({ content, role: 'assistant', ...(sender !== undefined ? { sender } : {}), tool: { name: call.name, args: proposedArgs } }, { tools: [{ name: call.name, args: proposedArgs, callId: call.id }] });
    const args = verdict.kind === 'proceed' && verdict.args !== undefined ? verdict.args : proposedArgs;
    calls.push({ id: call.id, name: call.name, args, proposedArgs, verdict, ran: false });
    if (verdict.kind === 'stop') return { kind: 'stop', reason: verdict.reason, verdict, calls };
    // Nothing of the message runs until every call is decided: the loop goes on when the answer is there.
    if (verdict.kind === 'suspended') return { kind: 'suspended', pending: verdict.pending, calls };
  }
  for (const call of calls) {
    const { verdict } = call;
    if (verdict.kind === 'reject') call.output = verdict.toModel;
    else if (verdict.kind === 'reply') call.output = verdict.text === '' ? 'A person was asked about this call and gave no answer; it did not run.' : verdict.text;
    else if (verdict.kind === 'proceed') {
      const tool = Object.hasOwn(tools, call.name) ? tools[call.name] : undefined;
      if (!tool) call.output = `There is no tool named ${JSON.stringify(call.name)}.`;
      else {
        call.ran = true;
        // In a durable run a tool runs once in the life of the run, whichever process resumes it.
        const result = run ? await run.step(run.nextKey('tool'), async () => outputText(await tool(call.args)), { kind: 'tool', input: { id: call.id, name: call.name, args: call.args } }) : outputText(await tool(call.args));
        call.output = result;
      }
    }
  }
  return { kind: 'ran', calls };
}

/** What a message without tool calls leads to: the final answer, a word back to the model, or a stop. */
export type MessageOutcome =
  | { kind: 'final'; verdict: GateVerdict }
  | { kind: 'continue'; text: string; verdict: GateVerdict }
  | { kind: 'stop'; reason: string; verdict: GateVerdict }
  | { kind: 'suspended'; pending: PendingQuestion };

export async function gateMessage(gate: Gate<Verdict>, content: Turn['content'], sender: string | undefined): Promise<MessageOutcome> {
  const verdict = await gate.check({ content, role: 'assistant', ...(sender !== undefined ? { sender } : {}) });
  switch (verdict.kind) {
    case 'proceed':
      return { kind: 'final', verdict };
    case 'stop':
      return { kind: 'stop', reason: verdict.reason, verdict };
    case 'reject':
      return { kind: 'continue', text: verdict.toModel, verdict };
    case 'suspended':
      return { kind: 'suspended', pending: verdict.pending };
    case 'reply':
      // No answer under `on no input reply` leaves nothing to say; the answer stands.
      return verdict.text === '' ? { kind: 'final', verdict } : { kind: 'continue', text: verdict.text, verdict };
  }
}
