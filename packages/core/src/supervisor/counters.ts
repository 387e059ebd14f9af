// The loop's counters, as the policy sees them: step, consecutive auto-replies per sender,
// elapsed time. A step that went on without a person's word is an auto-reply; a person's answer
// starts the count again.
import type { Decision, Turn } from '@handrail/policy';
import type { Verdict } from './verdict.js';

export class LoopCounters {
  #autoReplies = new Map<string, number>();
  #step = 0;
  #startedAt = Date.now();

  /** The turn with the counters filled in where the caller left them out. */
  next(turn: Turn, sender: string): Turn {
    this.#step += 1;
    return { step: this.#step, autoReplies: this.#autoReplies.get(sender) ?? 0, elapsedMs: Date.now() - this.#startedAt, ...turn, sender };
  }

  applyReset(decision: Decision, sender: string): void {
    if (decision.reset.includes('auto_replies')) this.#autoReplies.set(sender, 0);
  }

  count(verdict: Verdict, sender: string): void {
    if (verdict.kind === 'suspended') return;
    const answered = verdict.answer !== undefined && verdict.answer.kind !== 'timeout';
    if (verdict.kind === 'proceed' && !answered) this.#autoReplies.set(sender, (this.#autoReplies.get(sender) ?? 0) + 1);
    else if (answered) this.#autoReplies.set(sender, 0);
  }

  autoReplies(sender: string): number {
    return this.#autoReplies.get(sender) ?? 0;
  }

  reset(): void {
    this.#autoReplies = new Map();
    this.#step = 0;
    this.#startedAt = Date.now();
  }
}
