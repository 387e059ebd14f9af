// The check an agent makes before it auto-replies (AutoGen's check_termination_and_human_reply),
// with the decision taken by the policy and only its consequences written here:
//   stop      → the chat ends, the counter is reset;
//   escalate  → ask; `exit` ends, text is the reply, no input acts per the decision's onNoInput;
//               through an approval channel: reply is the reply, approve goes on as continue,
//               edit goes on with the tool call's new arguments, reject ends, timeout is no input;
//   continue  → counter + 1, "USING AUTO REPLY..." (not in NEVER), then the auto-reply.
import { randomUUID } from 'node:crypto';
import { deadlineEnd, decide, findCodeBlocks, type DecideOptions, type Decision, type FactProvider, type Policy, type Turn } from '@handrail/policy';
import type { ApprovalAnswer, ApprovalChannel, ApprovalRequest, ApprovalTool } from '../channels/approval.js';
import type { ChatEnd, HandrailEvent } from '../events.js';
import { contentText, type Message, type ToolResponse } from '../messages.js';
import { fillPrompt } from '../supervisor/question.js';
import type { Agent } from './agent.js';

/** AutoGen's human input modes; each is shorthand for the preset policy of that name. */
export type HumanInputMode = 'ALWAYS' | 'NEVER' | 'TERMINATE';

export const noHumanInputNote = '>>>>>>>> NO HUMAN INPUT RECEIVED.';
export const usingAutoReplyNote = '>>>>>>>> USING AUTO REPLY...';

/** What the check needs from its agent. */
export interface HumanReplyHost {
  readonly name: string;
  readonly humanInputMode: HumanInputMode;
  readonly policy: Policy;
  readonly facts: Readonly<Record<string, FactProvider>> | undefined;
  readonly decideOptions: Omit<DecideOptions, 'facts' | 'humanAvailable'>;
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
  /** `decision` is the escalation that asks, when one does. */
  askHuman(prompt: string, options: { sender: Agent | null; timeoutMs?: number; channel?: string; decision?: Decision }): Promise<{ answer: string; timedOut: boolean }>;
  /** Decides the turn instead of `decide(policy, turn, options)`: a durable run journals and audits the decision. */
  decide?(turn: Turn, options: DecideOptions, sender: Agent): Promise<Decision>;
  /**
   * The approval channel an escalation goes to: the one named by the decision, else the agent's
   * default; undefined to ask through `askHuman` (the io path).
   */
  approvalChannel?(name: string | undefined): ApprovalChannel | undefined;
  /** Asks through an approval channel, with the events and the time limit around it. */
  askApproval?(request: ApprovalRequest, channel: ApprovalChannel, options: { sender: Agent; timeoutMs?: number; channel: string }): Promise<ApprovalAnswer>;
  /** The run the conversation with `sender` belongs to, for approval requests. */
  runId?(sender: Agent): string;
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

/** The reply carrying a person's answer; each tool call of m gets `USER INTERRUPTED`. */
function humanMessage(answer: string, message: Message): Message {
  const reply: Message = { role: 'user', content: answer };
  const interrupted: ToolResponse[] = (message.tool_calls ?? []).map((call) => ({ role: 'tool', tool_call_id: call.id, content: 'USER INTERRUPTED' }));
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

/**
 * The approval request for an escalation of message m: the prompt, the message and its tool
 * calls, and the deciding rule, reason and policy.
 *
 * @example
 * const request = approvalRequestOf({ agent: 'user', sender: 'assistant', runId, message, prompt, decision, role: 'assistant' });
 */
export function approvalRequestOf(options: {
  agent: string;
  sender: string;
  runId: string;
  message: Message;
  role: string;
  prompt: string;
  decision: Extract<Decision, { action: 'escalate' }>;
}): ApprovalRequest {
  const { message, decision } = options;
  const now = Date.now();
  const tools = (message.tool_calls ?? []).map(approvalTool);
  return {
    id: randomUUID(),
    runId: options.runId,
    createdAt: new Date(now).toISOString(),
    ...(decision.timeoutMs !== undefined ? { expiresAt: deadlineEnd(decision.timeoutMs, now) } : {}),
    agent: options.agent,
    sender: options.sender,
    prompt: options.prompt,
    message: { role: options.role, content: message.content, ...(message.name !== undefined ? { name: message.name } : {}) },
    ...(tools.length ? { tool: tools[0]! } : {}),
    ...(tools.length > 1 ? { tools } : {}),
    decision: {
      rule: decision.rule,
      reason: decision.reason,
      onNoInput: decision.onNoInput,
      policy: { ...decision.policy },
      ...(decision.channel !== undefined ? { channel: decision.channel } : {}),
      ...(decision.timeoutMs !== undefined ? { timeoutMs: decision.timeoutMs } : {}),
    },
  };
}

function ended(host: HumanReplyHost, sender: Agent, cause: ChatEnd['cause'], reason: string, rule: string | null): HumanReplyOutcome {
  host.setAutoReplies(sender, 0);
  return { kind: 'end', end: { cause, agent: host.name, reason, rule } };
}

/**
 * Decides, with the agent's policy, what to do with message m from the sender, and does the
 * human part of it.
 *
 * @example
 * const outcome = await checkHumanReply(agent, lastMessage, sender, 3);
 */
export async function checkHumanReply(host: HumanReplyHost, message: Message, sender: Agent, step: number): Promise<HumanReplyOutcome> {
  const turn = turnOf(host, message, sender, step);
  const options: DecideOptions = {
    ...host.decideOptions,
    ...(host.facts ? { facts: host.facts } : {}),
    humanAvailable: host.humanInputMode !== 'NEVER',
  };
  const decision = host.decide ? await host.decide(turn, options, sender) : await decide(host.policy, turn, options);
  host.emit({ type: 'decision-made', agent: host.name, sender: sender.name, ...(message.name && message.name !== sender.name ? { author: message.name } : {}), decision, turn });
  if (decision.reset.includes('auto_replies')) host.setAutoReplies(sender, 0);

  if (decision.action === 'stop') return ended(host, sender, 'stop', decision.reason, decision.rule);

  if (decision.action === 'escalate') {
    const prompt = fillPrompt(decision.prompt ?? defaultPrompt(decision), host.name, sender.name);
    const channel = host.approvalChannel?.(decision.channel);
    if (channel && host.askApproval) {
      const request = approvalRequestOf({ agent: host.name, sender: sender.name, runId: host.runId?.(sender) ?? randomUUID(), message, role: turn.role ?? message.role, prompt, decision });
      const answer = await host.askApproval(request, channel, {
        sender,
        ...(decision.timeoutMs !== undefined ? { timeoutMs: decision.timeoutMs } : {}),
        channel: decision.channel ?? channel.name,
      });
      const by = 'by' in answer && answer.by ? ` by ${answer.by}` : '';
      let toolArguments: Record<string, string> | undefined;
      if (answer.kind === 'reject') {
        host.print(`>>>>>>>> REJECTED${by}.`);
        return ended(host, sender, 'rejected', answer.message ? `rejected${by}: ${answer.message}` : `rejected${by}`, decision.rule);
      }
      if (answer.kind === 'reply' && answer.text !== '') {
        host.setAutoReplies(sender, 0);
        return { kind: 'reply', message: humanMessage(answer.text, message) };
      }
      if (answer.kind === 'approve') host.print(`>>>>>>>> APPROVED${by}.`);
      else if (answer.kind === 'edit') {
        const calls = message.tool_calls ?? [];
        const call = calls.find((item) => item.id === answer.callId) ?? (answer.callId === undefined ? calls[0] : undefined);
        if (call) toolArguments = { [call.id]: typeof answer.args === 'string' ? answer.args : JSON.stringify(answer.args) };
        host.print(call ? `>>>>>>>> APPROVED WITH EDITED ARGUMENTS FOR ${call.function.name}${by}.` : `>>>>>>>> APPROVED${by} (there was no tool call to edit).`);
      } else {
        host.print(noHumanInputNote);
        if (decision.onNoInput === 'stop') return ended(host, sender, 'no-input', decision.reason, decision.rule);
        if (decision.onNoInput === 'reply') {
          host.setAutoReplies(sender, 0);
          return { kind: 'reply', message: humanMessage('', message) };
        }
      }
      return autoReply(host, sender, decision, toolArguments);
    }
    const { answer } = await host.askHuman(prompt, {
      sender,
      ...(decision.timeoutMs !== undefined ? { timeoutMs: decision.timeoutMs } : {}),
      ...(decision.channel !== undefined ? { channel: decision.channel } : {}),
      decision,
    });
    if (answer === 'exit') return ended(host, sender, 'exit', 'the person typed exit', decision.rule);
    if (answer !== '') {
      host.setAutoReplies(sender, 0);
      return { kind: 'reply', message: humanMessage(answer, message) };
    }
    host.print(noHumanInputNote);
    if (decision.onNoInput === 'stop') return ended(host, sender, 'no-input', decision.reason, decision.rule);
    if (decision.onNoInput === 'reply') {
      host.setAutoReplies(sender, 0);
      return { kind: 'reply', message: humanMessage('', message) };
    }
  }

  return autoReply(host, sender, decision, undefined);
}

function autoReply(host: HumanReplyHost, sender: Agent, decision: Decision, toolArguments: Record<string, string> | undefined): HumanReplyOutcome {
  host.setAutoReplies(sender, host.autoReplies(sender) + 1);
  if (host.humanInputMode !== 'NEVER') host.print(usingAutoReplyNote);
  if (decision.action === 'continue' && decision.reply !== undefined) return { kind: 'auto-reply', reply: decision.reply };
  return toolArguments ? { kind: 'auto-reply', toolArguments } : { kind: 'auto-reply' };
}
