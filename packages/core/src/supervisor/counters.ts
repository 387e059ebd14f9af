// The loop's counters, as the policy sees them: step, consecutive auto-replies per sender,
// elapsed time, and the run's history (every turn decided, by @handrail/policy's historyAfter,
// the one rule replay and policy tests follow too). A step that went on without a person's word
// is an auto-reply; a person's answer starts the count again.
import { emptyHistory, historyAfter, type Decision, type RunHistory, type Turn } from '@handrail/policy';
import type { ApprovalAnswer } from '../channels/approval.js';
import type { Verdict } from './verdict.js';

/** Whether a person gave their word: not a timeout, not an empty reply (both are "no answer"). */
export function answeredByPerson(answer: ApprovalAnswer | undefined): boolean {
  return answer !== undefined && answer.kind !== 'timeout' && !(answer.kind === 'reply' && answer.text === '');
}

/**
 * The count of consecutive auto-replies after a verdict: one more when the step went on without
 * a person's word, none after a person's answer; otherwise as it was (a loop that ends on a stop
 * starts again from zero itself). Every loop counts with this rule.
 */
export function autoRepliesAfter(count: number, verdict: Verdict): number {
  if (verdict.kind === 'suspended') return count;
  if (answeredByPerson(verdict.answer)) return 0;
  return verdict.kind === 'proceed' ? count + 1 : count;
}

export class LoopCounters {
  #autoReplies = new Map<string, number>();
  #step = 0;
  #startedAt = Date.now();
  #history: RunHistory = emptyHistory();

  /**
   * The turn with the counters filled in where the caller left them out; the turn joins the
   * history of the turns after it, whatever is decided (a refused call was still attempted).
   */
  next(turn: Turn, sender: string): Turn {
    this.#step += 1;
    const full = { step: this.#step, autoReplies: this.#autoReplies.get(sender) ?? 0, elapsedMs: Date.now() - this.#startedAt, history: this.#history, ...turn, sender };
    this.#history = historyAfter(this.#history, full);
    return full;
  }

  /**
   * A pending question resumed by a supervisor that has seen fewer turns (another process): the
   * history goes on from the question's turn, so later decisions see the same run.
   */
  resumeFrom(turn: Turn): void {
    const before = turn.history;
    if (before === undefined || before === null || typeof before !== 'object' || !(before.turns >= this.#history.turns)) return;
    this.#history = historyAfter(before, turn);
  }

  /** The run's history so far. */
  history(): RunHistory {
    return this.#history;
  }

  applyReset(decision: Decision, sender: string): void {
    if (decision.reset.includes('auto_replies')) this.#autoReplies.set(sender, 0);
  }

  count(verdict: Verdict, sender: string): void {
    this.#autoReplies.set(sender, autoRepliesAfter(this.#autoReplies.get(sender) ?? 0, verdict));
  }

  autoReplies(sender: string): number {
    return this.#autoReplies.get(sender) ?? 0;
  }

  reset(): void {
    this.#autoReplies = new Map();
    this.#step = 0;
    this.#startedAt = Date.now();
    this.#history = emptyHistory();
  }
}
