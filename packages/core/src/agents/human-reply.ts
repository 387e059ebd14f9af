// The check an agent makes before it auto-replies (AutoGen's check_termination_and_human_reply),
// a thin caller of the supervisor: the supervisor decides, asks, maps the answer, journals and
// audits; only the AutoGen consequences of its verdict are written here:
//   stop      → the chat ends (cause stop, exit, rejected or no-input), the counter is reset;
//   reply     → the person's text is the reply (each tool call gets USER INTERRUPTED);
//   reject    → with onReject 'refuse', the refusal is the reply (each tool call gets it too);
//   proceed   → counter + 1 (none after a person's word), "USING AUTO REPLY..." (not in NEVER),
//               then the auto-reply, with an approver's edited arguments when they passed the policy.
// Typed text (the io, getHumanInput) keeps AutoGen's meaning through `typedChannel`: "" is no
// input, "exit" a reject that ends the chat, any other text a reply.
import type { Decision, Turn } from '@handrail/policy';
import { findCodeBlocks } from '@handrail/policy';
import { answerText } from '../channels/answers.js';
import { answerOfTypedText, exitText } from '../durable/typed-answer.js';
import type { ApprovalAnswer, ApprovalChannel, ApprovalTool } from '../channels/approval.js';
import type { ChatEnd, HandrailEvent } from '../events.js';
import { contentText, type Message, type ToolResponse } from '../messages.js';
import { answeredByPerson, autoRepliesAfter } from '../supervisor/counters.js';
import type { Supervisor } from '../supervisor/supervisor.js';
import type { Verdict } from '../supervisor/verdict.js';
import type { Agent } from './agent.js';

/** AutoGen's human input modes; each is shorthand for the preset policy of that name. */
export type HumanInputMode = 'ALWAYS' | 'NEVER' | 'TERMINATE';

export const noHumanInputNote = '>>>>>>>> NO HUMAN INPUT RECEIVED.';
export const usingAutoReplyNote = '>>>>>>>> USING AUTO REPLY...';


/** What the check needs from its agent. */
export interface HumanReplyHost {
  readonly name: string;
  readonly humanInputMode: HumanInputMode;
  /** The supervisor of the conversation with `sender` (its verdict is `suspended` only in a chat that suspends). */
  supervisor(sender: Agent): Supervisor<Verdict>;
  /** Whether an escalation through this channel (a rule's `via`, or the default) is asked as typed text. */
  typed(channel: string | undefined): boolean;
  autoReplies(sender: Agent): number;
  setAutoReplies(sender: Agent, value: number): void;
  maxConsecutiveAutoReply(sender: Agent): number;
  isTerminationMsg(message: Message): boolean;
  /** Milliseconds since the conversation with `sender` began. */
  elapsedMs(sender: Agent): number;
  /** Tokens used so far by the models of this agent and the sender. */
  tokens(sender: Agent): { prompt: number; completion: number; total: number };
  /** Whether the message's author (the sender, or the group member it relays) is a model: its role is then `assistant`. */
  authorIsModel(sender: Agent, message: Message): boolean;
  print(text: string): void;
  emit(event: HandrailEvent): void;
}

/** What the agent does after the check. */
export type HumanReplyOutcome =
  | { kind: 'end'; end: ChatEnd }
  | { kind: 'reply'; message: Message }
  /** `toolArguments`: new arguments (JSON text) by tool call id, from an approver's edit. */
  | { kind: 'auto-reply'; reply?: string; toolArguments?: Record<string, string> };

/**
 * An io as an approval channel: the person types text to the request's prompt. "exit" is a
 * reject (which ends the chat), anything else a reply ("" is no input).
 */
export function typedChannel(name: string, input: (prompt: string, signal: AbortSignal) => Promise<string>): ApprovalChannel {
  return {
    name,
    ask: async (request, { signal }) => {
      return answerOfTypedText(await input(request.prompt, signal), new Date().toISOString());
    },
  };
}

/**
 * The turn the policy decides on: message m from the sender, and this agent's counter and limit
 * for that sender.
 */
export function turnOf(host: HumanReplyHost, message: Message, sender: Agent, step: number): Turn {
  const content = contentText(message);
  const role: Turn['role'] = message.role === 'tool' || message.tool_responses?.length ? 'tool' : message.tool_calls?.length || host.authorIsModel(sender, message) ? 'assistant' : 'user';
  return {
    content,
    role,
    sender: sender.name,
    ...(message.tool_calls?.length ? { toolCalls: message.tool_calls.map((call) => ({ name: call.function.name, args: call.function.arguments })) } : {}),
    step,
    autoReplies: host.autoReplies(sender),
    maxAutoReplies: host.maxConsecutiveAutoReply(sender),
    isTermination: host.isTerminationMsg(message),
    elapsedMs: host.elapsedMs(sender),
    tokens: host.tokens(sender),
    code: findCodeBlocks(content),
  };
}

/** The question for an escalation whose rule gave no prompt: its reason and what Enter does. */
export function defaultPrompt(decision: Extract<Decision, { action: 'escalate' }>): string {
  const enter =
    decision.onNoInput === 'continue'
      ? 'Press enter to skip and use auto-reply, or type '
      : decision.onNoInput === 'reply'
        ? 'Press enter to send an empty reply, or type '
        : 'Press enter or type ';
  return `${decision.reason}. Please give feedback to {sender}. ${enter}'exit' to stop the conversation: `;
}

export { fillPrompt } from '../supervisor/question.js';

/** The reply carrying a person's answer; each tool call of m gets `toolResult`. */
function humanMessage(answer: string, message: Message, toolResult = 'USER INTERRUPTED'): Message {
  const reply: Message = { role: 'user', content: answer };
  const interrupted: ToolResponse[] = (message.tool_calls ?? []).map((call) => ({ role: 'tool', tool_call_id: call.id, content: toolResult }));
  if (interrupted.length) reply.tool_responses = interrupted;
  return reply;
}

/** A tool call as an approver sees it: the arguments parsed when they are JSON. */
function approvalTool(call: NonNullable<Message['tool_calls']>[number]): ApprovalTool {
  let args: unknown = call.function.arguments;
  try {
    args = JSON.parse(call.function.arguments);
  } catch {
    // Not JSON: the approver sees the text the model wrote.
  }
  return { name: call.function.name, args, callId: call.id };
}

function ended(host: HumanReplyHost, sender: Agent, cause: ChatEnd['cause'], reason: string, rule: string | null): HumanReplyOutcome {
  host.setAutoReplies(sender, 0);
  return { kind: 'end', end: { cause, agent: host.name, reason, rule } };
}

/**
 * Decides, through the agent's supervisor, what to do with message m from the sender, and does
 * the AutoGen part of it.
 */
export async function checkHumanReply(host: HumanReplyHost, message: Message, sender: Agent, step: number): Promise<HumanReplyOutcome> {
  const turn = turnOf(host, message, sender, step);
  const author = message.name && message.name !== sender.name ? { author: message.name } : {};
  const verdict = await host.supervisor(sender).check(turn, {
    tools: (message.tool_calls ?? []).map(approvalTool),
    message: { role: turn.role ?? message.role, content: message.content, ...(message.name !== undefined ? { name: message.name } : {}) },
    onDecision: (decision, decided) => {
      host.emit({ type: 'decision-made', agent: host.name, sender: sender.name, ...author, decision, turn: decided });
      if (decision.reset.includes('auto_replies')) host.setAutoReplies(sender, 0);
    },
    onQuestion: (request, channel) => {
      const named = host.typed(request.decision.channel) ? request.decision.channel : channel;
      host.emit({
        type: 'human-input-requested',
        agent: host.name,
        sender: sender.name,
        prompt: request.prompt,
        ...(request.decision.timeoutMs !== undefined ? { timeoutMs: request.decision.timeoutMs } : {}),
        ...(named !== undefined ? { channel: named } : {}),
        approvalId: request.id,
      });
    },
    onAnswer: (request, answer, channel) => {
      const named = host.typed(request.decision.channel) ? request.decision.channel : (answer.channel ?? channel);
      host.emit({
        type: 'human-input-received',
        agent: host.name,
        sender: sender.name,
        prompt: request.prompt,
        answer: answerText(answer),
        timedOut: answer.kind === 'timeout',
        ...(named !== undefined ? { channel: named } : {}),
        ...('by' in answer && answer.by !== undefined ? { by: answer.by } : {}),
        approvalId: request.id,
        approval: answer,
      });
    },
  });
  return outcomeOf(host, verdict, message, sender);
}

/** The AutoGen consequences of a verdict. */
function outcomeOf(host: HumanReplyHost, verdict: Verdict, message: Message, sender: Agent): HumanReplyOutcome {
  // The chat ends here, waiting; a restored run replays it to this point and takes the answer.
  if (verdict.kind === 'suspended') return { kind: 'end', end: { cause: 'suspended', agent: host.name, reason: `waiting for a person: ${verdict.pending.request.prompt}`, rule: verdict.decision.rule, pending: verdict.pending } };
  const { answer } = verdict;
  const by = answer && 'by' in answer && answer.by ? ` by ${answer.by}` : '';
  const rule = verdict.decision.rule;
  if (answer && !answeredByPerson(answer) && verdict.kind !== 'reject') host.print(noHumanInputNote);
  switch (verdict.kind) {
    case 'stop':
      if (answer?.kind === 'reject') {
        if (host.typed(verdict.decision.action === 'escalate' ? verdict.decision.channel : undefined) && answer.message === exitText) return ended(host, sender, 'exit', 'the person typed exit', rule);
        host.print(`>>>>>>>> REJECTED${by}.`);
        return ended(host, sender, 'rejected', answer.message ? `rejected${by}: ${answer.message}` : `rejected${by}`, rule);
      }
      if (answer && !answeredByPerson(answer)) return ended(host, sender, 'no-input', verdict.decision.reason, rule);
      return ended(host, sender, 'stop', verdict.reason, rule);
    case 'reply':
      host.setAutoReplies(sender, 0);
      return { kind: 'reply', message: humanMessage(verdict.text, message) };
    case 'reject':
      // Refused, and the chat goes on: the model reads why, for the message and each tool call.
      host.print(`>>>>>>>> REJECTED${by}.`);
      host.setAutoReplies(sender, 0);
      return { kind: 'reply', message: humanMessage(verdict.toModel, message, verdict.toModel) };
    case 'proceed': {
      let toolArguments: Record<string, string> | undefined;
      if (verdict.args !== undefined) {
        const calls = message.tool_calls ?? [];
        const call = verdict.callId === undefined ? calls[0] : calls.find((item) => item.id === verdict.callId);
        if (call) toolArguments = { [call.id]: typeof verdict.args === 'string' ? verdict.args : JSON.stringify(verdict.args) };
        host.print(`>>>>>>>> APPROVED WITH EDITED ARGUMENTS FOR ${call?.function.name ?? 'the tool call'}${by}.`);
      } else if (answer?.kind === 'approve') host.print(`>>>>>>>> APPROVED${by}.`);
      else if (answer?.kind === 'edit') host.print(`>>>>>>>> APPROVED${by} (there was no tool call to edit).`);
      host.setAutoReplies(sender, autoRepliesAfter(host.autoReplies(sender), verdict));
      if (host.humanInputMode !== 'NEVER') host.print(usingAutoReplyNote);
      const decision: Decision = verdict.decision;
      if (decision.action === 'continue' && decision.reply !== undefined) return { kind: 'auto-reply', reply: decision.reply };
      return toolArguments ? { kind: 'auto-reply', toolArguments } : { kind: 'auto-reply' };
    }
  }
}
