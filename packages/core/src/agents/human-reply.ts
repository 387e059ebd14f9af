// The check an agent makes before it auto-replies (AutoGen's check_termination_and_human_reply),
// with the decision taken by the policy and only its consequences written here:
//   stop      → the chat ends, the counter is reset;
//   escalate  → ask; `exit` ends, text is the reply, no input acts per the decision's onNoInput;
//   continue  → counter + 1, "USING AUTO REPLY..." (not in NEVER), then the auto-reply.
import { decide, findCodeBlocks, type DecideOptions, type Decision, type FactProvider, type Policy, type Turn } from '@handrail/policy';
import type { ChatEnd, HandrailEvent } from '../events.js';
import { contentText, type Message, type ToolResponse } from '../messages.js';
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
  askHuman(prompt: string, options: { sender: Agent | null; timeoutMs?: number; channel?: string }): Promise<{ answer: string; timedOut: boolean }>;
  print(text: string): void;
  emit(event: HandrailEvent): void;
}

/** What the agent does after the check. */
export type HumanReplyOutcome =
  | { kind: 'end'; end: ChatEnd }
  | { kind: 'reply'; message: Message }
  | { kind: 'auto-reply'; reply?: string };

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

/** Fills the `{name}` and `{sender}` placeholders of a policy's prompt. */
export function fillPrompt(prompt: string, name: string, sender: string): string {
  return prompt.replaceAll('{name}', name).replaceAll('{sender}', sender);
}

/** The reply carrying a person's answer; each tool call of m gets `USER INTERRUPTED`. */
function humanMessage(answer: string, message: Message): Message {
  const reply: Message = { role: 'user', content: answer };
  const interrupted: ToolResponse[] = (message.tool_calls ?? []).map((call) => ({ role: 'tool', tool_call_id: call.id, content: 'USER INTERRUPTED' }));
  if (interrupted.length) reply.tool_responses = interrupted;
  return reply;
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
  const decision = await decide(host.policy, turn, {
    ...host.decideOptions,
    ...(host.facts ? { facts: host.facts } : {}),
    humanAvailable: host.humanInputMode !== 'NEVER',
  });
  host.emit({ type: 'decision-made', agent: host.name, sender: sender.name, ...(message.name && message.name !== sender.name ? { author: message.name } : {}), decision, turn });
  if (decision.reset.includes('auto_replies')) host.setAutoReplies(sender, 0);

  if (decision.action === 'stop') return ended(host, sender, 'stop', decision.reason, decision.rule);

  if (decision.action === 'escalate') {
    const prompt = fillPrompt(decision.prompt ?? defaultPrompt(decision), host.name, sender.name);
    const { answer } = await host.askHuman(prompt, {
      sender,
      ...(decision.timeoutMs !== undefined ? { timeoutMs: decision.timeoutMs } : {}),
      ...(decision.channel !== undefined ? { channel: decision.channel } : {}),
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

  host.setAutoReplies(sender, host.autoReplies(sender) + 1);
  if (host.humanInputMode !== 'NEVER') host.print(usingAutoReplyNote);
  return decision.action === 'continue' && decision.reply !== undefined ? { kind: 'auto-reply', reply: decision.reply } : { kind: 'auto-reply' };
}
