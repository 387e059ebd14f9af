// Shows the policy's decisions as they are taken, in order with the conversation: through the
// agent's own io, one line each.
import type { ConversableAgent } from './agents/conversable-agent.js';
import type { HandrailEvent } from './events.js';

/**
 * One line for a decision: the policy, the action, whose message, the rule and the reason.
 *
 * @example
 * describeDecision(event); // "[handrail] invoices: escalate on clerk's message (rule review: …; no input means continue)"
 */
export function describeDecision(event: Extract<HandrailEvent, { type: 'decision-made' }>): string {
  const { decision } = event;
  const why = decision.rule === null ? decision.reason : `rule ${decision.rule}: ${decision.reason}`;
  const extra = decision.action === 'escalate' ? `; no input means ${decision.onNoInput}` : '';
  const whose = event.author ? `${event.author}'s message via ${event.sender}` : `${event.sender}'s message`;
  return `[handrail] ${decision.policy.name}: ${decision.action} on ${whose} (${why}${extra})`;
}

/**
 * Prints each decision `agent` takes, as it takes it; returns the function that stops.
 *
 * @example
 * const stop = showDecisions(supervisor);
 * await supervisor.initiateChat(clerk, { message: task });
 * stop();
 */
export function showDecisions(agent: ConversableAgent, describe: typeof describeDecision = describeDecision): () => void {
  return agent.on((event) => {
    if (event.type === 'decision-made' && event.agent === agent.name) agent.print(describe(event));
  });
}
