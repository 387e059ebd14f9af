// A function as the approver: a host's own UI, a queue, a rule of thumb in a test.
import { completeAnswer, type ApprovalAnswerInput } from './answers.js';
import type { ApprovalChannel, ApprovalRequest } from './approval.js';

/** Answers a request; sync or async; `at` may be left out. */
export type ApprovalCallback = (request: ApprovalRequest, options: { signal: AbortSignal }) => ApprovalAnswerInput | Promise<ApprovalAnswerInput>;

/**
 * A channel whose questions are answered by a function. The function receives the signal that
 * aborts when the question's time is up.
 *
 * @example
 * const channel = callbackChannel(async (request) =>
 *   request.tool?.name === 'refund' && (request.tool.args as { amount: number }).amount <= 100
 *     ? { kind: 'approve', by: 'refund-bot' }
 *     : { kind: 'reject', message: 'refunds over 100 need a person', by: 'refund-bot' });
 */
export function callbackChannel(callback: ApprovalCallback, options: { name?: string } = {}): ApprovalChannel {
  return {
    name: options.name ?? 'callback',
    ask: async (request, askOptions) => completeAnswer(await callback(request, askOptions)),
  };
}
