// The question to a person for an escalated turn: plain JSON, the same for every loop.
import type { Decision, Turn } from '@handrail/policy';
import type { ApprovalRequest, ApprovalTool } from '../channels/approval.js';
import type { RejectMode } from './verdict.js';

type Escalation = Extract<Decision, { action: 'escalate' }>;

/** Fills the `{name}` and `{sender}` placeholders of a policy's prompt. */
export function fillPrompt(prompt: string, name: string, sender: string): string {
  return prompt.replaceAll('{name}', name).replaceAll('{sender}', sender);
}

/**
 * What a question needs besides the turn and decision. `tools` overrides the turn's tool call(s)
 * when the caller knows their ids.
 */
export interface QuestionContext {
  agent: string;
  sender: string;
  prompt: string;
  onReject: RejectMode;
  tools?: ApprovalTool[];
  /** Overrides the message as the turn gives it (its text, role and sender). */
  message?: ApprovalRequest['message'];
}

/** The request without `id`, `runId` and `createdAt`, which whoever puts the question fills in. */
export type QuestionInput = Omit<ApprovalRequest, 'id' | 'runId' | 'createdAt'>;

export function questionOf(turn: Turn, decision: Escalation, context: QuestionContext): QuestionInput {
  const tools = context.tools ?? (turn.tool ? [{ name: turn.tool.name, args: turn.tool.args }] : (turn.toolCalls ?? []).map((call) => ({ name: call.name, args: call.args })));
  return {
    agent: context.agent,
    sender: context.sender,
    prompt: context.prompt,
    ...(context.message ? { message: context.message } : typeof turn.content === 'string' || turn.content === null ? { message: { role: turn.role ?? 'assistant', content: turn.content ?? null, name: context.sender } } : {}),
    ...(tools.length ? { tool: tools[0]! } : {}),
    ...(tools.length > 1 ? { tools } : {}),
    decision: {
      rule: decision.rule,
      reason: decision.reason,
      onNoInput: decision.onNoInput,
      policy: { ...decision.policy },
      ...(decision.channel !== undefined ? { channel: decision.channel } : {}),
      ...(decision.timeoutMs !== undefined ? { timeoutMs: decision.timeoutMs } : {}),
      onReject: context.onReject,
    },
  };
}
