// Decisions: plain, JSON-serialisable data. How several fired rules resolve into one lives here.
import type { OnNoInput } from './ast.js';
import type { ActionEvent, ActionType, CompiledRule } from './document.js';
import type { Counter } from './facts.js';

/** One node of a rule's condition tree as evaluated: the fact value seen and whether it held. */
export type TraceNode =
  | { all: TraceNode[]; result: boolean }
  | { any: TraceNode[]; result: boolean }
  | { not: TraceNode; result: boolean }
  | { fact: string; path?: string; params?: Record<string, unknown>; operator: string; value: unknown; factResult: unknown; valueResult?: unknown; result: boolean };

export interface RuleTrace {
  rule: string;
  action: ActionType;
  priority: number;
  result: boolean;
  conditions: TraceNode;
}

export interface DecisionBase {
  /**
   * The rule that decided: of all rules that held, the first in resolution order (see
   * compareRules). Null when none held (the policy's default applied) or deciding failed.
   */
  rule: string | null;
  reason: string;
  /** Counters the host must reset before acting. */
  reset: Counter[];
  policy: { name: string; version?: string; hash: string };
  /** The deciding rule's conditions with the values seen; every rule's with `explain: 'all'`. */
  explanation: RuleTrace[];
  /** Present when deciding failed; the action is then escalate or stop, never continue. */
  error?: { code: string; message: string };
}

/**
 * What the loop must do now.
 *
 * @example
 * const decision = await decide(policy, { content: 'NEEDS_REVIEW: invoice 42', role: 'assistant' });
 * if (decision.action === 'escalate') askHuman(decision.prompt ?? decision.reason, decision.timeoutMs);
 */
export type Decision =
  | (DecisionBase & { action: 'continue'; reply?: string })
  | (DecisionBase & { action: 'escalate'; onNoInput: OnNoInput; timeoutMs?: number; channel?: string; prompt?: string })
  | (DecisionBase & { action: 'stop' });

const severity: Record<ActionType, number> = { stop: 3, escalate: 2, continue: 1 };

/**
 * The order in which fired rules win: stop before escalate before continue; then higher
 * priority; then earlier in the policy (a mode's preset rules count as coming after the file's own).
 */
export function compareRules(a: Pick<CompiledRule, 'priority' | 'event'>, b: Pick<CompiledRule, 'priority' | 'event'>): number {
  return severity[b.event.type] - severity[a.event.type] || b.priority - a.priority || a.event.params.order - b.event.params.order;
}

export type PolicyIdentity = DecisionBase['policy'];

/** Builds the decision for a winning event (or the policy's default, with `rule` null). */
export function decisionFor(event: ActionEvent, rule: string | null, policy: PolicyIdentity, explanation: RuleTrace[]): Decision {
  const { params } = event;
  const reset = params.reset ?? [];
  switch (event.type) {
    case 'continue':
      return params.reply !== undefined
        ? { action: 'continue', rule, reason: params.reason, reset, policy, explanation, reply: params.reply }
        : { action: 'continue', rule, reason: params.reason, reset, policy, explanation };
    case 'stop':
      return { action: 'stop', rule, reason: params.reason, reset, policy, explanation };
    case 'escalate': {
      const decision: Decision = { action: 'escalate', rule, reason: params.reason, reset, policy, explanation, onNoInput: params.onNoInput ?? 'stop' };
      if (params.timeoutMs !== undefined) decision.timeoutMs = params.timeoutMs;
      if (params.channel !== undefined) decision.channel = params.channel;
      if (params.prompt !== undefined) decision.prompt = params.prompt;
      return decision;
    }
  }
}

/**
 * The decision when deciding itself failed (a fact threw, a turn was malformed): ask a person
 * who may only stop the run, or stop outright when nobody can be asked. Never continue.
 */
export function failClosed(code: string, message: string, policy: PolicyIdentity, humanAvailable: boolean): Decision {
  const base: DecisionBase = { rule: null, reason: `could not decide: ${message}`, reset: [], policy, explanation: [], error: { code, message } };
  return humanAvailable ? { action: 'escalate', ...base, onNoInput: 'stop' } : { action: 'stop', ...base };
}
