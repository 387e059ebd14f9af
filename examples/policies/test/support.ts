// Loading an example policy and reading its decisions as a person would: what to do, which rule
// decided, why, and the terms of an escalation.
import { fileURLToPath } from 'node:url';
import { expect } from 'vitest';
import { decide, loadPolicyFile, type DecideOptions, type Decision, type Policy, type Turn } from '@handrail/policy';

/** Loads `<name>.policy` from this package. */
export function loadExample(name: string): Promise<Policy> {
  return loadPolicyFile(fileURLToPath(new URL(`../${name}.policy`, import.meta.url)));
}

/**
 * A decision as a host acts on it, without the policy's identity, plus the rules that held: taken
 * from an explanation of every rule (`explain: 'all'`), which lists the rules in resolution order.
 */
export interface Seen {
  action: Decision['action'];
  rule: string | null;
  /** Every rule whose conditions held, in resolution order: the deciding one first. */
  held: string[];
  reason: string;
  reset: string[];
  onNoInput?: string;
  timeoutMs?: number;
  channel?: string;
  prompt?: string;
  reply?: string;
  error?: string;
}

export function seen(decision: Decision): Seen {
  const view: Seen = { action: decision.action, rule: decision.rule, held: decision.explanation.filter((trace) => trace.result).map((trace) => trace.rule), reason: decision.reason, reset: [...decision.reset] };
  if (decision.action === 'escalate') {
    view.onNoInput = decision.onNoInput;
    if (decision.timeoutMs !== undefined) view.timeoutMs = decision.timeoutMs;
    if (decision.channel !== undefined) view.channel = decision.channel;
    if (decision.prompt !== undefined) view.prompt = decision.prompt;
  }
  if (decision.action === 'continue' && decision.reply !== undefined) view.reply = decision.reply;
  if (decision.error) view.error = decision.error.code;
  return view;
}

/**
 * Decides turns with a policy, checks that json-rules-engine itself (the reference engine) decides
 * the same, and remembers which rules held, so a suite can check that it exercised every rule.
 */
export function decider(policy: Policy) {
  const exercised = new Set<string>();
  return {
    async decide(turn: Turn, options: DecideOptions = {}): Promise<Seen> {
      const decision = seen(await decide(policy, turn, { explain: 'all', ...options }));
      const reference = seen(await decide(policy, turn, { explain: 'all', ...options, engine: 'reference' }));
      expect(reference, 'json-rules-engine decides the same').toEqual(decision);
      for (const rule of decision.held) exercised.add(rule);
      return decision;
    },
    /** The policy's rules (a mode's preset rules included) that have not held in any decision yet. */
    unexercised(): string[] {
      return policy.document.rules.map((rule) => rule.name).filter((name) => !exercised.has(name));
    },
  };
}

/** AutoGen's prompts, as the presets carry them; the runtime fills in {name} and {sender}. */
export const prompts = {
  always: "Replying as {name}. Provide feedback to {sender}. Press enter to skip and use auto-reply, or type 'exit' to end the conversation: ",
  atLimit: "Please give feedback to {sender}. Press enter to skip and use auto-reply, or type 'exit' to stop the conversation: ",
  onTermination: "Please give feedback to {sender}. Press enter or type 'exit' to stop the conversation: ",
};
