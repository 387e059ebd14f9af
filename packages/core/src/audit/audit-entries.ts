// Audit entries from what the runtime has at hand: a decision, or a question and its answer.
import type { AuditAnswer, AuditEntry, Decision, Turn } from '@handrail/policy';
import type { ApprovalAnswer, ApprovalRequest } from '../channels/approval.js';

/**
 * Where an entry belongs: its run, its agent and sender, its id (for writing it once) and time.
 *
 * @example
 * const context: AuditContext = { runId: 'run-42', agent: 'user', sender: 'assistant', id: 'run-42/decision:user#1' };
 */
export interface AuditContext {
  runId?: string | null;
  agent?: string;
  sender?: string;
  /** Names the event, so that a writer asked twice writes it once. */
  id?: string;
  /** ISO 8601; now by default. */
  time?: string;
  /** The turn decided on, recorded so the log can be replayed against another policy. */
  turn?: Turn;
}

/**
 * The audit entry of a decision.
 *
 * @example
 * await audit.append(decisionAuditEntry(decision, { runId: 'run-42', agent: 'user', sender: 'assistant' }));
 */
export function decisionAuditEntry(decision: Decision, context: AuditContext = {}): AuditEntry {
  return {
    type: 'decision',
    time: context.time ?? new Date().toISOString(),
    ...(context.id !== undefined ? { id: context.id } : {}),
    runId: context.runId ?? null,
    policy: { ...decision.policy },
    rule: decision.rule,
    reason: decision.reason,
    action: decision.action,
    ...(decision.action === 'escalate' && decision.channel !== undefined ? { channel: decision.channel } : {}),
    ...(decision.error ? { error: { ...decision.error } } : {}),
    ...(context.agent !== undefined ? { agent: context.agent } : {}),
    ...(context.sender !== undefined ? { sender: context.sender } : {}),
    // As JSON: custom facts given as functions are left out.
    ...(context.turn !== undefined ? { turn: JSON.parse(JSON.stringify(context.turn)) as Record<string, unknown> } : {}),
  };
}

function answerOf(answer: ApprovalAnswer): AuditAnswer {
  switch (answer.kind) {
    case 'reply':
      return { kind: 'reply', text: answer.text };
    case 'reject':
      return answer.message !== undefined ? { kind: 'reject', message: answer.message } : { kind: 'reject' };
    case 'edit': {
      const callId = (answer as { callId?: unknown }).callId;
      return typeof callId === 'string' ? { kind: 'edit', args: answer.args, callId } : { kind: 'edit', args: answer.args };
    }
    default:
      return { kind: answer.kind };
  }
}

/**
 * The audit entry of a person's answer (or of nobody answering in time), with the rule and
 * reason of the escalation it answers.
 *
 * @example
 * await audit.append(answerAuditEntry(request, answer, { channel: 'slack' }));
 */
export function answerAuditEntry(request: ApprovalRequest, answer: ApprovalAnswer, context: AuditContext & { channel: string }): AuditEntry {
  return {
    type: 'answer',
    time: context.time ?? answer.at,
    ...(context.id !== undefined ? { id: context.id } : {}),
    runId: context.runId !== undefined ? context.runId : request.runId,
    policy: { ...request.decision.policy },
    rule: request.decision.rule,
    reason: request.decision.reason,
    ...((context.agent ?? request.agent) !== undefined ? { agent: (context.agent ?? request.agent)! } : {}),
    ...((context.sender ?? request.sender) !== undefined ? { sender: (context.sender ?? request.sender)! } : {}),
    approvalId: request.id,
    channel: context.channel,
    by: ('by' in answer ? answer.by : undefined) ?? null,
    answer: answerOf(answer),
  };
}
