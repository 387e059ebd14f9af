// Refunds approved by webhook: a clerk (a model) issues refunds; the supervisor proxy runs them,
// and its policy sends refunds over 100 to the webhook channel, with a time limit that stops the
// run when nobody answers.
import { fileURLToPath } from 'node:url';
import { AssistantAgent, registerFunction, showDecisions, UserProxyAgent, type ApprovalChannel, type ChatResult, type HumanIO, type Model } from '@handrail/core';
import { loadPolicyFile } from '@handrail/policy';
import { task } from './script.js';

export const policyFile = fileURLToPath(new URL('../refunds.policy', import.meta.url));

export interface Refund {
  order: string;
  amount: number;
}

/**
 * Runs the refund chat; `webhook` answers the escalations the policy sends `via webhook`.
 *
 * @example
 * const { result, refunds } = await runRefunds({ model, io, webhook });
 */
export async function runRefunds(options: { model: Model; io: HumanIO; webhook: ApprovalChannel }): Promise<{ result: ChatResult; refunds: Refund[] }> {
  const refunds: Refund[] = [];
  const clerk = new AssistantAgent('clerk', { model: options.model, io: options.io, systemMessage: 'You refund orders with the refund tool, one call per order. When all are done, say so and end with TERMINATE.' });
  const supervisor = new UserProxyAgent('supervisor', { policy: await loadPolicyFile(policyFile), codeExecutionConfig: false, io: options.io, channels: { webhook: options.webhook } });
  registerFunction(
    (args) => {
      refunds.push(args as unknown as Refund);
      return `refunded ${String(args.amount)} EUR on ${String(args.order)}`;
    },
    {
      caller: clerk,
      executor: supervisor,
      name: 'refund',
      description: 'Refund an order',
      parameters: { type: 'object', properties: { order: { type: 'string' }, amount: { type: 'number' } }, required: ['order', 'amount'] },
    },
  );
  const stop = showDecisions(supervisor);
  const notes = supervisor.on((event) => {
    if (event.type === 'human-input-requested' && event.channel) supervisor.print(`[handrail] asked by ${event.channel} (approval ${event.approvalId?.slice(0, 8)}…, ${event.timeoutMs ?? '∞'} ms to answer)`);
    if (event.type === 'human-input-received' && event.channel) supervisor.print(`[handrail] ${event.timedOut ? 'no answer in time' : `${event.approval?.kind}${event.by ? ` by ${event.by}` : ''}`} from ${event.channel}`);
  });
  try {
    return { result: await supervisor.initiateChat(clerk, { message: task }), refunds };
  } finally {
    stop();
    notes();
  }
}
