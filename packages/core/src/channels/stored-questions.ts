// Where an answer that reached an endpoint goes: the question asked in this process (its asker
// waits here), or a durable run's question in the store (asked by any process, waiting or
// suspended). One implementation for every endpoint (the approval server, the webhook's answer
// endpoint, Slack's interactivity endpoint), so that each gives an answer the same checks and
// the same first-answer-wins, whichever process receives it.
import { answerApproval } from '../durable/answer-approval.js';
import type { RunStore } from '../durable/run-store.js';
import { timeoutAnswer } from './answers.js';
import type { ApprovalAnswer, ApprovalRequest } from './approval.js';
import type { AnswerOutcome, PendingApprovals } from './pending-approvals.js';

/** A question as an endpoint knows it: asked in this process, or found in the store. */
export interface KnownQuestion {
  request: ApprovalRequest;
  answer?: ApprovalAnswer;
  stored: boolean;
}

/** Whether a question's time ran out (`expiresAt` passed) by `now`. */
export function expired(request: ApprovalRequest, now = Date.now()): boolean {
  return request.expiresAt !== undefined && Date.parse(request.expiresAt) <= now;
}

/**
 * The question `id`: the store's when it has it (it is then the authority), else this process's.
 * With `channel`, a stored question that names another channel (its rule's `via`) and was not
 * asked here is not found: one channel's secret does not answer another channel's questions.
 */
export async function findQuestion(id: string, approvals: PendingApprovals, store: RunStore | undefined, channel?: string): Promise<KnownQuestion | undefined> {
  const local = approvals.get(id);
  const stored = await store?.getApproval(id);
  if (stored) {
    const named = stored.request.decision?.channel;
    if (channel !== undefined && !local && named !== undefined && named !== channel) return undefined;
    return { request: stored.request, ...(stored.answer ? { answer: stored.answer.answer } : {}), stored: true };
  }
  return local && { ...local, stored: false };
}

/**
 * Gives the answer where the question lives. A stored question is answered through the store
 * (`answerApproval`, with its checks), so the first answer stored wins across processes; one
 * whose time ran out is first given its `timeout` (as its run would on waking), so a late answer
 * is a conflict. When a run in this process also asked this channel the same question, it is
 * settled here with the stored answer (adopted, should the run have taken the answer from the
 * store first).
 */
export async function deliverAnswer(id: string, known: KnownQuestion, answer: ApprovalAnswer, where: { approvals: PendingApprovals; store: RunStore | undefined; channel: string }): Promise<AnswerOutcome> {
  const { approvals, store } = where;
  if (!known.stored || !store) return approvals.answer(id, answer);
  if (!known.answer && expired(known.request)) await answerApproval(store, id, timeoutAnswer(), { channel: 'timeout' });
  const outcome = await answerApproval(store, id, answer, { channel: where.channel });
  if (outcome.status !== 'unknown') approvals.adopt(id, outcome.answer);
  return outcome;
}
