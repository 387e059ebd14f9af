// The loop's bookkeeping between the turns of a conversation, as @handrail/core's agents keep it
// (AutoGen's check_termination_and_human_reply): the step number goes up by one per turn; the
// count of consecutive auto-replies goes up on every auto-reply and back to 0 when a person
// replies or a rule resets it; a stop, an `exit`, or silence on `else stop` ends the conversation.
import type { Decision } from '../decision.js';

/** The counters the next turn sees. */
export interface LoopCounters {
  step: number;
  autoReplies: number;
}

export type NextTurn = { ended: false; counters: LoopCounters } | { ended: true; why: string };

/**
 * What the loop does after `decision`, given the person's `answer` if it escalated (`""`: none).
 *
 * @example
 * afterDecision({ step: 1, autoReplies: 0 }, decision, ''); // { ended: false, counters: { step: 2, autoReplies: 1 } } after a continue
 */
export function afterDecision(counters: LoopCounters, decision: Decision, answer: string): NextTurn {
  const by = decision.rule === null ? 'the default' : `rule ${decision.rule}`;
  let autoReplies = decision.reset.includes('auto_replies') ? 0 : counters.autoReplies;
  const next = (value: number): NextTurn => ({ ended: false, counters: { step: counters.step + 1, autoReplies: value } });
  if (decision.action === 'stop') return { ended: true, why: `${by} stopped it` };
  if (decision.action === 'escalate') {
    if (answer === 'exit') return { ended: true, why: `the person typed exit when ${by} escalated` };
    if (answer !== '') return next(0);
    if (decision.onNoInput === 'stop') return { ended: true, why: `nobody answered when ${by} escalated (else stop)` };
    if (decision.onNoInput === 'reply') return next(0);
  }
  autoReplies += 1;
  return next(autoReplies);
}
