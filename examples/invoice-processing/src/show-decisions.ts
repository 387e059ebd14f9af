// Shows each decision of the policy as it is taken, through the agent's own io so it appears in
// order with the conversation.
import type { ConversableAgent, HandrailEvent } from '@handrail/core';

/** One line per decision: who decided on whose message, the action, the rule and the reason. */
export function describeDecision(event: Extract<HandrailEvent, { type: 'decision-made' }>): string {
  const { decision } = event;
  const why = decision.rule === null ? decision.reason : `rule ${decision.rule}: ${decision.reason}`;
  const extra = decision.action === 'escalate' ? `; no input means ${decision.onNoInput}` : '';
  return `[handrail] ${decision.policy.name}: ${decision.action} on ${event.sender}'s message (${why}${extra})`;
}

/** Prints the agent's decisions as they happen; returns the function that stops. */
export function showDecisions(agent: ConversableAgent): () => void {
  return agent.on((event) => {
    if (event.type === 'decision-made' && event.agent === agent.name) agent.print(describeDecision(event));
  });
}
