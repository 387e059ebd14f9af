// Answering a question a durable run waits on, from any process that reaches the store: the
// approval page's handler, a webhook receiver, a script, a test.
import { ConfigurationError } from '@handrail/policy';
import { parseApprovalAnswer } from '../channels/answers.js';
import type { ApprovalAnswer } from '../channels/approval.js';
import type { AnswerOutcome } from '../channels/pending-approvals.js';
import type { RunStore } from './run-store.js';

type WithoutAt<T> = T extends unknown ? Omit<T, 'at'> & { at?: string } : never;

const kinds = new Set(['approve', 'reject', 'reply', 'edit', 'timeout']);

/**
 * Gives the question `approvalId` its answer. The first answer stored is the answer: a second
 * one is `repeated` (the same) or a `conflict` (a different one, or the time ran out first);
 * `unknown` when no run asked that question. The waiting run, in whatever process, takes the
 * answer and goes on; if no process runs it now, the answer waits in the store until the run is
 * restored. `channel` names where the answer came from in the audit log (`store` by default).
 * An answer the channels would refuse (an edit nested too deep, text too long, …) throws a
 * ConfigurationError and stores nothing.
 *
 * @example
 * const outcome = await answerApproval(store, approvalId, { kind: 'approve', by: 'ana' }, { channel: 'web' });
 * if (outcome.status === 'unknown') respond(404);
 */
export async function answerApproval(store: RunStore, approvalId: string, answer: ApprovalAnswer | WithoutAt<ApprovalAnswer>, options: { channel?: string } = {}): Promise<AnswerOutcome> {
  if (answer === null || typeof answer !== 'object' || !kinds.has((answer as { kind?: string }).kind ?? ''))
    throw new ConfigurationError(`an answer must be an object whose kind is approve, reject, reply, edit or timeout, not ${JSON.stringify(answer)}`);
  // The same checks as every channel's answers, before anything is stored: a receiver may pass
  // JSON straight from a request.
  if ((answer as { kind: string }).kind !== 'timeout') {
    const parsed = parseApprovalAnswer(answer);
    if (!parsed.ok) throw new ConfigurationError(`the answer was refused: ${parsed.error}`);
  }
  const given = options.channel ?? (answer as { channel?: unknown }).channel;
  const channel = typeof given === 'string' ? given : 'store';
  const complete = { ...answer, at: answer.at ?? new Date().toISOString(), channel } as ApprovalAnswer;
  return store.submitAnswer(approvalId, complete, channel);
}
