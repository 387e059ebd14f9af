// What every store does with a second answer to the same question: the same answer again is
// `repeated`, anything else is a `conflict`; the first answer stays the answer.
import { sameAnswer } from '../channels/answers.js';
import type { ApprovalAnswer, ApprovalRequest } from '../channels/approval.js';
import type { AnswerOutcome } from '../channels/pending-approvals.js';
import type { StoredAnswer } from './run-store.js';

/** The outcome of giving `given` to a question that already has `stored`. */
export function laterAnswerOutcome(stored: StoredAnswer, given: ApprovalAnswer, request: ApprovalRequest): AnswerOutcome {
  return { status: sameAnswer(stored.answer, given) ? 'repeated' : 'conflict', answer: stored.answer, request };
}

const idPattern = /^[A-Za-z0-9_-][A-Za-z0-9._-]{0,199}$/;

/** Whether an id can name a file of the store; an id that cannot was never given out. */
export function isStorableId(id: unknown): id is string {
  return typeof id === 'string' && idPattern.test(id);
}

/** Run and approval ids name files: letters, digits, `.`, `_`, `-`, not starting with a dot. */
export function checkId(what: string, id: string): string {
  if (typeof id !== 'string' || !idPattern.test(id)) throw new TypeError(`${what} must be 1 to 200 letters, digits, ".", "_" or "-" (not starting with "."), not ${JSON.stringify(id)}`);
  return id;
}
