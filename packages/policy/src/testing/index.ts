// @handrail/policy/testing — vitest matchers for decisions, so policy tests can live beside the
// code that runs the policy:
//
//   import '@handrail/policy/testing';
//   expect(await decide(policy, turn)).toEscalate({ rule: 'secrets' });
//
// Importing this module registers the matchers with vitest's `expect` (or call
// `expect.extend(policyMatchers)` yourself). vitest is needed only here.
import { expect, type MatcherState } from 'vitest';
import { formatDecisionLine, formatRuleTrace } from '../format/explanation.js';
import type { Decision } from '../decision.js';
import { compareDecision, formatExpectation, formatMismatches, summarizeDecision, type DecisionSummary } from '../policy-tests/expectation.js';
import type { Expectation } from '../policy-tests/format.js';

/**
 * What a matcher checks beyond the action; every field is optional and may be an asymmetric
 * matcher (`expect.stringContaining('payment')`). `rule: null` means the default decided.
 *
 * @example
 * expect(decision).toEscalate({ rule: 'payments', onNoInput: 'stop', timeoutMs: '10m' });
 */
export type DecisionExpectation = Omit<Expectation, 'action'>;

/**
 * The matchers, as vitest's `Assertion` gains them.
 *
 * @example
 * expect(decideSync(policy, { content: 'All done. TERMINATE' })).toStop({ rule: 'done' });
 * expect(await decide(policy, { content: 'hello' })).toContinue({ rule: null });
 */
export interface PolicyMatchers<R = unknown> {
  /** The decision is `continue`, and has every field given. */
  toContinue(expected?: DecisionExpectation): R;
  /** The decision is `escalate`, and has every field given. */
  toEscalate(expected?: DecisionExpectation): R;
  /** The decision is `stop`, and has every field given. */
  toStop(expected?: DecisionExpectation): R;
  /** The decision has every field given, the action included when given. */
  toDecide(expected: Expectation): R;
}

declare module 'vitest' {
  interface Matchers<T = any> extends PolicyMatchers<T> {}
  interface AsymmetricMatchersContaining extends PolicyMatchers {}
}

function isDecision(value: unknown): value is Decision {
  if (value === null || typeof value !== 'object') return false;
  const { action, explanation, reason } = value as Partial<Decision>;
  return (action === 'continue' || action === 'escalate' || action === 'stop') && Array.isArray(explanation) && typeof reason === 'string';
}

function isThenable(value: unknown): boolean {
  return value !== null && typeof value === 'object' && typeof (value as PromiseLike<unknown>).then === 'function';
}

/** Only the fields the expectation names, so vitest's diff shows what matters. */
function pick(summary: DecisionSummary, expected: Expectation): Partial<DecisionSummary> {
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(expected) as Array<keyof Expectation>) if (expected[key] !== undefined) out[key] = summary[key];
  return out;
}

function check(state: MatcherState, received: unknown, expected: Expectation, matcher: string) {
  const hint = state.utils.matcherHint(`.${matcher}`, 'decision', 'expected', { isNot: state.isNot });
  if (!isDecision(received)) {
    const awaited = isThenable(received) ? ' (a promise: await decide(…) first)' : '';
    return { pass: false, message: () => `${hint}\n\nexpected a Decision from decide() or decideSync()${awaited}, got ${state.utils.printReceived(received)}` };
  }
  const mismatches = compareDecision(expected, received, (actual, wanted) => state.equals(actual, wanted));
  const pass = mismatches.length === 0;
  const wanted = formatExpectation(expected);
  const explanation = received.explanation.length ? `\n\n${received.explanation.flatMap((trace) => formatRuleTrace(trace, received.rule)).join('\n')}` : '';
  // With `explain: 'decision'` only the deciding rule is explained; say how to see the expected one.
  const missing = typeof expected.rule === 'string' && !received.explanation.some((trace) => trace.rule === expected.rule);
  const more = missing ? `\n\n(rule ${expected.rule} is not in the explanation: decide with { explain: 'all' } to see every rule)` : '';
  if (pass) return { pass, message: () => `${hint}\n\nexpected the decision not to be: ${wanted}\nbut it is:                      ${formatDecisionLine(received)}${explanation}` };
  const message = () => `${hint}\n\nexpected: ${wanted}\nactual:   ${formatDecisionLine(received)}\n\n${formatMismatches(mismatches).join('\n')}${explanation}${more}`;
  // vitest prints a diff of these: only the fields the expectation names.
  return { pass, message, actual: pick(summarizeDecision(received), expected), expected };
}

function actionMatcher(action: Decision['action'], name: string) {
  return function (this: MatcherState, received: unknown, expected: DecisionExpectation = {}) {
    return check(this, received, { ...expected, action }, name);
  };
}

/**
 * The matchers, for `expect.extend(policyMatchers)` (importing this module already does it).
 *
 * @example
 * import { expect } from 'vitest';
 * import { policyMatchers } from '@handrail/policy/testing';
 * expect.extend(policyMatchers);
 * expect(await decide(policy, { content: 'drop table users' })).toEscalate({ rule: 'secrets' });
 */
export const policyMatchers = {
  toContinue: actionMatcher('continue', 'toContinue'),
  toEscalate: actionMatcher('escalate', 'toEscalate'),
  toStop: actionMatcher('stop', 'toStop'),
  toDecide(this: MatcherState, received: unknown, expected: Expectation) {
    return check(this, received, expected, 'toDecide');
  },
};

expect.extend(policyMatchers);
