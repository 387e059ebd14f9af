// Comparing a decision with what a test expects, field by field, so a failure says which field
// differs. Shared by `handrail test` and the vitest matchers.
import type { Decision } from '../decision.js';
import { formatDuration, formatValue } from '../format/explanation.js';
import { toMilliseconds } from './duration.js';
import type { Expectation } from './format.js';

/** The fields of a decision a test can check, as plain data. */
export interface DecisionSummary {
  action: Decision['action'];
  rule: string | null;
  reason: string;
  onNoInput?: string;
  timeoutMs?: number;
  channel?: string;
  prompt?: string;
  reply?: string;
  reset: string[];
  error: string | null;
  /** Every rule that held in the explanation, in resolution order. */
  held: string[];
}

/**
 * A decision reduced to what tests check.
 *
 * @example
 * summarizeDecision(await decide(policy, turn)); // { action: 'escalate', rule: 'review', reason: '…', … }
 */
export function summarizeDecision(decision: Decision): DecisionSummary {
  const summary: DecisionSummary = {
    action: decision.action,
    rule: decision.rule,
    reason: decision.reason,
    reset: [...decision.reset],
    error: decision.error?.code ?? null,
    held: decision.explanation.filter((trace) => trace.result).map((trace) => trace.rule),
  };
  if (decision.action === 'escalate') {
    summary.onNoInput = decision.onNoInput;
    if (decision.timeoutMs !== undefined) summary.timeoutMs = decision.timeoutMs;
    if (decision.channel !== undefined) summary.channel = decision.channel;
    if (decision.prompt !== undefined) summary.prompt = decision.prompt;
  }
  if (decision.action === 'continue' && decision.reply !== undefined) summary.reply = decision.reply;
  return summary;
}

/** One field whose value is not the expected one. */
export interface Mismatch {
  field: keyof Expectation;
  expected: unknown;
  actual: unknown;
}

/** Equality of JSON values (the default), or a matcher library's own (vitest's `this.equals`). */
export type Equals = (actual: unknown, expected: unknown) => boolean;

export const jsonEquals: Equals = (a, b) => {
  if (a === b) return true;
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((item, i) => jsonEquals(item, b[i]));
  if (a && b && typeof a === 'object' && typeof b === 'object' && !Array.isArray(a) && !Array.isArray(b)) {
    const keys = Object.keys(a);
    return keys.length === Object.keys(b).length && keys.every((key) => jsonEquals((a as Record<string, unknown>)[key], (b as Record<string, unknown>)[key]));
  }
  return false;
};

/** The order fields are checked and reported in. */
export const expectationFields = ['action', 'rule', 'reason', 'onNoInput', 'timeoutMs', 'channel', 'prompt', 'reply', 'reset', 'error', 'held'] as const satisfies ReadonlyArray<keyof Expectation>;

/**
 * The fields of `expected` that the decision does not have; empty when it meets the expectation.
 * A field left out (undefined) is not checked. Durations may be written as in policies (`10m`).
 *
 * @example
 * compareDecision({ action: 'escalate', rule: 'review' }, decision); // [] when review decided an escalation
 */
export function compareDecision(expected: Expectation, decision: Decision, equals: Equals = jsonEquals): Mismatch[] {
  const actual = summarizeDecision(decision);
  const mismatches: Mismatch[] = [];
  for (const field of expectationFields) {
    let want: unknown = expected[field];
    if (want === undefined) continue;
    if (field === 'timeoutMs' && (typeof want === 'number' || typeof want === 'string')) want = toMilliseconds(want);
    let have: unknown = actual[field];
    // A counter reset is a set: the order of the names carries no meaning.
    if (field === 'reset' && Array.isArray(want) && want.every((item) => typeof item === 'string')) {
      want = [...want].sort();
      have = [...actual.reset].sort();
    }
    if (!equals(have, want)) mismatches.push({ field, expected: want, actual: actual[field] });
  }
  return mismatches;
}

function shown(field: keyof Expectation, value: unknown): string {
  if (value === undefined) return '(none)';
  if (value === null) return 'null';
  if (field === 'timeoutMs' && typeof value === 'number') return formatDuration(value);
  // Asymmetric matchers of a test library describe themselves.
  if (value !== null && typeof value === 'object' && typeof (value as { toString?: unknown }).toString === 'function' && 'asymmetricMatch' in value) return String(value);
  return formatValue(value, 200);
}

/**
 * One line per mismatch: `rule: expected "review", got null`.
 *
 * @example
 * formatMismatches(compareDecision(expected, decision)).join('\n');
 */
export function formatMismatches(mismatches: readonly Mismatch[]): string[] {
  return mismatches.map(({ field, expected, actual }) => `${field}: expected ${shown(field, expected)}, got ${shown(field, actual)}`);
}

/**
 * An expectation as a decision line reads: `escalate  (rule review) the reason  [else stop, timeout 10m]`.
 *
 * @example
 * formatExpectation({ action: 'stop', rule: null }); // 'stop  (default)'
 */
export function formatExpectation(expected: Expectation): string {
  const by = expected.rule === undefined ? '' : expected.rule === null ? '  (default)' : `  (rule ${expected.rule})`;
  const extra: string[] = [];
  if (expected.onNoInput !== undefined) extra.push(`else ${expected.onNoInput}`);
  if (expected.timeoutMs !== undefined) extra.push(`timeout ${shown('timeoutMs', typeof expected.timeoutMs === 'string' ? toMilliseconds(expected.timeoutMs) : expected.timeoutMs)}`);
  if (expected.channel !== undefined) extra.push(`via ${expected.channel}`);
  if (expected.prompt !== undefined) extra.push(`prompt ${shown('prompt', expected.prompt)}`);
  if (expected.reply !== undefined) extra.push(`reply ${shown('reply', expected.reply)}`);
  if (expected.reset !== undefined) extra.push(expected.reset.length ? expected.reset.map((c) => `reset ${c}`).join(', ') : 'no reset');
  if (expected.error !== undefined) extra.push(expected.error === null ? 'no error' : `error ${expected.error}`);
  if (expected.held !== undefined) extra.push(`held ${expected.held.length ? expected.held.join(', ') : 'none'}`);
  const reason = typeof expected.reason === 'string' ? ` ${expected.reason}` : expected.reason !== undefined ? ` ${shown('reason', expected.reason)}` : '';
  return `${expected.action ?? '(any action)'}${by}${reason}${extra.length ? `  [${extra.join(', ')}]` : ''}`;
}
