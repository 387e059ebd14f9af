// The answer table (docs/supervisor.md): what each answer lets the loop do, for a tool call and
// for a message. An edit of a tool call is not a verdict yet: the policy decides it again first.
import type { Decision } from '@handrail/policy';
import type { ApprovalAnswer } from '../channels/approval.js';
import type { RejectMode, Verdict } from './verdict.js';

type Escalation = Extract<Decision, { action: 'escalate' }>;

/**
 * The text a refused step gives the model, by default. It must not read like a passing error,
 * or models retry the same call in a loop.
 *
 * @example
 * const supervisor = createSupervisor({ policy, channel, rejectionMessage: `${defaultRejectionMessage} Reply to the customer instead.` });
 */
export const defaultRejectionMessage = 'Refused by a person: {message}. Do not call {tool} again with the same arguments; go on without it, or ask the user what to do instead.';

/**
 * The same, for a refused message (a step without a tool call).
 *
 * @example
 * createSupervisor({ policy, channel, rejectionMessage: defaultMessageRejectionMessage });
 */
export const defaultMessageRejectionMessage = 'Refused by a person: {message}. Do not send the same message again; change it, or ask the user what to do instead.';

/** Fills a rejection template: `{message}` (the person's, or `no reason given`), `{tool}`, `{reason}`. */
export function rejectionText(template: string, values: { message?: string | undefined; tool?: string | undefined; reason: string }): string {
  return template.replaceAll('{message}', values.message || 'no reason given').replaceAll('{tool}', values.tool ?? 'this').replaceAll('{reason}', values.reason);
}

export interface AnswerContext {
  onReject: RejectMode;
  rejectionMessage: string;
  /** The tool call asked about, when the step is one. */
  tool?: string;
}

/** A verdict, or an edit of a tool call that the policy must see before anything runs. */
export type AnswerOutcome = Verdict | { kind: 'edited'; args: unknown; answer: Extract<ApprovalAnswer, { kind: 'edit' }> };

function noAnswer(decision: Escalation, answer: ApprovalAnswer): Verdict {
  if (decision.onNoInput === 'stop') return { kind: 'stop', decision, reason: `${decision.reason}; nobody answered`, answer };
  if (decision.onNoInput === 'reply') return { kind: 'reply', decision, text: '', answer };
  return { kind: 'proceed', decision, enforced: true, answer };
}

export function verdictOfAnswer(decision: Escalation, answer: ApprovalAnswer, context: AnswerContext): AnswerOutcome {
  switch (answer.kind) {
    case 'approve':
      return { kind: 'proceed', decision, enforced: true, answer };
    case 'edit':
      // A message has no call to edit: the answer approves it as it is.
      return context.tool === undefined ? { kind: 'proceed', decision, enforced: true, answer } : { kind: 'edited', args: answer.args, answer };
    case 'reply':
      return answer.text === '' ? noAnswer(decision, answer) : { kind: 'reply', decision, text: answer.text, answer };
    case 'reject': {
      const by = answer.by ? ` by ${answer.by}` : '';
      if (context.onReject === 'end') return { kind: 'stop', decision, reason: `${decision.reason}; rejected${by}${answer.message ? `: ${answer.message}` : ''}`, answer };
      const message = answer.message ?? 'rejected by a person';
      return { kind: 'reject', decision, message, toModel: rejectionText(context.rejectionMessage, { message: answer.message, tool: context.tool, reason: decision.reason }), answer };
    }
    case 'timeout':
      return noAnswer(decision, answer);
  }
}
